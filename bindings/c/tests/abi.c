/* ABI contract tests: misuse becomes typed errors (never UB), ownership of errors, strings and
 * listeners. Run under valgrind in CI. Prints "N passed, N failed". */
#include <stdio.h>
#include <string.h>

#include "stigg.h"

static int passed, failed;

#define EXPECT(cond)                                                       \
    do {                                                                   \
        if (cond) passed++;                                                \
        else { failed++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
    } while (0)

/* True when `e` is an error with `code`; frees it. */
static int is_error(stigg_error_t *e, const char *code) {
    if (!e) return 0;
    int ok = !strcmp(stigg_error_code(e), code) && stigg_error_message(e)[0] != 0;
    if (!ok) printf("  got %s: %s\n", stigg_error_code(e), stigg_error_message(e));
    stigg_error_free(e);
    return ok;
}

static int finalized;
static int seen;
static void on_event(void *data, const char *json) { (void)json; ++*(int *)data; }
static void finalize(void *data) { (void)data; finalized++; }

int main(void) {
    stigg_client_t *client = NULL;
    stigg_boolean_result_t b;

    EXPECT(is_error(stigg_client_new(NULL, &client), "InvalidArgument"));
    EXPECT(is_error(stigg_client_new_json("{not json", &client), "InvalidArgument"));
    EXPECT(is_error(stigg_client_new_json("{\"offline\": true, \"bogus\": 1}", &client), "InvalidArgument"));
    EXPECT(is_error(stigg_client_new_json("{\"apiKey\": \"\", \"readEnv\": false}", &client), "InvalidConfiguration"));
    EXPECT(is_error(stigg_client_new_json("{\"offline\": true, \"baseUri\": \"ftp://x\"}", &client), "InvalidConfiguration"));
    EXPECT(client == NULL);
    EXPECT(stigg_error_code(NULL)[0] == 0 && stigg_error_trace_id(NULL) == NULL);
    stigg_error_free(NULL);
    stigg_string_free(NULL);
    stigg_details_free(NULL);
    stigg_entitlement_list_free(NULL);
    stigg_client_free(NULL);

    EXPECT(stigg_client_new_json("{\"offline\": true, \"readEnv\": false}", &client) == NULL && client);

    EXPECT(is_error(stigg_client_get_boolean(NULL, "c", "f", NULL, &b), "InvalidArgument"));
    EXPECT(is_error(stigg_client_get_boolean(client, NULL, "f", NULL, &b), "InvalidArgument"));
    EXPECT(is_error(stigg_client_get_boolean(client, "c", "f", NULL, NULL), "InvalidArgument"));
    EXPECT(is_error(stigg_client_get_boolean(client, "c\xff\xfe", "f", NULL, &b), "InvalidArgument"));
    EXPECT(stigg_client_get_boolean(client, "c", "f", NULL, &b) == NULL);
    EXPECT(!b.has_access && b.is_fallback && b.access_denied_reason == STIGG_REASON_UNKNOWN && b.details == NULL);

    stigg_check_options_t o = {0};
    o.has_requested_values = true;
    o.requested_values_len = 2; /* but no array */
    stigg_enum_result_t en;
    EXPECT(is_error(stigg_client_get_enum(client, "c", "f", &o, &en), "InvalidArgument"));

    EXPECT(is_error(stigg_client_set_entitlements_state_json(client, "c", NULL, "[1,2"), "InvalidArgument"));

    char *out = NULL;
    EXPECT(is_error(stigg_client_call(client, "noSuchOperation", "{}", &out), "InvalidArgument"));
    EXPECT(is_error(stigg_client_call(client, "reportUsage", "{\"customerId\": 1}", &out), "InvalidArgument"));
    EXPECT(is_error(stigg_client_call(client, "reportUsage", "{\"customerId\": \"c\", \"featureId\": \"f\", \"value\": 1", &out), "InvalidArgument"));
    EXPECT(is_error(stigg_client_call(client, "getCustomer", "\"c-1\"", &out), "InvalidArgument")); /* offline */
    EXPECT(out == NULL);
    EXPECT(stigg_client_call(client, "reportEvent", "{\"customerId\": \"c\", \"eventName\": \"e\", \"idempotencyKey\": \"k\"}", &out) == NULL);
    EXPECT(out && !strcmp(out, "null"));
    stigg_string_free(out);

    /* Listeners: the callback sees cacheHit (a fixture state is cached); the finalizer runs once on removal. */
    EXPECT(stigg_client_set_entitlements_state_json(client, "c", NULL, "{\"entitlementsV2\": []}") == NULL);
    uint64_t id = 0;
    EXPECT(stigg_client_add_listener(client, on_event, &seen, finalize, &id) == NULL && id != 0);
    stigg_client_get_boolean(client, "c", "f", NULL, &b);
    EXPECT(seen >= 1);
    EXPECT(stigg_client_remove_listener(client, id) == NULL);
    EXPECT(finalized == 1);
    EXPECT(is_error(stigg_client_add_listener(client, NULL, &seen, finalize, &id), "InvalidArgument"));
    EXPECT(finalized == 2);
    EXPECT(stigg_client_add_listener(client, on_event, &seen, finalize, NULL) == NULL);

    /* Closed: writes fail with ClientClosed; reads give fallbacks. */
    EXPECT(stigg_client_close(client) == NULL);
    EXPECT(is_error(stigg_client_call(client, "reportUsage", "{\"customerId\": \"c\", \"featureId\": \"f\", \"value\": 1}", &out), "ClientClosed"));
    EXPECT(stigg_client_get_boolean(client, "c", "f", NULL, &b) == NULL && b.is_fallback);
    stigg_client_free(client); /* runs the remaining listener's finalizer */
    EXPECT(finalized == 3);
    EXPECT(!strcmp(stigg_version(), "0.1.0"));

    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
