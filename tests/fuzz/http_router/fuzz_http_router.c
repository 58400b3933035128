/* libFuzzer harness: the request side of rt-edge that sees raw client bytes before any SQL —
 * method + path routing (edge_router_match, edge_routes_match), static-file path resolution,
 * query-string parsing (raw and as libwebsockets' decoded pairs), query typing into filter
 * objects, and the argument building of the matched /api row (path {id}/{key}, Content-Type,
 * body). Oracles: routing and static-path invariants, and the parsed query equals an
 * independent percent-decoding of the raw string.
 *
 * Input: "METHOD\nPATH[?QUERY]\nCONTENT-TYPE\nBODY..." (missing lines are empty). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_json.h"
#include "edge_router.h"
#include "edge_routes.h"
#include "fuzz_check.h"


/* next '\n'-terminated field of [*p, end): NUL-terminates it in place */
static char *field(char **p, char *end)
{
    char *s = *p;
    if (s >= end) return end; /* end points at the buffer's NUL */
    char *nl = memchr(s, '\n', (size_t)(end - s));
    if (!nl) {
        *p = end;
        return s;
    }
    *nl = '\0';
    *p = nl + 1;
    return s;
}

static void check_verr(const edge_verr *e)
{
    CHECK(e->status == 400 || e->status == 415 || e->status == 413);
    CHECK(memchr(e->detail, '\0', sizeof(e->detail)) != NULL);
    CHECK(memchr(e->field, '\0', sizeof(e->field)) != NULL);
    CHECK(e->detail[0] != '\0');
}

static void check_query(const edge_query *q)
{
    CHECK(q->n <= EDGE_QUERY_MAX);
    for (size_t i = 0; i < q->n; i++) CHECK(q->p[i].name && q->p[i].value);
}

/* percent-decoding read off RFC 3986 (+ as space, as forms send it): -1 on a bad escape; the
 * result is used as a C string, as the parser's is */
static int ref_decode(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (n - i < 3 || !isxdigit((unsigned char)s[i + 1]) ||
                !isxdigit((unsigned char)s[i + 2]))
                return -1;
            char hex[3] = {s[i + 1], s[i + 2], 0};
            out[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            out[o++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    out[o] = '\0';
    return 0;
}

/* the raw query string read independently: the pairs edge_query_parse must return, or -1 */
static void check_against_reference(const char *raw, int rc, const edge_query *q)
{
    size_t n = 0, len = raw ? strlen(raw) : 0;
    int ok = 1;
    char *name = malloc(len + 1), *value = malloc(len + 1);
    if (!name || !value) abort();
    for (const char *p = raw; p && ok;) {
        const char *amp = strchr(p, '&');
        size_t l = amp ? (size_t)(amp - p) : strlen(p);
        if (l > 0) {
            const char *eq = memchr(p, '=', l);
            size_t nl = eq ? (size_t)(eq - p) : l;
            if (ref_decode(p, nl, name) < 0 || (eq && ref_decode(eq + 1, l - nl - 1, value) < 0)) {
                ok = 0;
                break;
            }
            if (!eq) value[0] = '\0';
            if (n >= EDGE_QUERY_MAX) {
                ok = 0;
                break;
            }
            if (rc == 0) {
                CHECK(strcmp(q->p[n].name, name) == 0);
                CHECK(strcmp(q->p[n].value, value) == 0);
            }
            n++;
        }
        if (!amp) break;
        p = amp + 1;
    }
    CHECK(ok == (rc == 0));
    if (rc == 0) CHECK(q->n == n);
    free(name);
    free(value);
}

static void typed_views(const edge_query *q)
{
    edge_verr e;
    memset(&e, 0, sizeof(e));
    json_t *f = edge_messages_filter(q, &e);
    if (f) {
        CHECK(json_is_object(f));
        char *s = json_dumps(f, JSON_COMPACT);
        CHECK(s != NULL);
        free(s);
        json_decref(f);
    } else {
        check_verr(&e);
    }
    /* GET /api/chats's filter (type, autoreply, unread, …) is a route row's typed query now,
     * fuzzed with every matched row's edge_route_build_args below */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *p = buf, *end = buf + size;
    char *method = field(&p, end);
    char *target = field(&p, end);
    char *ctype = field(&p, end);
    const char *body = p < end ? p : NULL;
    size_t body_len = p < end ? (size_t)(end - p) : 0;

    char *query = strchr(target, '?');
    if (query) *query++ = '\0';
    const char *path = target;

    /* routing */
    edge_route_match m;
    memset(&m, 0, sizeof(m));
    edge_router_match(method, path, &m);
    CHECK(m.status == 0 || m.status == 404 || m.status == 405);
    if (m.status == 405) CHECK(m.allow && m.allow[0]);
    if (m.status == 0) CHECK(m.id != EDGE_ROUTE_NONE && m.name);
    if (m.id == EDGE_ROUTE_API) CHECK(m.api != NULL);
    CHECK(memchr(m.param, '\0', sizeof(m.param)) != NULL);

    /* static files: whatever resolves stays under the root */
    char file[512];
    int rc = edge_static_resolve("/srv/rt/static", path, file, sizeof(file));
    CHECK(rc >= -1 && rc <= 1);
    if (rc == 0) { /* 1 (a directory-like SPA route) writes nothing */
        CHECK(strncmp(file, "/srv/rt/static/", 15) == 0);
        CHECK(strstr(file, "/../") == NULL && strstr(file, "/./") == NULL);
    }
    (void)edge_static_is_spa_route(path);
    CHECK(edge_mime_type(path) != NULL);

    /* the query as a raw string */
    edge_query q;
    edge_verr e;
    memset(&e, 0, sizeof(e));
    int qrc = edge_query_parse(query, &q, &e);
    check_against_reference(query, qrc, &q);
    if (qrc == 0) {
        check_query(&q);
        typed_views(&q);
        if (m.id == EDGE_ROUTE_API) {
            edge_route_args args;
            memset(&args, 0, sizeof(args));
            memset(&e, 0, sizeof(e));
            if (edge_route_build_args(m.api, m.param, &q, ctype, body, body_len, &args, &e) == 0) {
                CHECK(args.n >= 0 && args.n <= EDGE_ROUTE_MAX_ARGS);
                for (int i = 0; i < args.n; i++) CHECK(args.v[i] != NULL);
                edge_route_args_free(&args);
            } else {
                check_verr(&e);
                CHECK(args.n == 0);
            }
        }
        edge_query_free(&q);
    } else {
        check_verr(&e);
        CHECK(q.n == 0);
    }

    /* the query as libwebsockets hands it over: decoded "name=value" pairs */
    if (query) {
        edge_query q2;
        memset(&q2, 0, sizeof(q2));
        const char *s = query;
        int failed = 0;
        while (!failed) {
            const char *amp = strchr(s, '&');
            size_t len = amp ? (size_t)(amp - s) : strlen(s);
            memset(&e, 0, sizeof(e));
            if (edge_query_add_pair(&q2, s, len, &e) < 0) {
                check_verr(&e);
                failed = 1;
            }
            if (!amp) break;
            s = amp + 1;
        }
        check_query(&q2);
        if (!failed) typed_views(&q2);
        edge_query_free(&q2);
    }

    long long v;
    (void)edge_parse_int64(method, &v);
    free(buf);
    return 0;
}
