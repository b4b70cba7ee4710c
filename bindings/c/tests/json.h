/* A tiny JSON reader for the C tests: parses a document into a tree whose nodes remember their
 * source span (so a sub-document can be handed to libstigg as text). Not a general-purpose parser:
 * enough for the conformance vectors (UTF-8 input, \u escapes including surrogate pairs). */
#ifndef STIGG_TEST_JSON_H
#define STIGG_TEST_JSON_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jnode {
    jtype type;
    bool b;
    double num;
    char *str;              /* J_STR: decoded, NUL-terminated */
    size_t len;             /* J_ARR/J_OBJ: number of items */
    struct jnode *items;    /* J_ARR/J_OBJ: values */
    char **keys;            /* J_OBJ: keys */
    const char *start, *end;/* source span */
} jnode;

/* Parses `text`; returns NULL on a syntax error (with *err set to a static message). */
jnode *json_parse(const char *text, const char **err);
void json_free(jnode *n);
/* Object member or NULL. */
const jnode *json_get(const jnode *obj, const char *key);
/* A copy of the node's source text (malloc'd). */
char *json_text(const jnode *n);
/* Deep equality; numbers by value, key order ignored. */
bool json_equal(const jnode *a, const jnode *b);

#endif
