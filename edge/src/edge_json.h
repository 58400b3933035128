/* Request validation helpers (pure): JSON bodies against small schemas, query strings into
 * the SQL API's argument shapes. Every failure names the field and the problem. */
#ifndef EDGE_JSON_H
#define EDGE_JSON_H

#include <stddef.h>
#include <jansson.h>

typedef struct edge_verr {
    int status; /* 400, 415, ... */
    char detail[256];
    char field[64]; /* "" when no single field is at fault */
} edge_verr;

/* 1 when s[0..len) is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int edge_utf8_valid(const unsigned char *s, size_t len);
/* Number of code points in a valid UTF-8 string. */
size_t edge_utf8_len(const char *s);

/* 1 when a Content-Type header names application/json (parameters such as charset allowed). */
int edge_content_type_is_json(const char *ct);

/* Parses a request body: checks UTF-8, parses with JSON_REJECT_DUPLICATES, requires an
 * object. Returns a new reference (caller decrefs) or NULL with e filled (400). */
json_t *edge_json_parse_body(const char *buf, size_t len, edge_verr *e);

typedef enum { EDGE_JT_STRING, EDGE_JT_INTEGER } edge_json_type;

typedef struct edge_json_field {
    const char *name;
    edge_json_type type;
    int required;
    size_t min_len, max_len; /* strings, in code points; max 0 = unbounded */
    int has_min;             /* integers */
    long long min;
} edge_json_field;

/* Validates obj against fields (terminated by a {NULL} entry): unknown keys, missing required
 * keys, wrong types, lengths, minimums. Returns 0 or -1 with e filled. */
int edge_json_validate(json_t *obj, const edge_json_field *fields, edge_verr *e);

extern const edge_json_field edge_schema_login[];
extern const edge_json_field edge_schema_sim_message[];

/* Query strings. Names and values are NUL-terminated copies (values may hold any byte; they
 * are checked for UTF-8 when used). */
#define EDGE_QUERY_MAX 32
typedef struct edge_query {
    size_t n;
    struct {
        char *name;
        char *value;
    } p[EDGE_QUERY_MAX];
} edge_query;

/* Parses a raw query string ("a=1&b=x%20y"; '+' is a space). Returns 0 or -1 with e. */
int edge_query_parse(const char *raw, edge_query *q, edge_verr *e);
/* Adds one already-decoded "name=value" pair (as libwebsockets hands them over). */
int edge_query_add_pair(edge_query *q, const char *pair, size_t len, edge_verr *e);
void edge_query_free(edge_query *q);

/* Typing of one query parameter. Values arrive as text; the filter object carries them as
 * JSON integers (INT), booleans (BOOL: "true"/"false"), arrays of integers (INT_LIST: "1,2,3")
 * or strings (STRING, DATETIME checked for the RFC 3339 shape, ENUM checked against values). */
typedef enum {
    EDGE_QP_INT,
    EDGE_QP_STRING,
    EDGE_QP_DATETIME,
    EDGE_QP_BOOL,
    EDGE_QP_ENUM,
    EDGE_QP_INT_LIST,
} edge_qp_kind;

typedef struct edge_qp_def {
    const char *name; /* NULL ends a list */
    edge_qp_kind kind;
    int has_min, has_max; /* INT */
    long long min, max;
    size_t max_len;     /* STRING/INT_LIST, code points; 0 = unbounded (INT_LIST: 2000) */
    const char *values; /* ENUM: "a|b|c" */
} edge_qp_def;

/* Query -> filter object for an SQL list function: every parameter known (else 400 naming
 * it), given once, valid UTF-8 and of its kind. Returns a new reference or NULL with e. */
json_t *edge_query_filter(const edge_query *q, const edge_qp_def *defs, edge_verr *e);

/* GET /api/messages -> the rt.list_messages filter object. Returns a new reference or NULL
 * with e naming the parameter (unknown, repeated, not an integer, out of range, bad UTF-8). */
json_t *edge_messages_filter(const edge_query *q, edge_verr *e);

/* Strict decimal int64 parse of the whole string. Returns 0 or -1. */
int edge_parse_int64(const char *s, long long *out);

#endif
