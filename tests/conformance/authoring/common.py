"""Helpers for authoring the conformance vectors.

Every expected value in the suite modules is written out by hand from the rules in ../README.md; these
helpers only build the repetitive JSON shapes (wire entitlements and result objects with all their keys).
They never call the implementation.
"""
import json, os

NOW = "2024-01-15T12:00:00.000Z"
OUT = os.path.join(os.path.dirname(__file__), "..")

# ---------- wire (input) ----------

def feature(fid, ftype, meter=None, units=None, plural=None, display=None, desc=None):
    return {"__typename": "EntitlementFeature", "refId": fid, "featureType": ftype, "meterType": meter,
            "featureUnits": units, "featureUnitsPlural": plural, "displayName": display, "description": desc}

def fe(feat, **kw):
    """A wire FeatureEntitlement: isGranted true, no reason, unless overridden."""
    e = {"__typename": "FeatureEntitlement", "isGranted": True, "accessDeniedReason": None,
         "usageLimit": None, "hasUnlimitedUsage": False, "hasSoftLimit": False, "currentUsage": None,
         "enumValues": None, "usagePeriodAnchor": None, "usagePeriodStart": None, "usagePeriodEnd": None,
         "resetPeriod": None, "validUntil": None, "creditRate": None, "feature": feat}
    e.update(kw)
    return e

def ce(currency_id, currency=None, **kw):
    cur = {"currencyId": currency_id, "displayName": None, "description": None, "unitSingular": None,
           "unitPlural": None, "additionalMetaData": None}
    if currency:
        cur.update(currency)
    e = {"__typename": "CreditEntitlement", "isGranted": True, "accessDeniedReason": None, "currency": cur,
         "usageLimit": None, "currentUsage": None, "hasSoftLimit": False, "usagePeriodEnd": None,
         "validUntil": None}
    e.update(kw)
    return e

def state(*ents, reason=None):
    return {"entitlementsV2": list(ents), "accessDeniedReason": reason}

# Features used throughout
F_BOOL = feature("feature-sso", "BOOLEAN")
F_METER = feature("feature-api-calls", "NUMBER", "Incremental", "call", "calls", "API calls")
F_FLUCT = feature("feature-seats", "NUMBER", "Fluctuating", "seat", "seats")
F_NUM = feature("feature-max-projects", "NUMBER", "None", "project", "projects")
F_NULLMETER = feature("feature-legacy-number", "NUMBER", None)
F_ENUM = feature("feature-region", "ENUM", None, None, None, "Region", "Hosting region")
F_QUANTUM = feature("feature-quantum", "NUMBER", "Quantum")
F_FUTURE = feature("feature-future", "STRING")

# ---------- results (expected) ----------

def finfo(f):
    """The result's `feature` object for a wire feature (units '' when null; isMetered per featureTypes)."""
    if f is None:
        return None
    return {"id": f["refId"], "featureType": f["featureType"], "meterType": f["meterType"],
            "units": f["featureUnits"] or "", "unitsPlural": f["featureUnitsPlural"] or "",
            "isMetered": f["featureType"] == "NUMBER" and f["meterType"] in ("Incremental", "Fluctuating"),
            "displayName": f["displayName"], "description": f["description"]}

def bare(fid, ftype):
    return {"id": fid, "featureType": ftype, "meterType": None, "units": "", "unitsPlural": "",
            "isMetered": False, "displayName": None, "description": None}

def B(has, reason=None, feat=None, fb=False):
    return {"type": "BOOLEAN", "hasAccess": has, "isFallback": fb, "accessDeniedReason": reason,
            "feature": finfo(feat) if isinstance(feat, dict) and "refId" in feat else feat}

def N(has, reason=None, feat=None, value=None, unlimited=False, fb=False):
    return {"type": "NUMERIC", "hasAccess": has, "isFallback": fb, "accessDeniedReason": reason,
            "feature": finfo(feat) if isinstance(feat, dict) and "refId" in feat else feat,
            "value": value, "isUnlimited": unlimited}

def M(has, reason=None, feat=None, limit=None, unlimited=False, soft=False, current=0, requested=0,
      period=None, anchor=None, start=None, end=None, fb=False):
    return {"type": "METERED", "hasAccess": has, "isFallback": fb, "accessDeniedReason": reason,
            "feature": finfo(feat) if isinstance(feat, dict) and "refId" in feat else feat,
            "usageLimit": limit, "isUnlimited": unlimited, "hasSoftLimit": soft, "currentUsage": current,
            "requestedUsage": requested, "resetPeriod": period, "usagePeriodAnchor": anchor,
            "usagePeriodStart": start, "usagePeriodEnd": end, "nextResetDate": end}

def E(has, reason=None, feat=None, values=(), requested=None, fb=False):
    return {"type": "ENUM", "hasAccess": has, "isFallback": fb, "accessDeniedReason": reason,
            "feature": finfo(feat) if isinstance(feat, dict) and "refId" in feat else feat,
            "enumValues": list(values), "requestedValues": requested}

def cur(currency_id, **kw):
    c = {"currencyId": currency_id, "displayName": None, "description": None, "unitSingular": None,
         "unitPlural": None, "metadata": None}
    c.update(kw)
    return c

def C(has, reason=None, currency="credits", limit=0, current=0, remaining=None, end=None, soft=False,
      requested=0, fb=False):
    return {"type": "CREDIT", "hasAccess": has, "isFallback": fb, "accessDeniedReason": reason,
            "currency": currency if isinstance(currency, dict) else cur(currency),
            "usageLimit": limit, "currentUsage": current,
            "remaining": (limit - current) if remaining is None else remaining,
            "usagePeriodEnd": end, "hasSoftLimit": soft, "requestedUsage": requested}

# Default fallbacks (README "Fallbacks")
def FB_B(has=False, reason="Unknown"):
    return B(has, reason, None, fb=True)

def FB_N(has=False, reason="Unknown", value=None, unlimited=False):
    return N(has, reason, None, value, unlimited, fb=True)

def FB_M(has=False, reason="Unknown", requested=1, limit=None, unlimited=False):
    return M(has, reason, None, limit, unlimited, False, 0, requested, fb=True)

def FB_E(has=False, reason="Unknown", values=(), requested=None):
    return E(has, reason, None, values, requested, fb=True)

# ---------- cases ----------

def req(method, feature_id=None, currency_id=None, customer="customer-1", **options):
    r = {"method": method, "customerId": customer}
    if feature_id is not None:
        r["featureId"] = feature_id
    if currency_id is not None:
        r["currencyId"] = currency_id
    if options:
        r["options"] = options
    return r

def case(cid, description, st, request, expected, now=NOW, config=None):
    c = {"id": cid, "description": description, "now": now}
    if config is not None:
        c["config"] = config
    c["state"] = st
    c["request"] = request
    c["expected"] = expected
    return c

def write(suite, description, cases):
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), f"duplicate ids in {suite}"
    for c in cases:
        assert c["id"].startswith(suite + "/"), c["id"]
    doc = {"schemaVersion": 1, "suite": suite, "description": description, "cases": cases}
    with open(os.path.join(OUT, suite + ".json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print(f"{suite}.json: {len(cases)} cases")
