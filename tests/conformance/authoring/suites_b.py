from common import *
from suites_a import metered_wire, MR, P_START, P_END

CUR = {"displayName": "AI credits", "unitSingular": "credit", "unitPlural": "credits"}
CUR_R = cur("credits", displayName="AI credits", unitSingular="credit", unitPlural="credits")

def wallet(**kw):
    base = dict(usageLimit=100, currentUsage=20, usagePeriodEnd="2024-02-01T00:00:00.000Z")
    base.update(kw)
    return ce("credits", CUR, **base)

def CR(has, reason=None, limit=100, current=20, requested=0, end="2024-02-01T00:00:00.000Z", **kw):
    return C(has, reason, CUR_R, limit, current, end=end, requested=requested, **kw)

F_CB = feature("feature-ai-tokens", "NUMBER", "Incremental", "token", "tokens")

def credit_suite():
    g = lambda c="credits", **o: req("getCreditEntitlement", currency_id=c, **o)
    cs = [
        case("credit/covers-request", "remaining 80 >= 50.", state(wallet()), g(requestedUsage=50), CR(True, requested=50)),
        case("credit/equal-to-remaining", "remaining 80 >= 80.", state(wallet()), g(requestedUsage=80), CR(True, requested=80)),
        case("credit/insufficient", "remaining 80 < 81: InsufficientCredits.", state(wallet()), g(requestedUsage=81),
             CR(False, "InsufficientCredits", requested=81)),
        case("credit/no-request", "No request counts as 0.", state(wallet()), g(), CR(True)),
        case("credit/exactly-exhausted-no-request", "remaining 0 >= 0: granted.", state(wallet(currentUsage=100)), g(),
             CR(True, current=100)),
        case("credit/exhausted-request-one", "remaining 0 < 1.", state(wallet(currentUsage=100)), g(requestedUsage=1),
             CR(False, "InsufficientCredits", current=100, requested=1)),
        case("credit/overdrawn", "remaining -20 < 0: denied even without a request.", state(wallet(currentUsage=120)), g(),
             CR(False, "InsufficientCredits", current=120)),
        case("credit/soft-limit-overdrawn", "A soft limit allows consumption past the balance.",
             state(wallet(currentUsage=120, hasSoftLimit=True)), g(requestedUsage=10), CR(True, current=120, requested=10, soft=True)),
        case("credit/server-insufficient-credits", "The server's reason wins over a positive balance.",
             state(wallet(isGranted=False, accessDeniedReason="InsufficientCredits")), g(), CR(False, "InsufficientCredits")),
        case("credit/server-budget-exceeded", "Server reason BudgetExceeded.",
             state(wallet(isGranted=False, accessDeniedReason="BudgetExceeded")), g(requestedUsage=1), CR(False, "BudgetExceeded", requested=1)),
        case("credit/missing-wallet", "No wallet for the currency: non-fallback NoFeatureEntitlementInSubscription.",
             state(fe(F_BOOL)), g("gems", requestedUsage=3), C(False, "NoFeatureEntitlementInSubscription", "gems", requested=3)),
        case("credit/customer-no-active-subscription", "Customer-level reason wins.",
             state(wallet(), reason="NoActiveSubscription"), g(), CR(False, "NoActiveSubscription")),
        case("credit/customer-not-found", "CustomerNotFound with an empty list.",
             state(reason="CustomerNotFound"), g(), C(False, "CustomerNotFound", "credits")),
        case("credit/null-limit-and-usage", "Null usageLimit/currentUsage are 0; 0 >= 0.",
             state(ce("credits", CUR)), g(), CR(True, limit=0, current=0, end=None)),
        case("credit/period-end-in-past-not-rolled", "Wallets are not rolled over; usagePeriodEnd reported as cached.",
             state(wallet(usagePeriodEnd="2023-12-01T00:00:00.000Z")), g(), CR(True, end="2023-12-01T00:00:00.000Z")),
        case("credit/metadata", "Currency metadata and description are reported.",
             state(ce("credits", {"description": "d", "additionalMetaData": {"tier": "gold"}}, usageLimit=5)), g(),
             C(True, None, cur("credits", description="d", metadata={"tier": "gold"}), 5, 0)),
        case("credit/state-unavailable", "Default CREDIT fallback with currency{currencyId}.", None, g(),
             C(False, "Unknown", "credits", fb=True)),
        case("credit/state-unavailable-per-call", "Per-call fallback: remaining = usageLimit − currentUsage, still Unknown.",
             None, g(requestedUsage=5, fallback={"hasAccess": True, "usageLimit": 50, "currentUsage": 10}),
             C(True, "Unknown", "credits", 50, 10, requested=5, fb=True)),
        case("credit/config-fallback-not-used", "getCreditEntitlement ignores creditEntitlementsFallback (spec 4.4).",
             None, g(), C(False, "Unknown", "credits", fb=True),
             config={"creditEntitlementsFallback": {"credits": {"hasAccess": True, "usageLimit": 9}}}),
        case("credit/decimal-balance", "0.1 + 0.2 against 0.3 remaining is granted (tolerance).",
             state(wallet(usageLimit=0.3, currentUsage=0.1)), g(requestedUsage=0.2),
             CR(True, limit=0.3, current=0.1, remaining=0.3 - 0.1, requested=0.2)),
    ]
    # credit-backed features (inferred rule)
    fid = F_CB["refId"]
    m = lambda **o: req("getMeteredEntitlement", fid, **o)
    cb = lambda **kw: fe(F_CB, creditRate={"amount": 2, "currencyId": "credits"}, **kw)
    cs += [
        case("credit/backed-feature-covered", "Credit-backed feature: 5 × rate 2 = 10 <= remaining 10; the feature's own null limit is not used.",
             state(cb(currentUsage=40), wallet(currentUsage=90)), m(requestedUsage=5), M(True, None, F_CB, None, current=40, requested=5)),
        case("credit/backed-feature-insufficient", "6 × 2 = 12 > remaining 10: InsufficientCredits.",
             state(cb(), wallet(currentUsage=90)), m(requestedUsage=6), M(False, "InsufficientCredits", F_CB, None, current=0, requested=6)),
        case("credit/backed-feature-wallet-soft-limit", "The feature inherits the wallet's soft limit.",
             state(cb(), wallet(currentUsage=150, hasSoftLimit=True)), m(requestedUsage=6), M(True, None, F_CB, None, current=0, requested=6)),
        case("credit/backed-feature-wallet-reason", "The wallet's server reason denies the feature.",
             state(cb(usageLimit=10), wallet(isGranted=False, accessDeniedReason="BudgetExceeded")), m(requestedUsage=1),
             M(False, "BudgetExceeded", F_CB, 10, current=0, requested=1)),
        case("credit/backed-feature-own-reason-first", "The feature's own server reason wins over the wallet.",
             state(cb(isGranted=False, accessDeniedReason="Revoked"), wallet()), m(requestedUsage=1),
             M(False, "Revoked", F_CB, None, current=0, requested=1)),
        case("credit/backed-feature-no-wallet", "Wallet not in the state: the feature's own limit decides (0 + 5 <= 10).",
             state(cb(usageLimit=10)), m(requestedUsage=5), M(True, None, F_CB, 10, current=0, requested=5)),
        case("credit/backed-feature-no-request", "No request costs 0; overdrawn wallet still denies (remaining −5 < 0).",
             state(cb(), wallet(currentUsage=105)), m(), M(False, "InsufficientCredits", F_CB, None, current=0, requested=0)),
    ]
    write("credit", "getCreditEntitlement and credit-backed features", cs)

