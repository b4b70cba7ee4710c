/* See json.h. */
#include "json.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *p;
    const char *err;
} parser;

static void skip_ws(parser *ps) {
    while (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t') ps->p++;
}

static bool parse_value(parser *ps, jnode *out);
static void free_children(jnode *n);

static void put_utf8(char **o, unsigned cp) {
    char *w = *o;
    if (cp < 0x80) {
        *w++ = (char)cp;
    } else if (cp < 0x800) {
        *w++ = (char)(0xC0 | (cp >> 6));
        *w++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *w++ = (char)(0xE0 | (cp >> 12));
        *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *w++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *w++ = (char)(0xF0 | (cp >> 18));
        *w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *w++ = (char)(0x80 | (cp & 0x3F));
    }
    *o = w;
}

static bool hex4(const char *p, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return false;
    }
    *out = v;
    return true;
}

static char *parse_string(parser *ps) {
    /* ps->p is at the opening quote. The decoded text is never longer than the source. */
    const char *s = ps->p + 1;
    const char *e = s;
    while (*e && *e != '"') {
        if (*e == '\\' && e[1]) e++;
        e++;
    }
    if (*e != '"') {
        ps->err = "unterminated string";
        return NULL;
    }
    char *buf = malloc((size_t)(e - s) + 1);
    char *w = buf;
    const char *r = s;
    while (r < e) {
        if (*r != '\\') {
            *w++ = *r++;
            continue;
        }
        r++;
        switch (*r) {
        case '"': *w++ = '"'; r++; break;
        case '\\': *w++ = '\\'; r++; break;
        case '/': *w++ = '/'; r++; break;
        case 'b': *w++ = '\b'; r++; break;
        case 'f': *w++ = '\f'; r++; break;
        case 'n': *w++ = '\n'; r++; break;
        case 'r': *w++ = '\r'; r++; break;
        case 't': *w++ = '\t'; r++; break;
        case 'u': {
            unsigned cp;
            if (!hex4(r + 1, &cp)) goto bad;
            r += 5;
            if (cp >= 0xD800 && cp <= 0xDBFF && r[0] == '\\' && r[1] == 'u') {
                unsigned lo;
                if (!hex4(r + 2, &lo)) goto bad;
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    r += 6;
                }
            }
            put_utf8(&w, cp);
            break;
        }
        default: goto bad;
        }
    }
    *w = 0;
    ps->p = e + 1;
    return buf;
bad:
    free(buf);
    ps->err = "bad escape";
    return NULL;
}

static bool push(jnode **items, size_t *len, size_t *cap, jnode v) {
    if (*len == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        *items = realloc(*items, *cap * sizeof(jnode));
    }
    (*items)[(*len)++] = v;
    return true;
}

static bool parse_value(parser *ps, jnode *out) {
    memset(out, 0, sizeof *out);
    skip_ws(ps);
    out->start = ps->p;
    char c = *ps->p;
    if (c == '{' || c == '[') {
        bool obj = c == '{';
        out->type = obj ? J_OBJ : J_ARR;
        ps->p++;
        size_t cap = 0, kcap = 0, klen = 0;
        skip_ws(ps);
        if (*ps->p == (obj ? '}' : ']')) {
            ps->p++;
            out->end = ps->p;
            return true;
        }
        for (;;) {
            skip_ws(ps);
            if (obj) {
                if (*ps->p != '"') { ps->err = "expected key"; return false; }
                char *k = parse_string(ps);
                if (!k) return false;
                if (klen == kcap) {
                    kcap = kcap ? kcap * 2 : 4;
                    out->keys = realloc(out->keys, kcap * sizeof(char *));
                }
                out->keys[klen++] = k;
                skip_ws(ps);
                if (*ps->p != ':') { ps->err = "expected ':'"; return false; }
                ps->p++;
            }
            jnode v;
            if (!parse_value(ps, &v)) { free_children(&v); return false; }
            push(&out->items, &out->len, &cap, v);
            skip_ws(ps);
            if (*ps->p == ',') { ps->p++; continue; }
            if (*ps->p == (obj ? '}' : ']')) { ps->p++; break; }
            ps->err = "expected ',' or a closing bracket";
            return false;
        }
    } else if (c == '"') {
        out->type = J_STR;
        out->str = parse_string(ps);
        if (!out->str) return false;
    } else if (!strncmp(ps->p, "null", 4)) {
        out->type = J_NULL;
        ps->p += 4;
    } else if (!strncmp(ps->p, "true", 4)) {
        out->type = J_BOOL;
        out->b = true;
        ps->p += 4;
    } else if (!strncmp(ps->p, "false", 5)) {
        out->type = J_BOOL;
        ps->p += 5;
    } else {
        char *end;
        out->type = J_NUM;
        out->num = strtod(ps->p, &end);
        if (end == ps->p) { ps->err = "unexpected character"; return false; }
        ps->p = end;
    }
    out->end = ps->p;
    return true;
}

static void free_children(jnode *n) {
    if (!n) return;
    free(n->str);
    for (size_t i = 0; i < n->len; i++) {
        free_children(&n->items[i]);
        if (n->keys) free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
}

jnode *json_parse(const char *text, const char **err) {
    parser ps = {text, NULL};
    jnode *n = calloc(1, sizeof *n);
    if (!parse_value(&ps, n)) {
        *err = ps.err ? ps.err : "syntax error";
        json_free(n);
        return NULL;
    }
    return n;
}

void json_free(jnode *n) {
    if (!n) return;
    /* Only the root is heap-allocated on its own; children live in their parent's array. */
    free_children(n);
    free(n);
}

const jnode *json_get(const jnode *obj, const char *key) {
    if (!obj || obj->type != J_OBJ) return NULL;
    for (size_t i = 0; i < obj->len; i++)
        if (!strcmp(obj->keys[i], key)) return &obj->items[i];
    return NULL;
}

char *json_text(const jnode *n) {
    size_t len = (size_t)(n->end - n->start);
    char *s = malloc(len + 1);
    memcpy(s, n->start, len);
    s[len] = 0;
    return s;
}

bool json_equal(const jnode *a, const jnode *b) {
    if (a->type != b->type) return false;
    switch (a->type) {
    case J_NULL: return true;
    case J_BOOL: return a->b == b->b;
    case J_NUM: return a->num == b->num;
    case J_STR: return !strcmp(a->str, b->str);
    case J_ARR:
        if (a->len != b->len) return false;
        for (size_t i = 0; i < a->len; i++)
            if (!json_equal(&a->items[i], &b->items[i])) return false;
        return true;
    case J_OBJ:
        if (a->len != b->len) return false;
        for (size_t i = 0; i < a->len; i++) {
            const jnode *o = json_get(b, a->keys[i]);
            if (!o || !json_equal(&a->items[i], o)) return false;
        }
        return true;
    }
    return false;
}
