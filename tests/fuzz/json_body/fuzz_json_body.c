/* libFuzzer harness: JSON request bodies as rt-edge checks them before any SQL — Content-Type,
 * UTF-8 (checked against an independent decoder), parsing with duplicate keys refused, the
 * object-only rule, and validation against every body schema the routes declare — plus the
 * Telegram body parsers of the same bytes (getUpdates classification, the tolerant update_id
 * scanner that reads bodies jansson refuses, other Bot API answers).
 *
 * Input: "CONTENT-TYPE\nBODY..." (no newline: all body, Content-Type application/json). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_json.h"
#include "edge_routes.h"
#include "edge_tgparse.h"
#include "fuzz_check.h"



static void check_verr(const edge_verr *e)
{
    CHECK(e->status == 400 || e->status == 415);
    CHECK(memchr(e->detail, '\0', sizeof(e->detail)) != NULL && e->detail[0]);
    CHECK(memchr(e->field, '\0', sizeof(e->field)) != NULL);
}

static void telegram(const char *body, size_t len)
{
    static const long statuses[] = {200, 429, 0, 502};
    edge_tg_response r;
    memset(&r, 0, sizeof(r));
    edge_tg_classify(body, len, statuses[len % 4], &r);
    CHECK(r.kind >= EDGE_TG_UPDATES && r.kind <= EDGE_TG_UNPARSABLE);
    CHECK(memchr(r.error, '\0', sizeof(r.error)) != NULL);
    if (r.kind == EDGE_TG_UPDATES) CHECK(json_is_array(r.result));
    if (r.kind == EDGE_TG_RETRY_AFTER) CHECK(r.retry_after >= 1);
    json_decref(r.result);

    long long ids[8];
    size_t n = edge_tg_scan_update_ids(body, len, ids, 8);
    (void)n;

    edge_tg_result t;
    memset(&t, 0, sizeof(t));
    edge_tg_parse_result(body, len, statuses[(len / 4) % 4], &t);
    CHECK(memchr(t.error, '\0', sizeof(t.error)) != NULL);
    if (!t.ok) CHECK(t.result == NULL); /* ok without "result" leaves it NULL: callers cope */
    json_decref(t.result);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy of exactly size bytes, so ASan sees any read past the body */
    char *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    const char *body = buf;
    size_t len = size;
    char ct[128] = "application/json";
    const char *nl = memchr(buf, '\n', size < 100 ? size : 100);
    if (nl) {
        memcpy(ct, buf, (size_t)(nl - buf));
        ct[nl - buf] = '\0';
        body = nl + 1;
        len = size - (size_t)(nl - buf) - 1;
    }
    (void)edge_content_type_is_json(ct);

    int valid = edge_utf8_valid((const unsigned char *)body, len);
    CHECK(valid == fuzz_utf8_valid((const unsigned char *)body, len));

    edge_verr e;
    memset(&e, 0, sizeof(e));
    json_t *j = edge_json_parse_body(body, len, &e);
    if (!j) {
        check_verr(&e);
    } else {
        CHECK(valid && json_is_object(j));
        /* the two schemas of edge_api.c's own handlers, then every row that declares one */
        memset(&e, 0, sizeof(e));
        if (edge_json_validate(j, edge_schema_login, &e) < 0) check_verr(&e);
        memset(&e, 0, sizeof(e));
        if (edge_json_validate(j, edge_schema_sim_message, &e) < 0) check_verr(&e);
        for (size_t i = 0; i < edge_api_nroutes; i++) {
            const edge_api_route *rt = &edge_api_routes[i];
            if (!rt->body || rt->body == edge_schema_login || rt->body == edge_schema_sim_message)
                continue;
            memset(&e, 0, sizeof(e));
            if (edge_json_validate(j, rt->body, &e) < 0) check_verr(&e);
        }
        json_decref(j);
    }

    /* the same bytes as a body of a route that takes one (POST /api/presets: EDGE_ARG_BODY) */
    for (size_t i = 0; i < edge_api_nroutes; i++) {
        const edge_api_route *rt = &edge_api_routes[i];
        if (!edge_route_takes_body(rt) || rt->handler != EDGE_HANDLER_SQL) continue;
        edge_query q;
        memset(&q, 0, sizeof(q));
        edge_route_args a;
        memset(&e, 0, sizeof(e));
        if (edge_route_build_args(rt, "1", &q, ct, body, len, &a, &e) == 0)
            edge_route_args_free(&a);
        else
            check_verr(&e);
        break; /* one row is enough: the body path is shared */
    }

    telegram(body, len);
    free(buf);
    return 0;
}
