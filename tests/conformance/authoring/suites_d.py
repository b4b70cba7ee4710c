from common import *
from suites_a import metered_wire, MR, P_START, P_END
from suites_b import wallet, CR, F_CB
from suites_c import pw, PR

FID = F_METER["refId"]
V = ["us", "eu", "apac"]

def v2(fid=None, cid=None, **o):
    return req("getEntitlementV2", fid, cid, **o)

def v2_suite():
    cfg_true = {"entitlementsFallback": {"feature-x": {"hasAccess": True}}}
    cs = [
        case("v2/feature-boolean", "Feature target: decided and shaped by the feature.", state(fe(F_BOOL)), v2("feature-sso"), B(True, None, F_BOOL)),
        case("v2/feature-metered", "Metered with a request.", state(metered_wire()), v2(FID, requestedUsage=5), MR(True, requested=5)),
        case("v2/feature-metered-exceeding", "Metered over the limit.", state(metered_wire()), v2(FID, requestedUsage=8),
             MR(False, "RequestedUsageExceedingLimit", requested=8)),
        case("v2/feature-enum-mismatch", "Enum requested values.", state(fe(F_ENUM, enumValues=V)), v2(F_ENUM["refId"], requestedValues=["mars"]),
             E(False, "RequestedValuesMismatch", F_ENUM, V, ["mars"])),
        case("v2/feature-numeric", "Numeric.", state(fe(F_NUM, usageLimit=10)), v2(F_NUM["refId"]), N(True, None, F_NUM, 10)),
        case("v2/null-meter-uses-request", "Null-meter NUMBER: NUMERIC shape, decided by 3 + 3 > 5.",
             state(fe(F_NULLMETER, usageLimit=5, currentUsage=3)), v2(F_NULLMETER["refId"], requestedUsage=3),
             N(False, "RequestedUsageExceedingLimit", F_NULLMETER, 5)),
        case("v2/no-type-mismatch", "V2 has no expected type: a boolean feature with requestedUsage is simply granted.",
             state(fe(F_BOOL)), v2("feature-sso", requestedUsage=3), B(True, None, F_BOOL)),
        case("v2/server-reason-unknown-future", "An unknown server reason passes through.",
             state(fe(F_BOOL, isGranted=False, accessDeniedReason="QuotaFrozen")), v2("feature-sso"), B(False, "QuotaFrozen", F_BOOL)),
        case("v2/customer-reason-found", "Customer-level reason on a found metered entitlement.",
             state(metered_wire(), reason="NoActiveSubscription"), v2(FID, requestedUsage=1), MR(False, "NoActiveSubscription", requested=1)),
        case("v2/credit-granted", "Credit target.", state(wallet()), v2(cid="credits", requestedUsage=10), CR(True, requested=10)),
        case("v2/credit-insufficient", "Credit target, 90 > remaining 80.", state(wallet()), v2(cid="credits", requestedUsage=90),
             CR(False, "InsufficientCredits", requested=90)),
        case("v2/missing-feature-boolean", "Missing feature: non-fallback denied, BOOLEAN by the options' shape.",
             state(fe(F_METER)), v2("feature-x"), B(False, "NoFeatureEntitlementInSubscription")),
        case("v2/missing-feature-metered", "Missing feature with requestedUsage: METERED non-fallback, echoed.",
             state(fe(F_METER)), v2("feature-x", requestedUsage=2), M(False, "NoFeatureEntitlementInSubscription", requested=2)),
        case("v2/missing-feature-enum", "Missing feature with requestedValues: ENUM non-fallback.",
             state(fe(F_METER)), v2("feature-x", requestedValues=["a"]), E(False, "NoFeatureEntitlementInSubscription", None, [], ["a"])),
        case("v2/missing-feature-numeric", "Missing feature with a per-call fallback value: NUMERIC non-fallback.",
             state(fe(F_METER)), v2("feature-x", fallback={"hasAccess": True, "value": 1}), N(False, "NoFeatureEntitlementInSubscription")),
        case("v2/missing-feature-customer-reason", "Unknown customer: the customer-level reason.",
             state(reason="CustomerNotFound"), v2("feature-x"), B(False, "CustomerNotFound")),
        case("v2/missing-feature-config-unused", "A decided (non-fallback) result is not merged with the config fallback.",
             state(fe(F_METER)), v2("feature-x"), B(False, "NoFeatureEntitlementInSubscription"), config=cfg_true),
        case("v2/unavailable-default", "State unavailable: BOOLEAN default fallback.", None, v2("feature-x"), FB_B()),
        case("v2/unavailable-config-granted-clears-reason", "Config fallback merged; hasAccess true clears the reason.",
             None, v2("feature-x"), FB_B(True, None), config=cfg_true),
        case("v2/unavailable-config-denied-keeps-unknown", "Config fallback hasAccess false keeps Unknown.",
             None, v2("feature-x"), FB_B(False), config={"entitlementsFallback": {"feature-x": {"hasAccess": False}}}),
        case("v2/unavailable-per-call-keeps-unknown", "A per-call fallback is not merged with config: Unknown stays.",
             None, v2("feature-x", fallback={"hasAccess": True}), FB_B(True, "Unknown"), config=cfg_true),
        case("v2/unavailable-metered-config", "METERED by requestedUsage, config usageLimit, reason cleared.",
             None, v2("feature-x", requestedUsage=3), FB_M(True, None, requested=3, limit=50),
             config={"entitlementsFallback": {"feature-x": {"hasAccess": True, "usageLimit": 50}}}),
        case("v2/unavailable-numeric-per-call", "NUMERIC by the per-call fallback's value.",
             None, v2("feature-x", fallback={"hasAccess": False, "value": 2}), FB_N(False, value=2)),
        case("v2/unavailable-enum-config", "ENUM by requestedValues with config enumValues, granted → reason cleared.",
             None, v2("feature-x", requestedValues=["b"]), FB_E(True, None, ["a", "b"], ["b"]),
             config={"entitlementsFallback": {"feature-x": {"hasAccess": True, "enumValues": ["a", "b"]}}}),
        case("v2/invalid-both-ids", "Both ids: invalid params → per-call-only feature fallback (config not used).",
             state(fe(F_BOOL)), v2("feature-x", "credits"), FB_B(False), config=cfg_true),
        case("v2/invalid-both-ids-per-call", "Both ids with a per-call fallback.",
             state(fe(F_BOOL)), v2("feature-x", "credits", fallback={"hasAccess": True}), FB_B(True, "Unknown")),
        case("v2/invalid-neither", "Neither id: the feature fallback typed by options.", state(fe(F_BOOL)), v2(requestedUsage=2), FB_M(requested=2)),
        case("v2/empty-feature-id-is-absent", "An empty featureId counts as absent: credit target.",
             state(wallet()), v2("", "credits"), CR(True)),
        case("v2/credit-missing-wallet", "Missing wallet: non-fallback denied.", state(fe(F_BOOL)), v2(cid="gems"),
             C(False, "NoFeatureEntitlementInSubscription", "gems")),
        case("v2/credit-unavailable-default", "Credit default fallback.", None, v2(cid="credits"), C(False, "Unknown", "credits", fb=True)),
        case("v2/credit-unavailable-config", "creditEntitlementsFallback is used by V2; the reason stays Unknown.",
             None, v2(cid="credits", requestedUsage=4), C(True, "Unknown", "credits", 30, 0, requested=4, fb=True),
             config={"creditEntitlementsFallback": {"credits": {"hasAccess": True, "usageLimit": 30}}}),
        case("v2/credit-unavailable-per-call-beats-config", "Per-call credit fallback › config.",
             None, v2(cid="credits", fallback={"hasAccess": False, "usageLimit": 5, "currentUsage": 1}),
             C(False, "Unknown", "credits", 5, 1, fb=True),
             config={"creditEntitlementsFallback": {"credits": {"hasAccess": True, "usageLimit": 30}}}),
    ]
    write("v2", "getEntitlementV2", cs)

