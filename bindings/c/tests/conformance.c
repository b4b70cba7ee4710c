/* Runs every shared conformance vector (every tests/conformance JSON file) through libstigg's C ABI.
 *
 * Per case: an offline client configured through stigg_config_t (fixed clock at the vector's `now`,
 * its fallbacks), the vector's state as a fixture, then the typed check; the expected object is
 * compared key by key with the fields of the returned C structs (and their details).
 *
 * Usage: conformance <dir-with-vectors>. Prints per-file counts and "N passed, N failed". */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "stigg.h"

/* ---------- helpers ---------- */

static char failure[4096];
static size_t failure_len;

static void fail(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(const char *path, const char *fmt, ...) {
    va_list ap;
    if (failure_len >= sizeof failure - 256) return;
    failure_len += (size_t)snprintf(failure + failure_len, sizeof failure - failure_len, "    %s: ", path);
    va_start(ap, fmt);
    failure_len += (size_t)vsnprintf(failure + failure_len, sizeof failure - failure_len, fmt, ap);
    va_end(ap);
    failure_len += (size_t)snprintf(failure + failure_len, sizeof failure - failure_len, "\n");
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = 0;
    fclose(f);
    return buf;
}

static bool parse_iso(const char *s, int64_t *ms) {
    struct tm tm = {0};
    int millis = 0;
    if (sscanf(s, "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &millis) < 6)
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *ms = (int64_t)timegm(&tm) * 1000 + millis;
    return true;
}

static void format_iso(int64_t ms, char out[80]) {
    int64_t secs = ms / 1000, rem = ms % 1000;
    if (rem < 0) { rem += 1000; secs -= 1; }
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 80, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)rem);
}

/* A request number: a JSON number or "NaN" / "Infinity" / "-Infinity". */
static bool request_number(const jnode *n, double *out) {
    if (!n || n->type == J_NULL) return false;
    if (n->type == J_NUM) { *out = n->num; return true; }
    if (n->type == J_STR) {
        if (!strcmp(n->str, "NaN")) { *out = NAN; return true; }
        if (!strcmp(n->str, "Infinity")) { *out = INFINITY; return true; }
        if (!strcmp(n->str, "-Infinity")) { *out = -INFINITY; return true; }
    }
    return false;
}

/* ---------- comparisons of one expected key with a struct field ---------- */

static void cmp_bool(const char *path, const jnode *e, bool actual) {
    if (!e || e->type != J_BOOL) { fail(path, "expected a boolean in the vector"); return; }
    if (e->b != actual) fail(path, "expected %s, got %s", e->b ? "true" : "false", actual ? "true" : "false");
}

static void cmp_num(const char *path, const jnode *e, bool has, double actual) {
    if (!e) { fail(path, "missing in the vector"); return; }
    if (e->type == J_NULL) {
        if (has) fail(path, "expected null, got %.17g", actual);
        return;
    }
    if (e->type != J_NUM) { fail(path, "expected a number in the vector"); return; }
    if (!has) fail(path, "expected %.17g, got null", e->num);
    else if (e->num != actual) fail(path, "expected %.17g, got %.17g", e->num, actual);
}

static void cmp_str(const char *path, const jnode *e, const char *actual) {
    if (!e) { fail(path, "missing in the vector"); return; }
    if (e->type == J_NULL) {
        if (actual) fail(path, "expected null, got \"%s\"", actual);
        return;
    }
    if (e->type != J_STR) { fail(path, "expected a string in the vector"); return; }
    if (!actual) fail(path, "expected \"%s\", got null", e->str);
    else if (strcmp(e->str, actual)) fail(path, "expected \"%s\", got \"%s\"", e->str, actual);
}

static void cmp_instant(const char *path, const jnode *e, bool has, int64_t ms) {
    char buf[80];
    if (has) format_iso(ms, buf);
    cmp_str(path, e, has ? buf : NULL);
}

static const char *const REASONS[] = {
    NULL, "BudgetExceeded", "CustomerIsArchived", "CustomerNotFound", "CustomerResourceNotFound",
    "EntitlementNotFound", "FeatureNotFound", "FeatureTypeMismatch", "InsufficientCredits",
    "NoActiveSubscription", "NoFeatureEntitlementInSubscription", "RequestedUsageExceedingLimit",
    "RequestedValuesMismatch", "Revoked", "Unknown"};

/* The reason: the enum must match the wire text (or be OTHER for an unknown one), and the details
 * must carry the same text. */
static void cmp_reason(const char *path, const jnode *e, stigg_access_denied_reason_t r,
                       const stigg_details_t *d) {
    if (!e) { fail(path, "missing in the vector"); return; }
    if (e->type == J_NULL) {
        if (r != STIGG_REASON_NONE) fail(path, "expected null, got enum %d", (int)r);
        if (d && d->access_denied_reason) fail(path, "details: expected null, got %s", d->access_denied_reason);
        return;
    }
    stigg_access_denied_reason_t want = STIGG_REASON_OTHER;
    for (int i = 1; i < (int)(sizeof REASONS / sizeof *REASONS); i++)
        if (!strcmp(REASONS[i], e->str)) want = (stigg_access_denied_reason_t)i;
    if (r != want) fail(path, "expected %s (enum %d), got enum %d", e->str, (int)want, (int)r);
    cmp_str(path, e, d ? d->access_denied_reason : NULL);
}

static void cmp_reset(const char *path, const jnode *e, stigg_reset_period_t r, const stigg_details_t *d) {
    static const char *const P[] = {NULL, "HOUR", "DAY", "WEEK", "MONTH", "YEAR"};
    if (!e) { fail(path, "missing in the vector"); return; }
    if (e->type == J_NULL) {
        if (r != STIGG_RESET_NONE) fail(path, "expected null, got enum %d", (int)r);
        return;
    }
    stigg_reset_period_t want = STIGG_RESET_OTHER;
    for (int i = 1; i < 6; i++)
        if (!strcmp(P[i], e->str)) want = (stigg_reset_period_t)i;
    if (r != want) fail(path, "expected %s, got enum %d", e->str, (int)r);
    cmp_str(path, e, d ? d->reset_period : NULL);
}

static void cmp_feature(const char *path, const jnode *e, const stigg_details_t *d) {
    const stigg_feature_info_t *f = d ? d->feature : NULL;
    if (!e) { fail(path, "missing in the vector"); return; }
    if (e->type == J_NULL) {
        if (f) fail(path, "expected null, got feature %s", f->id);
        return;
    }
    if (!f) { fail(path, "expected a feature, got null"); return; }
    for (size_t i = 0; i < e->len; i++) {
        const char *k = e->keys[i];
        const jnode *v = &e->items[i];
        char p[256];
        snprintf(p, sizeof p, "%s.%s", path, k);
        if (!strcmp(k, "id")) cmp_str(p, v, f->id);
        else if (!strcmp(k, "featureType")) cmp_str(p, v, f->feature_type);
        else if (!strcmp(k, "meterType")) cmp_str(p, v, f->meter_type);
        else if (!strcmp(k, "units")) cmp_str(p, v, f->units);
        else if (!strcmp(k, "unitsPlural")) cmp_str(p, v, f->units_plural);
        else if (!strcmp(k, "isMetered")) cmp_bool(p, v, f->is_metered);
        else if (!strcmp(k, "displayName")) cmp_str(p, v, f->display_name);
        else if (!strcmp(k, "description")) cmp_str(p, v, f->description);
        else fail(p, "unknown key in the vector");
    }
}

static void cmp_currency(const char *path, const jnode *e, const stigg_details_t *d) {
    const stigg_currency_info_t *c = d ? d->currency : NULL;
    if (!e || e->type != J_OBJ) { fail(path, "expected an object in the vector"); return; }
    if (!c) { fail(path, "expected a currency, got null"); return; }
    for (size_t i = 0; i < e->len; i++) {
        const char *k = e->keys[i];
        const jnode *v = &e->items[i];
        char p[256];
        snprintf(p, sizeof p, "%s.%s", path, k);
        if (!strcmp(k, "currencyId")) cmp_str(p, v, c->currency_id);
        else if (!strcmp(k, "displayName")) cmp_str(p, v, c->display_name);
        else if (!strcmp(k, "description")) cmp_str(p, v, c->description);
        else if (!strcmp(k, "unitSingular")) cmp_str(p, v, c->unit_singular);
        else if (!strcmp(k, "unitPlural")) cmp_str(p, v, c->unit_plural);
        else if (!strcmp(k, "metadata")) {
            if (v->type == J_NULL) {
                if (c->metadata_json) fail(p, "expected null, got %s", c->metadata_json);
            } else if (!c->metadata_json) {
                fail(p, "expected metadata, got null");
            } else {
                const char *err = NULL;
                jnode *m = json_parse(c->metadata_json, &err);
                if (!m || !json_equal(v, m)) fail(p, "differs: %s", c->metadata_json);
                json_free(m);
            }
        } else fail(p, "unknown key in the vector");
    }
}

static void cmp_strings(const char *path, const jnode *e, bool has, const char *const *items, size_t len) {
    if (!e) { fail(path, "missing in the vector"); return; }
    if (e->type == J_NULL) {
        if (has) fail(path, "expected null, got %zu values", len);
        return;
    }
    if (!has) { fail(path, "expected values, got null"); return; }
    if (e->len != len) { fail(path, "expected %zu values, got %zu", e->len, len); return; }
    for (size_t i = 0; i < len; i++)
        if (strcmp(e->items[i].str, items[i])) fail(path, "[%zu]: expected \"%s\", got \"%s\"", i, e->items[i].str, items[i]);
}

/* ---------- one comparison per result type ---------- */

#define KEY(name) (!strcmp(k, name))
/* Loops over the keys of an expected object: `k` (key), `v` (value), `p` (path of the key). */
#define EACH_KEY(e, path)                                   \
    for (size_t i_ = 0; i_ < (e)->len; i_++) {              \
        const char *k = (e)->keys[i_];                      \
        const jnode *v = &(e)->items[i_];                   \
        char p[256];                                        \
        snprintf(p, sizeof p, "%s.%s", path, k);
#define END_EACH_KEY }

static void cmp_type(const char *path, const jnode *v, const char *type) { cmp_str(path, v, type); }

static void cmp_boolean_result(const char *path, const jnode *e, const stigg_boolean_result_t *r, const stigg_details_t *d) {
    EACH_KEY(e, path) {
        if (KEY("type")) cmp_type(p, v, "BOOLEAN");
        else if (KEY("hasAccess")) cmp_bool(p, v, r->has_access);
        else if (KEY("isFallback")) cmp_bool(p, v, r->is_fallback);
        else if (KEY("accessDeniedReason")) cmp_reason(p, v, r->access_denied_reason, d);
        else if (KEY("feature")) cmp_feature(p, v, d);
        else fail(p, "unexpected key for BOOLEAN");
    }
    END_EACH_KEY
}

static void cmp_numeric_result(const char *path, const jnode *e, const stigg_numeric_result_t *r, const stigg_details_t *d) {
    EACH_KEY(e, path) {
        if (KEY("type")) cmp_type(p, v, "NUMERIC");
        else if (KEY("hasAccess")) cmp_bool(p, v, r->has_access);
        else if (KEY("isFallback")) cmp_bool(p, v, r->is_fallback);
        else if (KEY("accessDeniedReason")) cmp_reason(p, v, r->access_denied_reason, d);
        else if (KEY("feature")) cmp_feature(p, v, d);
        else if (KEY("value")) cmp_num(p, v, r->has_value, r->value);
        else if (KEY("isUnlimited")) cmp_bool(p, v, r->is_unlimited);
        else fail(p, "unexpected key for NUMERIC");
    }
    END_EACH_KEY
}

static void cmp_metered_result(const char *path, const jnode *e, const stigg_metered_result_t *r, const stigg_details_t *d) {
    EACH_KEY(e, path) {
        if (KEY("type")) cmp_type(p, v, "METERED");
        else if (KEY("hasAccess")) cmp_bool(p, v, r->has_access);
        else if (KEY("isFallback")) cmp_bool(p, v, r->is_fallback);
        else if (KEY("accessDeniedReason")) cmp_reason(p, v, r->access_denied_reason, d);
        else if (KEY("feature")) cmp_feature(p, v, d);
        else if (KEY("usageLimit")) cmp_num(p, v, r->has_usage_limit, r->usage_limit);
        else if (KEY("isUnlimited")) cmp_bool(p, v, r->is_unlimited);
        else if (KEY("hasSoftLimit")) cmp_bool(p, v, r->has_soft_limit);
        else if (KEY("currentUsage")) cmp_num(p, v, true, r->current_usage);
        else if (KEY("requestedUsage")) cmp_num(p, v, true, r->requested_usage);
        else if (KEY("resetPeriod")) cmp_reset(p, v, r->reset_period, d);
        else if (KEY("usagePeriodAnchor")) cmp_instant(p, v, r->has_usage_period_anchor, r->usage_period_anchor_ms);
        else if (KEY("usagePeriodStart")) cmp_instant(p, v, r->has_usage_period_start, r->usage_period_start_ms);
        else if (KEY("usagePeriodEnd") || KEY("nextResetDate")) cmp_instant(p, v, r->has_usage_period_end, r->usage_period_end_ms);
        else fail(p, "unexpected key for METERED");
    }
    END_EACH_KEY
}

static void cmp_enum_result(const char *path, const jnode *e, const stigg_enum_result_t *r, const stigg_details_t *d) {
    EACH_KEY(e, path) {
        if (KEY("type")) cmp_type(p, v, "ENUM");
        else if (KEY("hasAccess")) cmp_bool(p, v, r->has_access);
        else if (KEY("isFallback")) cmp_bool(p, v, r->is_fallback);
        else if (KEY("accessDeniedReason")) cmp_reason(p, v, r->access_denied_reason, d);
        else if (KEY("feature")) cmp_feature(p, v, d);
        else if (KEY("enumValues")) {
            if (v->type == J_ARR && v->len != r->enum_values_len) fail(p, "enum_values_len %zu, expected %zu", r->enum_values_len, v->len);
            cmp_strings(p, v, d != NULL, d ? d->enum_values : NULL, d ? d->enum_values_len : 0);
        } else if (KEY("requestedValues"))
            cmp_strings(p, v, d && d->has_requested_values, d ? d->requested_values : NULL, d ? d->requested_values_len : 0);
        else fail(p, "unexpected key for ENUM");
    }
    END_EACH_KEY
}

static void cmp_credit_result(const char *path, const jnode *e, const stigg_credit_result_t *r, const stigg_details_t *d) {
    EACH_KEY(e, path) {
        if (KEY("type")) cmp_type(p, v, "CREDIT");
        else if (KEY("hasAccess")) cmp_bool(p, v, r->has_access);
        else if (KEY("isFallback")) cmp_bool(p, v, r->is_fallback);
        else if (KEY("accessDeniedReason")) cmp_reason(p, v, r->access_denied_reason, d);
        else if (KEY("currency")) cmp_currency(p, v, d);
        else if (KEY("usageLimit")) cmp_num(p, v, true, r->usage_limit);
        else if (KEY("currentUsage")) cmp_num(p, v, true, r->current_usage);
        else if (KEY("remaining")) cmp_num(p, v, true, r->remaining);
        else if (KEY("usagePeriodEnd")) cmp_instant(p, v, r->has_usage_period_end, r->usage_period_end_ms);
        else if (KEY("hasSoftLimit")) cmp_bool(p, v, r->has_soft_limit);
        else if (KEY("requestedUsage")) cmp_num(p, v, true, r->requested_usage);
        else fail(p, "unexpected key for CREDIT");
    }
    END_EACH_KEY
}

/* Every key the expected object of a type must have (so a missing one is noticed). */
static void require_keys(const char *path, const jnode *e, const char *type) {
    static const char *common[] = {"type", "hasAccess", "isFallback", "accessDeniedReason", NULL};
    static const char *b[] = {"feature", NULL};
    static const char *n[] = {"feature", "value", "isUnlimited", NULL};
    static const char *m[] = {"feature", "usageLimit", "isUnlimited", "hasSoftLimit", "currentUsage", "requestedUsage", "resetPeriod", "usagePeriodAnchor", "usagePeriodStart", "usagePeriodEnd", "nextResetDate", NULL};
    static const char *en[] = {"feature", "enumValues", "requestedValues", NULL};
    static const char *c[] = {"currency", "usageLimit", "currentUsage", "remaining", "usagePeriodEnd", "hasSoftLimit", "requestedUsage", NULL};
    const char **extra = !strcmp(type, "BOOLEAN") ? b : !strcmp(type, "NUMERIC") ? n : !strcmp(type, "METERED") ? m : !strcmp(type, "ENUM") ? en : c;
    for (const char **k = common; *k; k++)
        if (!json_get(e, *k)) fail(path, "vector lacks key %s", *k);
    for (const char **k = extra; *k; k++)
        if (!json_get(e, *k)) fail(path, "vector lacks key %s", *k);
}

static void cmp_entitlement(const char *path, const jnode *e, const stigg_entitlement_t *r) {
    static const char *const TYPES[] = {NULL, "BOOLEAN", "NUMERIC", "METERED", "ENUM", "CREDIT"};
    const jnode *t = json_get(e, "type");
    if (!t || t->type != J_STR) { fail(path, "vector has no type"); return; }
    const char *actual = (r->kind >= 1 && r->kind <= 5) ? TYPES[r->kind] : "?";
    if (strcmp(t->str, actual)) { fail(path, "expected type %s, got %s", t->str, actual); return; }
    require_keys(path, e, t->str);
    const jnode *ha = json_get(e, "hasAccess"), *fb = json_get(e, "isFallback");
    if (ha) cmp_bool(path, ha, r->has_access);
    if (fb) cmp_bool(path, fb, r->is_fallback);
    switch (r->kind) {
    case STIGG_ENTITLEMENT_BOOLEAN: cmp_boolean_result(path, e, &r->boolean, r->details); break;
    case STIGG_ENTITLEMENT_NUMERIC: cmp_numeric_result(path, e, &r->numeric, r->details); break;
    case STIGG_ENTITLEMENT_METERED: cmp_metered_result(path, e, &r->metered, r->details); break;
    case STIGG_ENTITLEMENT_ENUM: cmp_enum_result(path, e, &r->enumeration, r->details); break;
    case STIGG_ENTITLEMENT_CREDIT: cmp_credit_result(path, e, &r->credit, r->details); break;
    }
}

/* ---------- running one case ---------- */

static bool check(stigg_error_t *err, const char *what) {
    if (!err) return true;
    fail(what, "error %s: %s", stigg_error_code(err), stigg_error_message(err));
    stigg_error_free(err);
    return false;
}

static void run_case(const jnode *c) {
    const jnode *now = json_get(c, "now"), *config = json_get(c, "config"), *state = json_get(c, "state");
    const jnode *req = json_get(c, "request"), *exp = json_get(c, "expected");
    const char *method = json_get(req, "method")->str;
    const jnode *fid = json_get(req, "featureId"), *cid = json_get(req, "currencyId");
    const jnode *cust = json_get(req, "customerId");
    const char *customer = cust && cust->type == J_STR ? cust->str : "customer-1";
    const char *feature_id = fid && fid->type == J_STR ? fid->str : NULL;
    const char *currency_id = cid && cid->type == J_STR ? cid->str : NULL;

    stigg_config_t cfg = {0};
    cfg.offline = true;
    cfg.ignore_env = true;
    cfg.use_fixed_clock = true;
    if (!parse_iso(now->str, &cfg.fixed_now_ms)) { fail("$", "bad now"); return; }
    char *fallbacks = config && config->type != J_NULL ? json_text(config) : NULL;
    cfg.fallbacks_json = fallbacks;
    stigg_client_t *client = NULL;
    bool ok = check(stigg_client_new(&cfg, &client), "stigg_client_new");
    free(fallbacks);
    if (!ok) return;
    if (state && state->type != J_NULL) {
        char *text = json_text(state);
        ok = check(stigg_client_set_entitlements_state_json(client, customer, NULL, text), "set_state");
        free(text);
        if (!ok) { stigg_client_free(client); return; }
    }

    /* Options: requested usage/values and a per-call fallback, read from the vector into C structs. */
    const jnode *opts = json_get(req, "options");
    stigg_check_options_t o = {0};
    stigg_fallback_t fb = {0};
    const char **values = NULL, **fb_values = NULL;
    o.include_details = true;
    if (opts && opts->type == J_OBJ) {
        o.has_requested_usage = request_number(json_get(opts, "requestedUsage"), &o.requested_usage);
        const jnode *rv = json_get(opts, "requestedValues");
        if (rv && rv->type == J_ARR) {
            values = calloc(rv->len + 1, sizeof *values);
            for (size_t i = 0; i < rv->len; i++) values[i] = rv->items[i].str;
            o.has_requested_values = true;
            o.requested_values = values;
            o.requested_values_len = rv->len;
        }
        const jnode *f = json_get(opts, "fallback");
        if (f && f->type == J_OBJ) {
            const jnode *x;
            if ((x = json_get(f, "hasAccess")) && x->type == J_BOOL) fb.has_access = x->b;
            if ((x = json_get(f, "value")) && x->type == J_NUM) { fb.has_value = true; fb.value = x->num; }
            if ((x = json_get(f, "isUnlimited")) && x->type == J_BOOL) { fb.has_is_unlimited = true; fb.is_unlimited = x->b; }
            if ((x = json_get(f, "usageLimit")) && x->type == J_NUM) { fb.has_usage_limit = true; fb.usage_limit = x->num; }
            if ((x = json_get(f, "currentUsage")) && x->type == J_NUM) { fb.has_current_usage = true; fb.current_usage = x->num; }
            if ((x = json_get(f, "enumValues")) && x->type == J_ARR) {
                fb_values = calloc(x->len + 1, sizeof *fb_values);
                for (size_t i = 0; i < x->len; i++) fb_values[i] = x->items[i].str;
                fb.has_enum_values = true;
                fb.enum_values = fb_values;
                fb.enum_values_len = x->len;
            }
            o.fallback = &fb;
        }
    }

    if (!strcmp(method, "getBooleanEntitlement")) {
        stigg_boolean_result_t r;
        if (check(stigg_client_get_boolean(client, customer, feature_id, &o, &r), method)) {
            require_keys("$", exp, "BOOLEAN");
            cmp_boolean_result("$", exp, &r, r.details);
            stigg_details_free(r.details);
        }
    } else if (!strcmp(method, "getNumericEntitlement")) {
        stigg_numeric_result_t r;
        if (check(stigg_client_get_numeric(client, customer, feature_id, &o, &r), method)) {
            require_keys("$", exp, "NUMERIC");
            cmp_numeric_result("$", exp, &r, r.details);
            stigg_details_free(r.details);
        }
    } else if (!strcmp(method, "getMeteredEntitlement")) {
        stigg_metered_result_t r;
        if (check(stigg_client_get_metered(client, customer, feature_id, &o, &r), method)) {
            require_keys("$", exp, "METERED");
            cmp_metered_result("$", exp, &r, r.details);
            stigg_details_free(r.details);
        }
    } else if (!strcmp(method, "getEnumEntitlement")) {
        stigg_enum_result_t r;
        if (check(stigg_client_get_enum(client, customer, feature_id, &o, &r), method)) {
            require_keys("$", exp, "ENUM");
            cmp_enum_result("$", exp, &r, r.details);
            stigg_details_free(r.details);
        }
    } else if (!strcmp(method, "getCreditEntitlement")) {
        stigg_credit_result_t r;
        if (check(stigg_client_get_credit(client, customer, currency_id, &o, &r), method)) {
            require_keys("$", exp, "CREDIT");
            cmp_credit_result("$", exp, &r, r.details);
            stigg_details_free(r.details);
        }
    } else if (!strcmp(method, "getEntitlement")) {
        stigg_entitlement_t r;
        if (check(stigg_client_get_entitlement(client, customer, feature_id, &o, &r), method)) {
            cmp_entitlement("$", exp, &r);
            stigg_details_free(r.details);
        }
    } else if (!strcmp(method, "getEntitlementV2")) {
        stigg_entitlement_t r;
        if (check(stigg_client_get_entitlement_v2(client, customer, feature_id, currency_id, &o, &r), method)) {
            cmp_entitlement("$", exp, &r);
            stigg_details_free(r.details);
        }
    } else if (!strcmp(method, "getEntitlementsStateV2")) {
        stigg_entitlement_list_t *list = NULL;
        if (check(stigg_client_get_entitlements_state_v2(client, customer, NULL, &list), method)) {
            const jnode *items = json_get(exp, "entitlements");
            const jnode *reason = json_get(exp, "accessDeniedReason");
            if (!items || items->len != list->len) {
                fail("$.entitlements", "expected %zu items, got %zu", items ? items->len : 0, list->len);
            } else {
                for (size_t i = 0; i < list->len; i++) {
                    char p[64];
                    snprintf(p, sizeof p, "$.entitlements[%zu]", i);
                    cmp_entitlement(p, &items->items[i], &list->items[i]);
                }
            }
            cmp_str("$.accessDeniedReason", reason, list->access_denied_reason_text);
            if (exp->len != 2) fail("$", "unexpected keys in the vector");
            stigg_entitlement_list_free(list);
        }
    } else {
        fail("$", "unknown method %s", method);
    }
    free(values);
    free(fb_values);
    stigg_client_free(client);
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "tests/conformance";
    DIR *d = opendir(dir);
    if (!d) { fprintf(stderr, "cannot open %s\n", dir); return 2; }
    char *names[64];
    size_t n_names = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) && n_names < 64) {
        size_t l = strlen(ent->d_name);
        if (l > 5 && !strcmp(ent->d_name + l - 5, ".json") && !strstr(ent->d_name, ".schema."))
            names[n_names++] = strdup(ent->d_name);
    }
    closedir(d);
    qsort(names, n_names, sizeof *names, cmp_names);

    int passed = 0, failed = 0;
    for (size_t f = 0; f < n_names; f++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[f]);
        char *text = read_file(path);
        const char *err = NULL;
        jnode *doc = text ? json_parse(text, &err) : NULL;
        if (!doc) {
            printf("%s: cannot parse: %s\n", names[f], err ? err : "unreadable");
            failed++;
            free(text);
            free(names[f]);
            continue;
        }
        const jnode *cases = json_get(doc, "cases");
        int file_failed = 0;
        for (size_t i = 0; cases && i < cases->len; i++) {
            const jnode *c = &cases->items[i];
            failure_len = 0;
            failure[0] = 0;
            run_case(c);
            if (failure_len) {
                failed++;
                file_failed++;
                printf("FAIL %s\n%s", json_get(c, "id")->str, failure);
            } else {
                passed++;
            }
        }
        printf("%s: %zu cases, %d failed\n", names[f], cases ? cases->len : 0, file_failed);
        json_free(doc);
        free(text);
        free(names[f]);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
