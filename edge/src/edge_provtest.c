/* POST /api/providers/{id}/test: read the provider (as the admin), then one small real call to
 * it on the edge's loop (edge_provtest.h). Each call holds its request (edge_req_hold) until the
 * transfer ends; edge_provtest_stop cancels those still running. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "edge_api.h"
#include "edge_curl.h"
#include "edge_fernet.h"
#include "edge_http_int.h"
#include "edge_log.h"
#include "edge_pg.h"
#include "edge_provtest.h"
#include "edge_routes.h"

typedef struct pt_call {
    edge_req *r;
    edge_curl_req *creq;
    uint64_t start_ns;
    long long provider_id;
    char *key; /* the plain key while the call runs (to mask it out of the answer); zeroed */
    size_t keylen;
    char model[256];
    struct pt_call *prev, *next;
} pt_call;

static struct {
    edge_curl *curl; /* created on first use, on the edge's loop */
    pt_call *calls;  /* running, for edge_provtest_stop */
} pt;

int edge_provtest_mask(char *s, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    int masked = 0;
    char *p;
    if (!s || n < 4) return 0;
    while ((p = strstr(s, secret)) != NULL) {
        memcpy(p, "***", 3);
        memmove(p + 3, p + n, strlen(p + n) + 1);
        masked++;
    }
    return masked;
}

void edge_provtest_detail(long status, const char *body, size_t body_len, const char *model,
                          char *out, size_t cap)
{
    json_error_t jerr;
    json_t *root = body && body_len ? json_loadb(body, body_len, 0, &jerr) : NULL;
    if (status >= 200 && status < 300) {
        json_t *data = json_object_get(root, "data");
        size_t i, n = json_is_array(data) ? json_array_size(data) : 0;
        int listed = 0;
        for (i = 0; i < n && model; i++) {
            const char *id = json_string_value(json_object_get(json_array_get(data, i), "id"));
            if (id && strcmp(id, model) == 0) listed = 1;
        }
        if (n == 0)
            snprintf(out, cap, "HTTP %ld: the provider answered", status);
        else if (listed)
            snprintf(out, cap, "HTTP %ld: the provider answered; model %.200s is available", status,
                     model);
        else
            snprintf(out, cap,
                     "HTTP %ld: the provider answered, but model %.200s is not among the %zu "
                     "models it lists",
                     status, model ? model : "", n);
    } else {
        /* OpenAI/DeepSeek {"error":{"message"}}, Anthropic {"type":"error","error":{"message"}} */
        const char *msg =
            json_string_value(json_object_get(json_object_get(root, "error"), "message"));
        if (!msg) msg = json_string_value(json_object_get(root, "message"));
        if (msg)
            snprintf(out, cap, "HTTP %ld: %.300s", status, msg);
        else
            snprintf(out, cap, "HTTP %ld from the provider", status);
    }
    json_decref(root);
}

static void respond(edge_req *r, int ok, long status, long long latency_ms, const char *model,
                    const char *detail)
{
    json_t *o = json_pack("{s:b,s:o,s:I,s:s,s:s}", "ok", ok, "status",
                          status > 0 ? json_integer(status) : json_null(), "latency_ms",
                          (json_int_t)latency_ms, "model", model ? model : "", "detail",
                          detail ? detail : "");
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s) {
        edge_req_problem(r, 500, "internal server error", NULL);
        return;
    }
    edge_req_respond_json(r, 200, s, strlen(s));
    free(s);
}

static void call_free(pt_call *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else if (pt.calls == c)
        pt.calls = c->next;
    if (c->next) c->next->prev = c->prev;
    if (c->key) {
        memset(c->key, 0, c->keylen);
        free(c->key);
    }
    free(c);
}

static void on_done(const edge_curl_response *resp, void *ud)
{
    pt_call *c = ud;
    edge_req *r = c->r;
    char detail[600], idbuf[24], stbuf[24], msbuf[24];
    long long ms = (long long)((uv_hrtime() - c->start_ns) / 1000000u);
    int ok = resp->ok && resp->status >= 200 && resp->status < 300;
    c->creq = NULL;
    if (!resp->ok && resp->status == 0) {
        if (resp->curl_code == 28) /* CURLE_OPERATION_TIMEDOUT */
            snprintf(detail, sizeof(detail), "no answer within %ld ms", EDGE_PROVTEST_TIMEOUT_MS);
        else
            snprintf(detail, sizeof(detail), "connection failed: %.300s",
                     resp->error ? resp->error : "unknown error");
    } else {
        edge_provtest_detail(resp->status, resp->body, resp->body_len, c->model, detail,
                             sizeof(detail));
    }
    /* a provider may quote the key back (some quote a part of it): never pass it on */
    edge_provtest_mask(detail, c->key);
    EDGE_INFO("provider test", "provider", edge_log_int(idbuf, c->provider_id), "ok",
              ok ? "true" : "false", "status", edge_log_int(stbuf, resp->status), "latency_ms",
              edge_log_int(msbuf, ms));
    if (edge_req_release(r)) respond(r, ok, resp->ok ? resp->status : 0, ms, c->model, detail);
    call_free(c);
}

