/* Request validation: UTF-8, JSON bodies against tiny schemas, query strings -> SQL args. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "edge_json.h"

static void verr(edge_verr *e, int status, const char *field, const char *fmt, ...)
{
    va_list ap;
    e->status = status;
    snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
    va_end(ap);
}

int edge_utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t need;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            cp = c & 0x07;
        } else
            return 0;
        if (len - i - 1 < need) return 0;
        for (size_t k = 1; k <= need; k++) {
            unsigned cc = s[i + k];
            if ((cc & 0xc0) != 0x80) return 0;
            cp = (cp << 6) | (cc & 0x3f);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000)) return 0;
        if (cp >= 0xd800 && cp <= 0xdfff) return 0;
        if (cp > 0x10ffff) return 0;
        i += need + 1;
    }
    return 1;
}

size_t edge_utf8_len(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xc0) != 0x80) n++;
    return n;
}

int edge_content_type_is_json(const char *ct)
{
    static const char want[] = "application/json";
    if (!ct) return 0;
    while (*ct == ' ' || *ct == '\t') ct++;
    if (strncasecmp(ct, want, sizeof(want) - 1) != 0) return 0;
    ct += sizeof(want) - 1;
    while (*ct == ' ' || *ct == '\t') ct++;
    return *ct == '\0' || *ct == ';';
}

json_t *edge_json_parse_body(const char *buf, size_t len, edge_verr *e)
{
    json_error_t je;
    json_t *j;
    if (len == 0) {
        verr(e, 400, NULL, "request body is empty");
        return NULL;
    }
    if (!edge_utf8_valid((const unsigned char *)buf, len)) {
        verr(e, 400, NULL, "body is not valid UTF-8");
        return NULL;
    }
    j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        verr(e, 400, NULL, "malformed JSON: %s at line %d, column %d (byte %d)", je.text, je.line,
             je.column, je.position);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        verr(e, 400, NULL, "request body must be a JSON object");
        return NULL;
    }
    return j;
}

int edge_json_validate(json_t *obj, const edge_json_field *fields, edge_verr *e)
{
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        const edge_json_field *f = fields;
        while (f->name && strcmp(f->name, key) != 0) f++;
        if (!f->name) {
            verr(e, 400, key, "unknown field \"%.64s\"", key);
            return -1;
        }
        if (f->type == EDGE_JT_STRING) {
            if (!json_is_string(val)) {
                verr(e, 400, f->name, "%s must be a string", f->name);
                return -1;
            }
            const char *s = json_string_value(val);
            if (strlen(s) != json_string_length(val)) {
                verr(e, 400, f->name, "%s must not contain NUL characters", f->name);
                return -1;
            }
            size_t n = edge_utf8_len(s);
            if (n < f->min_len) {
                verr(e, 400, f->name, "%s must not be empty", f->name);
                return -1;
            }
            if (f->max_len && n > f->max_len) {
                verr(e, 400, f->name, "%s must be at most %zu characters", f->name, f->max_len);
                return -1;
            }
        } else {
            if (!json_is_integer(val)) {
                verr(e, 400, f->name, "%s must be an integer", f->name);
                return -1;
            }
            if (f->has_min && json_integer_value(val) < f->min) {
                verr(e, 400, f->name, "%s must be at least %lld", f->name, f->min);
                return -1;
            }
        }
    }
    for (const edge_json_field *f = fields; f->name; f++) {
        if (f->required && !json_object_get(obj, f->name)) {
            verr(e, 400, f->name, "%s is required", f->name);
            return -1;
        }
    }
    return 0;
}

const edge_json_field edge_schema_login[] = {
    {"login", EDGE_JT_STRING, 1, 1, 100, 0, 0},
    {"password", EDGE_JT_STRING, 1, 1, 200, 0, 0},
    {NULL, 0, 0, 0, 0, 0, 0},
};

const edge_json_field edge_schema_sim_message[] = {
    {"chat_id", EDGE_JT_INTEGER, 1, 0, 0, 0, 0},
    {"chat_title", EDGE_JT_STRING, 0, 0, 128, 0, 0},
    {"user_id", EDGE_JT_INTEGER, 0, 0, 0, 1, 1},
    {"first_name", EDGE_JT_STRING, 0, 0, 64, 0, 0},
    {"username", EDGE_JT_STRING, 0, 0, 32, 0, 0},
    {"text", EDGE_JT_STRING, 1, 1, 4096, 0, 0},
    {NULL, 0, 0, 0, 0, 0, 0},
};

/* ---- query strings ---- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes src[0..len) into a new string (caller frees); NULL on a bad escape. */
static char *pct_decode(const char *src, size_t len, int plus_is_space)
{
    char *out = malloc(len + 1), *o = out;
    if (!out) return NULL;
    for (size_t i = 0; i < len; i++) {
        if (src[i] == '%') {
            int hi, lo;
            if (i + 2 >= len) {
                free(out);
                return NULL;
            }
            hi = hexval((unsigned char)src[i + 1]);
            lo = hexval((unsigned char)src[i + 2]);
            if (hi < 0 || lo < 0) {
                free(out);
                return NULL;
            }
            *o++ = (char)(hi * 16 + lo);
            i += 2;
        } else if (src[i] == '+' && plus_is_space) {
            *o++ = ' ';
        } else {
            *o++ = src[i];
        }
    }
    *o = '\0';
    return out;
}

