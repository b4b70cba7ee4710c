/* libstigg quick start (C).
 *
 * Online: STIGG_API_KEY=... [STIGG_BASE_URI=http://localhost:4000] ./quickstart
 * Without a key it runs offline with a fixture state, so it always has something to show.
 *
 * Build: cc quickstart.c $(pkg-config --cflags --libs stigg)   (or -Iinclude -Ltarget/release -lstigg) */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "stigg.h"

/* Prints an error, frees it, and says whether there was one. */
static int failed(stigg_error_t *err, const char *what) {
    if (!err) return 0;
    const char *trace = stigg_error_trace_id(err);
    fprintf(stderr, "%s failed: [%s] %s (trace id %s)\n", what, stigg_error_code(err),
            stigg_error_message(err), trace ? trace : "-");
    stigg_error_free(err);
    return 1;
}

static void on_event(void *user_data, const char *event_json) {
    int *count = user_data;
    ++*count;
    printf("event: %s\n", event_json);
}

static const char *FIXTURE =
    "{\"entitlementsV2\": [{\"__typename\": \"FeatureEntitlement\", \"usageLimit\": 100,"
    " \"currentUsage\": 42, \"hasUnlimitedUsage\": false, \"hasSoftLimit\": false,"
    " \"resetPeriod\": \"MONTH\", \"usagePeriodAnchor\": \"2024-01-01T00:00:00.000Z\","
    " \"feature\": {\"__typename\": \"EntitlementFeature\", \"refId\": \"feature-api-calls\","
    " \"featureType\": \"NUMBER\", \"meterType\": \"Incremental\", \"featureUnits\": \"call\","
    " \"featureUnitsPlural\": \"calls\"}}], \"accessDeniedReason\": null}";

int main(void) {
    const char *key = getenv("STIGG_API_KEY");
    stigg_config_t config = {0}; /* all zero = Stigg's defaults */
    config.api_key = key;
    config.offline = key == NULL;
    config.fallbacks_json = "{\"entitlementsFallback\": {\"feature-api-calls\": {\"hasAccess\": true, \"usageLimit\": 5}}}";

    stigg_client_t *client = NULL;
    if (failed(stigg_client_new(&config, &client), "stigg_client_new")) return 1;
    if (failed(stigg_client_wait_for_initialization(client), "initialization")) {
        stigg_client_free(client);
        return 1;
    }
    int events = 0;
    uint64_t listener = 0;
    failed(stigg_client_add_listener(client, on_event, &events, NULL, &listener), "add_listener");
    if (config.offline)
        failed(stigg_client_set_entitlements_state_json(client, "customer-demo", NULL, FIXTURE), "fixture");

    /* A metered check: plain struct out, no allocation unless details are requested. */
    stigg_check_options_t options = {0};
    options.has_requested_usage = true;
    options.requested_usage = 10;
    options.include_details = true;
    stigg_metered_result_t r;
    if (!failed(stigg_client_get_metered(client, "customer-demo", "feature-api-calls", &options, &r), "check")) {
        printf("feature %s: has_access=%d usage %.0f/%.0f fallback=%d\n",
               r.details && r.details->feature ? r.details->feature->id : "?", r.has_access,
               r.current_usage, r.usage_limit, r.is_fallback);
        stigg_details_free(r.details);
    }

    /* A write: JSON in, JSON out (owned string). */
    char *ack = NULL;
    if (!failed(stigg_client_call(client, "reportUsage",
                                  "{\"customerId\": \"customer-demo\", \"featureId\": \"feature-api-calls\", \"value\": 1}",
                                  &ack),
                "reportUsage")) {
        printf("reportUsage: %s\n", ack);
        stigg_string_free(ack);
    }
    failed(stigg_client_remove_listener(client, listener), "remove_listener");
    printf("libstigg %s, %d event(s)\n", stigg_version(), events);
    stigg_client_free(client);
    return 0;
}