static void start_call(edge_req *r, json_t *target)
{
    const char *base_url = json_string_value(json_object_get(target, "base_url"));
    const char *type = json_string_value(json_object_get(target, "type"));
    const char *model = json_string_value(json_object_get(target, "model_id"));
    const char *enc = json_string_value(json_object_get(target, "api_key_enc"));
    const edge_ctx *ctx = r->http->ctx;
    char err[160], url[600], auth[1100];
    const char *headers[5];
    int h = 0, anthropic = type && strcmp(type, "anthropic") == 0;
    edge_curl_request req;
    pt_call *c;

    if ((type && strcmp(type, "demo") == 0) || !base_url || !*base_url) {
        respond(r, 1, 0, 0, model,
                "demo provider: answered by rt-edge itself, offline; no network call was made");
        return;
    }
    if (!pt.curl && !(pt.curl = edge_curl_create(ctx->loop))) {
        edge_req_problem(r, 500, "internal server error", NULL);
        return;
    }
    c = calloc(1, sizeof(*c));
    if (!c) {
        edge_req_problem(r, 500, "internal server error", NULL);
        return;
    }
    c->r = r;
    c->provider_id = (long long)json_integer_value(json_object_get(target, "id"));
    snprintf(c->model, sizeof(c->model), "%s", model ? model : "");
    if (enc && *enc &&
        edge_fernet_decrypt(ctx->fernet, enc, strlen(enc), 0, (long long)time(NULL), &c->key,
                            &c->keylen, err, sizeof(err)) != EDGE_OK) {
        char detail[256];
        snprintf(detail, sizeof(detail),
                 "the provider's API key cannot be decrypted with SECRETS_KEY (%s)", err);
        respond(r, 0, 0, 0, model, detail);
        call_free(c);
        return;
    }
    if (c->key && c->keylen > 1000) {
        respond(r, 0, 0, 0, model, "the API key is too long");
        call_free(c);
        return;
    }
    snprintf(url, sizeof(url), "%s/models", base_url);
    headers[h++] = "Accept: application/json";
    if (anthropic) headers[h++] = "anthropic-version: 2023-06-01";
    if (c->key) {
        snprintf(auth, sizeof(auth), anthropic ? "x-api-key: %s" : "Authorization: Bearer %s",
                 c->key);
        headers[h++] = auth;
    }
    headers[h] = NULL;
    memset(&req, 0, sizeof(req));
    req.method = "GET";
    req.url = url;
    req.headers = headers;
    req.timeout_ms = EDGE_PROVTEST_TIMEOUT_MS;
    req.connect_timeout_ms = EDGE_PROVTEST_CONNECT_TIMEOUT_MS;
    req.max_response_bytes = 256 * 1024;
    c->start_ns = uv_hrtime();
    edge_req_hold(r);
    c->creq = edge_curl_start(pt.curl, &req, on_done, c);
    memset(auth, 0, sizeof(auth));
    if (!c->creq) {
        edge_req_release(r);
        respond(r, 0, 0, 0, model, "could not start the HTTP request");
        call_free(c);
        return;
    }
    c->next = pt.calls;
    if (pt.calls) pt.calls->prev = c;
    pt.calls = c;
}

static void target_cb(const edge_pg_result *res, void *ud)
{
    edge_req *r = ud;
    json_error_t jerr;
    json_t *target;
    if (!edge_req_release(r)) return;
    if (strcmp(res->sqlstate, "00000") != 0) {
        edge_api_sql_error(r, res);
        return;
    }
    if (!res->res || PQntuples(res->res) != 1 || PQgetisnull(res->res, 0, 0) ||
        !(target = json_loadb(PQgetvalue(res->res, 0, 0), (size_t)PQgetlength(res->res, 0, 0), 0,
                              &jerr))) {
        EDGE_ERROR("request failed", "route", r->route.name, "what", "provider_test_target",
                   "error", "unexpected result");
        edge_req_problem(r, 500, "internal server error", NULL);
        return;
    }
    start_call(r, target);
    json_decref(target);
}

void edge_provtest_handle(edge_req *r)
{
    edge_route_args args;
    long long id;
    char idbuf[24];
    const char *params[1];
    int rc;
    /* the row takes no query parameters: any is refused, naming it */
    if (edge_api_route_args(r, &args) < 0) return;
    edge_route_args_free(&args);
    if (edge_parse_int64(r->route.param, &id) != 0) {
        edge_req_problem(r, 400, "id must be an integer", "id");
        return;
    }
    snprintf(idbuf, sizeof(idbuf), "%lld", id);
    params[0] = idbuf;
    edge_req_hold(r);
    rc = edge_pg_call(r->http->ctx->pg, r->actor, "SELECT rt.provider_test_target($1::bigint)", 1,
                      params, target_cb, r);
    if (rc != EDGE_OK) {
        edge_req_release(r);
        edge_req_add_header(r, "retry-after:", "1");
        edge_req_problem(r, 503, "too many requests are waiting for the database", NULL);
    }
}

void edge_provtest_stop(void)
{
    while (pt.calls) {
        pt_call *c = pt.calls;
        edge_curl_cancel(c->creq); /* its callback is not called */
        edge_req_release(c->r);    /* the server closes its connections next */
        call_free(c);
    }
    if (pt.curl) edge_curl_destroy(pt.curl);
    pt.curl = NULL;
}