def fallback_suite():
    b = lambda **o: req("getBooleanEntitlement", "feature-sso", **o)
    e = lambda fid="feature-x", **o: req("getEntitlement", fid, **o)
    cfg = {"entitlementsFallback": {"feature-sso": {"hasAccess": True}, "feature-x": {"hasAccess": True, "value": 4,
           "usageLimit": 40, "enumValues": ["a"], "isUnlimited": False}}}
    cs = [
        case("fallback/per-call-beats-config", "Per call › config: never merged.", None, b(fallback={"hasAccess": False}), FB_B(False), config=cfg),
        case("fallback/empty-per-call-masks-config", "A per-call fallback {} masks the configured one entirely.", None, b(fallback={}), FB_B(False), config=cfg),
        case("fallback/config-used", "Config when no per-call fallback.", None, b(), FB_B(True), config=cfg),
        case("fallback/config-of-other-feature-unused", "Config is by feature id.", None, req("getBooleanEntitlement", "feature-other"), FB_B(False), config=cfg),
        case("fallback/default", "No fallback anywhere: the type default.", None, b(), FB_B(False)),
        case("fallback/granted-still-unknown", "hasAccess:true keeps accessDeniedReason Unknown in typed getters.", None,
             b(fallback={"hasAccess": True}), FB_B(True)),
        case("fallback/mismatch-uses-config", "Type mismatch uses the chosen (config) fallback.",
             state(fe(F_METER)), req("getBooleanEntitlement", F_METER["refId"]), FB_B(True, "FeatureTypeMismatch"),
             config={"entitlementsFallback": {F_METER["refId"]: {"hasAccess": True}}}),
        case("fallback/mismatch-per-call-beats-config", "Type mismatch: per call › config.",
             state(fe(F_METER)), req("getBooleanEntitlement", F_METER["refId"], fallback={"hasAccess": False}), FB_B(False, "FeatureTypeMismatch"),
             config={"entitlementsFallback": {F_METER["refId"]: {"hasAccess": True}}}),
        case("fallback/generic-requested-usage-metered", "getEntitlement: requestedUsage in options → METERED fallback.",
             None, e(requestedUsage=2), FB_M(True, requested=2, limit=40), config=cfg),
        case("fallback/generic-requested-values-enum", "getEntitlement: requestedValues → ENUM fallback.",
             None, e(requestedValues=["a"]), FB_E(True, values=["a"], requested=["a"]), config=cfg),
        case("fallback/generic-per-call-value-numeric", "getEntitlement: a per-call fallback with value → NUMERIC.",
             None, e(fallback={"hasAccess": True, "value": 9}), FB_N(True, value=9), config=cfg),
        case("fallback/generic-config-value-is-boolean", "Only the per-call fallback's shape types the result: config value → still BOOLEAN.",
             None, e(), FB_B(True), config=cfg),
        case("fallback/generic-usage-and-values-metered", "requestedUsage wins over requestedValues for the type.",
             None, e(requestedUsage=1, requestedValues=["a"]), FB_M(False, requested=1)),
        case("fallback/generic-missing-feature", "getEntitlement (deprecated) returns the fallback for a missing feature (3.95 observed).",
             state(fe(F_BOOL)), e(), FB_B(True), config=cfg),
        case("fallback/generic-unknown-customer", "getEntitlement returns the fallback for an unknown customer.",
             state(reason="CustomerNotFound"), e("feature-y"), FB_B(False)),
        case("fallback/generic-found-is-decided", "getEntitlement with a found entitlement: decided, shaped by the feature.",
             state(fe(F_BOOL)), e("feature-sso", requestedUsage=3), B(True, None, F_BOOL)),
        case("fallback/generic-found-customer-reason", "getEntitlement with a found entitlement and a customer-level reason.",
             state(fe(F_NUM, usageLimit=2), reason="CustomerIsArchived"), e(F_NUM["refId"]), N(False, "CustomerIsArchived", F_NUM, 2)),
        case("fallback/generic-unknown-feature-type", "getEntitlement on a feature type this SDK does not know: BOOLEAN shape, server isGranted decides.",
             state(fe(F_FUTURE, isGranted=False)), e(F_FUTURE["refId"]), B(False, "Unknown", F_FUTURE)),
        case("fallback/generic-unknown-feature-type-granted", "Unknown feature type with isGranted true: granted.",
             state(fe(F_FUTURE)), e(F_FUTURE["refId"]), B(True, None, F_FUTURE)),
        case("fallback/generic-unknown-meter", "NUMBER with an unknown meter: NUMERIC shape, metered comparison (0 + 0 <= 3).",
             state(fe(F_QUANTUM, usageLimit=3)), e(F_QUANTUM["refId"]), N(True, None, F_QUANTUM, 3)),
    ]
    write("fallback", "Fallback choice and shapes; deprecated getEntitlement", cs)
