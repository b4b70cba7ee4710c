// libstigg quick start (C++ with include/stigg.hpp). Offline with a fixture unless STIGG_API_KEY is set.
// Build: c++ -std=c++17 quickstart.cpp $(pkg-config --cflags --libs stigg)
#include <cstdlib>
#include <iostream>

#include "stigg.hpp"

int main() {
    const char *key = std::getenv("STIGG_API_KEY");
    stigg_config_t config{};
    config.api_key = key;
    config.offline = key == nullptr;
    try {
        stigg::Client client(config);
        client.wait_for_initialization();
        if (config.offline) {
            client.set_entitlements_state("customer-demo", R"({"entitlementsV2": [{"__typename": "FeatureEntitlement",
                "usageLimit": 100, "currentUsage": 42, "hasUnlimitedUsage": false, "hasSoftLimit": false,
                "feature": {"__typename": "EntitlementFeature", "refId": "feature-api-calls",
                            "featureType": "NUMBER", "meterType": "Incremental"}}]})");
        }
        auto m = client.metered("customer-demo", "feature-api-calls", 10, true);
        std::cout << "has_access=" << m.result.has_access << " usage " << m.result.current_usage << "/"
                  << m.result.usage_limit << " feature " << (m.details && m.details->feature ? m.details->feature->id : "?")
                  << "\n";
        std::cout << "reportUsage: "
                  << client.call("reportUsage", R"({"customerId": "customer-demo", "featureId": "feature-api-calls", "value": 1})")
                  << "\n";
        try {
            client.call("reportUsage", R"({"customerId": "", "featureId": "x", "value": 1})");
        } catch (const stigg::Error &e) {
            std::cout << "expected error: [" << e.code() << "] " << e.what() << "\n";
        }
    } catch (const stigg::Error &e) {
        std::cerr << "stigg error [" << e.code() << "] " << e.what() << "\n";
        return 1;
    }
    return 0;
}