def sv2(ents, reason=None):
    return {"entitlements": ents, "accessDeniedReason": reason}

def state_v2_suite():
    g = lambda: req("getEntitlementsStateV2")
    ents = [fe(F_BOOL), metered_wire(), fe(F_ENUM, enumValues=V), fe(F_NUM, usageLimit=10), wallet()]
    cfg = {"entitlementsFallback": {"b-feature": {"hasAccess": True}, "a-metered": {"hasAccess": True, "usageLimit": 10},
                                    "c-enum": {"hasAccess": False, "enumValues": ["x"]}, "d-numeric": {"hasAccess": True, "value": 3},
                                    "e-unlimited": {"hasAccess": True, "isUnlimited": True}},
           "creditEntitlementsFallback": {"credits": {"hasAccess": True, "usageLimit": 100, "currentUsage": 40},
                                          "a-credits": {"hasAccess": False}}}
    fbm = FB_M(True, limit=10); fbm["feature"] = bare("a-metered", "NUMBER")
    fbb = FB_B(True); fbb["feature"] = bare("b-feature", "BOOLEAN")
    fbe = FB_E(False, values=["x"]); fbe["feature"] = bare("c-enum", "ENUM")
    fbn = FB_N(True, value=3); fbn["feature"] = bare("d-numeric", "NUMBER")
    fbu = FB_M(True, unlimited=True); fbu["feature"] = bare("e-unlimited", "NUMBER")
    unk = FB_M(); unk["feature"] = finfo(F_METER)
    cb = fe(F_CB, creditRate={"amount": 1, "currencyId": "credits"})
    cs = [
        case("state_v2/mixed", "Every entitlement in the order received, decided with no request.", state(*ents), g(),
             sv2([B(True, None, F_BOOL), MR(True), E(True, None, F_ENUM, V, None), N(True, None, F_NUM, 10), CR(True)])),
        case("state_v2/customer-no-active-subscription", "The customer-level reason denies every item and is reported.",
             state(*ents, reason="NoActiveSubscription"), g(),
             sv2([B(False, "NoActiveSubscription", F_BOOL), MR(False, "NoActiveSubscription"),
                  E(False, "NoActiveSubscription", F_ENUM, V, None), N(False, "NoActiveSubscription", F_NUM, 10),
                  CR(False, "NoActiveSubscription")], "NoActiveSubscription")),
        case("state_v2/unknown-customer-reason", "An unknown customer-level reason is passed through.",
             state(fe(F_BOOL), reason="CustomerSuspended"), g(), sv2([B(False, "CustomerSuspended", F_BOOL)], "CustomerSuspended")),
        case("state_v2/empty", "No entitlements, no reason.", state(), g(), sv2([])),
        case("state_v2/customer-not-found", "Unknown customer.", state(reason="CustomerNotFound"), g(), sv2([], "CustomerNotFound")),
        case("state_v2/unavailable-config-list", "State unavailable: configured fallbacks sorted by id, then credit fallbacks sorted by currency.",
             None, g(), sv2([fbm, fbb, fbe, fbn, fbu, C(False, "Unknown", "a-credits", fb=True),
                             C(True, "Unknown", "credits", 100, 40, fb=True)]), config=cfg),
        case("state_v2/unavailable-no-config", "State unavailable and nothing configured: an empty list.", None, g(), sv2([])),
        case("state_v2/metered-over-limit", "List items are decided with requested usage 0: 11 > 10 denied.",
             state(metered_wire(currentUsage=11)), g(), sv2([MR(False, "RequestedUsageExceedingLimit", current=11)])),
        case("state_v2/rollover", "Metered items are rolled over.", state(pw("MONTH", P_START, P_START, P_END, usage=12)), g(),
             sv2([PR(True, "MONTH", P_START, "2024-02-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z")]), now="2024-02-10T00:00:00.000Z"),
        case("state_v2/unknown-period-ended", "An unknown ended reset period: that item is its METERED fallback, with its feature.",
             state(fe(F_BOOL), pw("FORTNIGHT", P_START, P_START, P_END)), g(), sv2([B(True, None, F_BOOL), unk]), now="2024-02-10T00:00:00.000Z"),
        case("state_v2/duplicates-last-wins-first-order", "Duplicates: the last wins, at the place of the first.",
             state(fe(F_BOOL, isGranted=False, accessDeniedReason="Revoked"), fe(F_NUM, usageLimit=1), fe(F_BOOL)), g(),
             sv2([B(True, None, F_BOOL), N(True, None, F_NUM, 1)])),
        case("state_v2/entitlement-without-feature-skipped", "Entitlements lacking their feature are skipped.",
             state(fe(None), fe(F_BOOL)), g(), sv2([B(True, None, F_BOOL)])),
        case("state_v2/credit-backed", "A credit-backed feature and its overdrawn wallet.",
             state(cb, wallet(currentUsage=101)), g(),
             sv2([M(False, "InsufficientCredits", F_CB, None), CR(False, "InsufficientCredits", current=101)])),
        case("state_v2/valid-until-past", "Expired entitlements are still reported as decided (expiry only triggers a refetch).",
             state(fe(F_BOOL, validUntil="2024-01-01T00:00:00.000Z")), g(), sv2([B(True, None, F_BOOL)])),
    ]
    write("state_v2", "getEntitlementsStateV2", cs)
