#!/usr/bin/env python3
"""Smoke check: run the official Python client documents against a running emulator (localhost:4112)
and validate each response with the client's pydantic models (needs tools/gen_schema.py run first,
which leaves the models importable under /tmp/stigg_gen_pkg)."""
import sys, re, json, urllib.request, importlib
sys.path.insert(0,'/tmp/stigg_gen_pkg')
client=open('/work/ref/py/stigg_api_client_v2-6.25.0-py3-none-any/stigg/generated/client.py').read()
docs={}
for m in re.finditer(r'gql\(\s*((?:"""[\s\S]*?"""\s*)+)\)', client):
    t="".join(re.findall(r'"""([\s\S]*?)"""', m.group(1)))
    docs[re.search(r"(query|mutation)\s+(\w+)", t).group(2)]=t
def call(name, variables):
    body=json.dumps({"query":docs[name],"variables":variables,"operationName":name}).encode()
    r=urllib.request.Request("http://localhost:4112/graphql", data=body, headers={"X-API-KEY":"server-emulator-key","content-type":"application/json"})
    d=json.load(urllib.request.urlopen(r))
    mod=importlib.import_module("gen."+re.sub(r"(?<!^)(?=[A-Z0-9])", "_", name).lower())
    if d.get("errors"): print("ERR", name, d["errors"][0]["message"][:300]); return d
    try:
        getattr(mod,name).model_validate(d["data"]); print("OK", name)
    except Exception as e: print("FAIL", name, str(e)[:600])
    return d
d=call("ProvisionCustomer", {"input":{"customerId":"p1","name":"P","subscriptionParams":{"planId":"plan-revvenu-pro","addons":[{"addonId":"addon-extra-seats","quantity":1}]}}})
sid=d["data"]["provisionCustomer"]["subscription"]["subscriptionId"]
call("GetCustomerById", {"input":{"customerId":"p1"}})
call("GetCustomerStatistics", {"input":{"customerId":"p1"}})
call("UpdateCustomer", {"input":{"customerId":"p1","name":"Q"}})
call("GetSubscription", {"input":{"subscriptionId":sid}})
call("GetActiveSubscriptions", {"input":{"customerId":"p1"}})
call("GetActiveSubscriptionsList", {"input":{"customerId":"p1"}})
call("GetSubscriptions", {"filter":{"customerId":{"eq":"p1"}},"paging":{"first":10}})
call("UpdateSubscription", {"input":{"subscriptionId":sid,"addons":[{"addonId":"addon-extra-seats","quantity":2}]}})
call("EstimateSubscription", {"input":{"customerId":"p1","planId":"plan-revvenu-pro"}})
call("EstimateSubscriptionUpdate", {"input":{"subscriptionId":sid}})
call("PreviewSubscription", {"input":{"customerId":"p1","planId":"plan-revvenu-pro"}})
call("GetEntitlementsState", {"query":{"customerId":"p1"}})
call("GetEntitlements", {"query":{"customerId":"p1"}})
call("GetEntitlement", {"query":{"customerId":"p1","featureId":"feature-seats"}})
call("GetEntitlementV2", {"query":{"customerId":"p1","featureId":"feature-seats"}})
call("ReportUsage", {"input":{"customerId":"p1","featureId":"feature-api-calls","value":3}})
call("ReportUsageBulk", {"input":{"usages":[{"customerId":"p1","featureId":"feature-api-calls","value":3}]}})
call("ReportEvent", {"input":{"usageEvents":[{"customerId":"p1","eventName":"api_request","idempotencyKey":"x"}]}})
call("GetUsageHistoryV2", {"input":{"customerId":"p1","featureId":"feature-api-calls","startDate":"2020-01-01T00:00:00Z"}})
call("GrantCredits", {"input":{"customerId":"p1","currencyId":"cred-ai-tokens","amount":10,"displayName":"x","grantType":"PROMOTIONAL"}})
call("GetCreditGrants", {"input":{"customerId":"p1"}})
call("GetCreditBalance", {"input":{"customerId":"p1"}})
call("ConsumeCredits", {"input":{"customerId":"p1","currencyId":"cred-ai-tokens","amount":1,"idempotencyKey":"k"}})
call("ConsumeCreditsAsync", {"input":{"consumptions":[{"customerId":"p1","currencyId":"cred-ai-tokens","amount":1,"idempotencyKey":"k2"}]}})
call("EstimateUsageCost", {"input":{"customerId":"p1","featureId":"feature-ai-tokens","value":100}})
call("EstimateEventCost", {"input":{"customerId":"p1","eventName":"completion","dimensions":{"tokens":5}}})
call("GrantPromotionalEntitlements", {"input":{"customerId":"p1","promotionalEntitlements":[{"featureId":"feature-sso","period":"ONE_WEEK"}]}})
call("RevokePromotionalEntitlement", {"input":{"customerId":"p1","featureId":"feature-sso"}})
call("GetProducts", {})
call("GetCoupons", {})
call("GetPaywall", {"input":{"productId":"product-revvenu"}})
call("GetSdkConfiguration", {})
call("MigrateSubscriptionToLatest", {"input":{"subscriptionId":sid}})
call("CancelSubscriptionUpdates", {"input":{"subscriptionId":sid}})
call("CancelSubscription", {"input":{"subscriptionRefId":sid}})
call("ArchiveCustomer", {"input":{"customerId":"p1"}})
call("UnarchiveCustomer", {"input":{"customerId":"p1"}})
call("ProvisionSubscription", {"input":{"customerId":"p1","planId":"plan-ai-scale"}})
call("CreateSubscription", {"input":{"customerId":"p1","planId":"plan-revvenu-free"}})
