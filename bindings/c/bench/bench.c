/* Per-call cost of a cached entitlement check through the C ABI (clock_gettime loop, median of
 * rounds). Offline client with a fixture state, so every call is a cache hit decided by the core.
 * Build: cc -O2 bench.c -Iinclude -Ltarget/release -lstigg */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "stigg.h"

#define ROUNDS 21
#define CALLS 200000

static const char *STATE =
    "{\"entitlementsV2\": ["
    "{\"__typename\": \"FeatureEntitlement\", \"usageLimit\": 1000, \"currentUsage\": 10, \"hasUnlimitedUsage\": false,"
    " \"hasSoftLimit\": false, \"resetPeriod\": \"MONTH\", \"usagePeriodAnchor\": \"2024-01-01T00:00:00.000Z\","
    " \"usagePeriodStart\": \"2024-01-01T00:00:00.000Z\", \"usagePeriodEnd\": \"2024-02-01T00:00:00.000Z\","
    " \"feature\": {\"__typename\": \"EntitlementFeature\", \"refId\": \"feature-api-calls\", \"featureType\": \"NUMBER\","
    " \"meterType\": \"Incremental\"}},"
    "{\"__typename\": \"FeatureEntitlement\", \"feature\": {\"__typename\": \"EntitlementFeature\","
    " \"refId\": \"feature-flag\", \"featureType\": \"BOOLEAN\"}}], \"accessDeniedReason\": null}";

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void die(stigg_error_t *e) {
    if (e) {
        fprintf(stderr, "%s: %s\n", stigg_error_code(e), stigg_error_message(e));
        exit(1);
    }
}

int main(void) {
    stigg_config_t cfg = {0};
    cfg.offline = true;
    cfg.ignore_env = true;
    cfg.use_fixed_clock = true;
    cfg.fixed_now_ms = 1705320000000; /* 2024-01-15T12:00:00Z */
    stigg_client_t *client = NULL;
    die(stigg_client_new(&cfg, &client));
    die(stigg_client_set_entitlements_state_json(client, "customer-1", NULL, STATE));

    stigg_check_options_t opts = {0};
    opts.has_requested_usage = true;
    opts.requested_usage = 1;
    double rounds[ROUNDS];
    volatile int granted = 0;

    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now_ns();
        for (int i = 0; i < CALLS; i++) {
            stigg_metered_result_t m;
            stigg_client_get_metered(client, "customer-1", "feature-api-calls", &opts, &m);
            granted += m.has_access;
        }
        rounds[r] = (now_ns() - t0) / CALLS;
    }
    qsort(rounds, ROUNDS, sizeof *rounds, cmp);
    printf("c: cached getMeteredEntitlement: median %.1f ns/call (min %.1f, max %.1f; %d rounds x %d calls)\n",
           rounds[ROUNDS / 2], rounds[0], rounds[ROUNDS - 1], ROUNDS, CALLS);

    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now_ns();
        for (int i = 0; i < CALLS; i++) {
            stigg_boolean_result_t b;
            stigg_client_get_boolean(client, "customer-1", "feature-flag", NULL, &b);
            granted += b.has_access;
        }
        rounds[r] = (now_ns() - t0) / CALLS;
    }
    qsort(rounds, ROUNDS, sizeof *rounds, cmp);
    printf("c: cached getBooleanEntitlement: median %.1f ns/call (min %.1f, max %.1f)\n", rounds[ROUNDS / 2],
           rounds[0], rounds[ROUNDS - 1]);
    stigg_client_free(client);
    return granted > 0 ? 0 : 1;
}