static int query_push(edge_query *q, char *name, char *value, edge_verr *e)
{
    if (q->n >= EDGE_QUERY_MAX) {
        free(name);
        free(value);
        verr(e, 400, NULL, "too many query parameters");
        return -1;
    }
    q->p[q->n].name = name;
    q->p[q->n].value = value;
    q->n++;
    return 0;
}

int edge_query_parse(const char *raw, edge_query *q, edge_verr *e)
{
    memset(q, 0, sizeof(*q));
    if (!raw) return 0;
    const char *p = raw;
    while (*p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > 0) {
            const char *eq = memchr(p, '=', len);
            size_t nlen = eq ? (size_t)(eq - p) : len;
            char *name = pct_decode(p, nlen, 1);
            char *value = eq ? pct_decode(eq + 1, len - nlen - 1, 1) : strdup("");
            if (!name || !value) {
                free(name);
                free(value);
                verr(e, 400, NULL, "malformed percent-encoding in query string");
                edge_query_free(q);
                return -1;
            }
            if (query_push(q, name, value, e) < 0) {
                edge_query_free(q);
                return -1;
            }
        }
        if (!amp) break;
        p = amp + 1;
    }
    return 0;
}

int edge_query_add_pair(edge_query *q, const char *pair, size_t len, edge_verr *e)
{
    const char *eq = memchr(pair, '=', len);
    size_t nlen = eq ? (size_t)(eq - pair) : len;
    char *name = strndup(pair, nlen);
    char *value = eq ? strndup(eq + 1, len - nlen - 1) : strdup("");
    if (!name || !value) {
        free(name);
        free(value);
        verr(e, 500, NULL, "out of memory");
        return -1;
    }
    return query_push(q, name, value, e);
}

void edge_query_free(edge_query *q)
{
    for (size_t i = 0; i < q->n; i++) {
        free(q->p[i].name);
        free(q->p[i].value);
    }
    q->n = 0;
}

int edge_parse_int64(const char *s, long long *out)
{
    char *end;
    if (!s || !*s || isspace((unsigned char)*s) || *s == '+') return -1;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

/* RFC 3339 date-time shape: YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM); PostgreSQL checks ranges. */
static int looks_like_datetime(const char *s)
{
    static const char pat[] = "dddd-dd-ddTdd:dd:dd";
    size_t i;
    for (i = 0; pat[i]; i++) {
        if (pat[i] == 'd'
                ? !isdigit((unsigned char)s[i])
                : (pat[i] == 'T' ? (s[i] != 'T' && s[i] != 't' && s[i] != ' ') : s[i] != pat[i]))
            return 0;
    }
    s += i;
    if (*s == '.') {
        s++;
        const char *start = s;
        if (!isdigit((unsigned char)*s)) return 0;
        while (isdigit((unsigned char)*s)) s++;
        if (s - start > 18) return 0; /* keeps every item inside int64 */
    }
    if (*s == 'Z' || *s == 'z') return s[1] == '\0';
    if (*s == '+' || *s == '-')
        return isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) && s[3] == ':' &&
               isdigit((unsigned char)s[4]) && isdigit((unsigned char)s[5]) && s[6] == '\0';
    return 0;
}

static const edge_qp_def messages_params[] = {
    {.name = "chat_id", .kind = EDGE_QP_INT},
    {.name = "user_id", .kind = EDGE_QP_INT},
    {.name = "from", .kind = EDGE_QP_DATETIME, .max_len = 64},
    {.name = "to", .kind = EDGE_QP_DATETIME, .max_len = 64},
    {.name = "q", .kind = EDGE_QP_STRING, .max_len = 200},
    {.name = "after_id", .kind = EDGE_QP_INT, .has_min = 1, .min = 0},
    {.name = "cursor", .kind = EDGE_QP_STRING, .max_len = 200},
    {.name = "limit", .kind = EDGE_QP_INT, .has_min = 1, .has_max = 1, .min = 1, .max = 500},
    {.name = NULL},
};

/* 1 when val is one of the '|'-separated words of values. */
static int enum_has(const char *values, const char *val)
{
    size_t n = strlen(val);
    const char *p = values;
    while (p && *p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, val, n) == 0) return 1;
        p = bar ? bar + 1 : NULL;
    }
    return 0;
}

/* "1,2,3": comma-separated decimal integers, no empty items. */
static int is_int_list(const char *s)
{
    if (!*s) return 0;
    for (;;) {
        const char *start = s;
        if (!isdigit((unsigned char)*s)) return 0;
        while (isdigit((unsigned char)*s)) s++;
        if (s - start > 18) return 0; /* keeps every item inside int64 */
        if (*s == '\0') return 1;
        if (*s != ',') return 0;
        s++;
    }
}

/* Checks every parameter against defs: known, not repeated, valid UTF-8, right shape.
 * Calls visit(def, value, int_value, arg) for each; returns 0 or -1 with e. */
static int check_params(const edge_query *q, const edge_qp_def *defs,
                        int (*visit)(const edge_qp_def *, const char *, long long, void *),
                        void *arg, edge_verr *e)
{
    for (size_t i = 0; i < q->n; i++) {
        const char *name = q->p[i].name, *val = q->p[i].value;
        const edge_qp_def *d = defs;
        if (!edge_utf8_valid((const unsigned char *)name, strlen(name))) {
            verr(e, 400, NULL, "query parameter name is not valid UTF-8");
            return -1;
        }
        while (d->name && strcmp(d->name, name) != 0) d++;
        if (!d->name) {
            verr(e, 400, name, "unknown query parameter \"%.64s\"", name);
            return -1;
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(q->p[k].name, name) == 0) {
                verr(e, 400, name, "%s is given more than once", name);
                return -1;
            }
        }
        if (!edge_utf8_valid((const unsigned char *)val, strlen(val))) {
            verr(e, 400, name, "%s is not valid UTF-8", name);
            return -1;
        }
        long long iv = 0;
        switch (d->kind) {
        case EDGE_QP_INT:
            if (edge_parse_int64(val, &iv) < 0) {
                verr(e, 400, name, "%s must be an integer", name);
                return -1;
            }
            if (d->has_min && iv < d->min) {
                verr(e, 400, name, "%s must be at least %lld", name, d->min);
                return -1;
            }
            if (d->has_max && iv > d->max) {
                verr(e, 400, name, "%s must be at most %lld", name, d->max);
                return -1;
            }
            break;
        case EDGE_QP_DATETIME:
            if (!looks_like_datetime(val)) {
                verr(e, 400, name, "%s must be an RFC 3339 date-time", name);
                return -1;
            }
            break;
        case EDGE_QP_BOOL:
            if (strcmp(val, "true") != 0 && strcmp(val, "false") != 0) {
                verr(e, 400, name, "%s must be true or false", name);
                return -1;
            }
            iv = val[0] == 't';
            break;
        case EDGE_QP_ENUM:
            if (!enum_has(d->values, val)) {
                verr(e, 400, name, "%s must be one of %s", name, d->values);
                return -1;
            }
            break;
        case EDGE_QP_INT_LIST:
            if (strlen(val) > (d->max_len ? d->max_len : 2000) || !is_int_list(val)) {
                verr(e, 400, name, "%s must be comma-separated integers", name);
                return -1;
            }
            break;
        case EDGE_QP_STRING:
            if (d->max_len && edge_utf8_len(val) > d->max_len) {
                verr(e, 400, name, "%s must be at most %zu characters", name, d->max_len);
                return -1;
            }
            break;
        }
        if (visit && visit(d, val, iv, arg) < 0) {
            verr(e, 500, NULL, "out of memory");
            return -1;
        }
    }
    return 0;
}

static json_t *int_list(const char *val)
{
    json_t *a = json_array();
    const char *p = val;
    while (a && *p) {
        long long v = strtoll(p, (char **)&p, 10);
        if (json_array_append_new(a, json_integer(v)) < 0) {
            json_decref(a);
            return NULL;
        }
        if (*p == ',') p++;
    }
    return a;
}

static int filter_visit(const edge_qp_def *d, const char *val, long long iv, void *arg)
{
    json_t *f = arg, *v;
    switch (d->kind) {
    case EDGE_QP_INT:
        v = json_integer(iv);
        break;
    case EDGE_QP_BOOL:
        v = json_boolean(iv);
        break;
    case EDGE_QP_INT_LIST:
        v = int_list(val);
        break;
    default:
        v = json_string(val);
        break;
    }
    return json_object_set_new(f, d->name, v);
}

json_t *edge_query_filter(const edge_query *q, const edge_qp_def *defs, edge_verr *e)
{
    json_t *f = json_object();
    if (!f) {
        verr(e, 500, NULL, "out of memory");
        return NULL;
    }
    if (check_params(q, defs, filter_visit, f, e) < 0) {
        json_decref(f);
        return NULL;
    }
    return f;
}

json_t *edge_messages_filter(const edge_query *q, edge_verr *e)
{
    return edge_query_filter(q, messages_params, e);
}
