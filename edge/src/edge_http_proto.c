/* The lws protocol callback of rt-edge: one switch over every reason the "rt" protocol sees,
 * HTTP transactions (routes, bodies, static files, deferred responses) and /ws sockets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "edge_api.h"
#include "edge_config.h"
#include "edge_http_int.h"
#include "edge_http_proto.h"
#include "edge_log.h"
#include "edge_problem.h"
#include "edge_ws.h"

static const char *const method_names[] = {"GET",   "POST",   "OPTIONS", "PUT",
                                           "PATCH", "DELETE", "CONNECT", "HEAD"};

static void copy_header(struct lws *wsi, enum lws_token_indexes t, char *out, size_t outlen)
{
    out[0] = '\0';
    if (lws_hdr_total_length(wsi, t) >= (int)outlen || lws_hdr_copy(wsi, out, (int)outlen, t) < 0)
        out[0] = '\0';
}

/* Custom header names keep the client's spelling and lws compares them case-sensitively, so
 * each header is looked up under the spellings clients use. names ends with NULL. */
static void copy_custom_header(struct lws *wsi, const char *const *names, char *out, size_t outlen)
{
    out[0] = '\0';
    for (size_t i = 0; names[i]; i++) {
        int n = lws_hdr_custom_length(wsi, names[i], (int)strlen(names[i]));
        if (n < 0) continue;
        if (n >= (int)outlen ||
            lws_hdr_custom_copy(wsi, out, (int)outlen, names[i], (int)strlen(names[i])) < 0)
            out[0] = '\0';
        return;
    }
}

static void collect_request(edge_req *r, struct lws *wsi, const char *path)
{
    char *uri = NULL, cookie[4096], frag[2048];
    int ulen = 0, m = lws_http_get_uri_and_method(wsi, &uri, &ulen);
    snprintf(r->method, sizeof(r->method), "%s",
             m >= 0 && m < (int)(sizeof(method_names) / sizeof(method_names[0])) ? method_names[m]
                                                                                 : "OTHER");
    r->is_head = m == LWSHUMETH_HEAD;
    snprintf(r->path, sizeof(r->path), "%s", path ? path : "/");
    if (lws_get_peer_simple(wsi, r->ip, sizeof(r->ip)) == NULL) snprintf(r->ip, sizeof(r->ip), "?");
    copy_header(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, r->content_type, sizeof(r->content_type));
    copy_header(wsi, WSI_TOKEN_HOST, r->host, sizeof(r->host));
    static const char *const csrf_names[] = {
        "x-csrf-token:", "X-CSRF-Token:", "X-Csrf-Token:", "X-CSRF-TOKEN:", NULL};
    static const char *const tg_names[] = {
        "X-Telegram-Bot-Api-Secret-Token:", "x-telegram-bot-api-secret-token:", NULL};
    copy_custom_header(wsi, csrf_names, r->csrf_header, sizeof(r->csrf_header));
    copy_custom_header(wsi, tg_names, r->tg_secret, sizeof(r->tg_secret));
    copy_header(wsi, WSI_TOKEN_HTTP_COOKIE, cookie, sizeof(cookie));
    if (edge_cookie_get(cookie, EDGE_SESSION_COOKIE, r->token, sizeof(r->token)) < 0 ||
        !edge_token_is_valid(r->token))
        r->token[0] = '\0';
    for (int i = 0;; i++) {
        int n = lws_hdr_copy_fragment(wsi, frag, sizeof(frag), WSI_TOKEN_HTTP_URI_ARGS, i);
        if (n < 0) {
            if (lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_URI_ARGS, i) > 0) {
                r->query_err = 1;
                r->query_verr.status = 400;
                snprintf(r->query_verr.detail, sizeof(r->query_verr.detail),
                         "query parameter too long");
            }
            break;
        }
        if (n == 0) {
            if (lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_URI_ARGS, i) <= 0 &&
                i >= lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS))
                break;
            continue;
        }
        if (!r->query_err && edge_query_add_pair(&r->query, frag, (size_t)n, &r->query_verr) < 0)
            r->query_err = 1;
    }
}

static int serve_static(edge_http *h, struct lws *wsi, edge_pss *pss, edge_req *r)
{
    const edge_config *cfg = h->ctx->cfg;
    char file[1400];
    unsigned char hdr[1024], *p = hdr, *end = hdr + sizeof(hdr);
    struct stat st;
    int rc = edge_static_resolve(cfg->static_dir, r->path, file, sizeof(file));
    int found = rc == 0 && stat(file, &st) == 0 && S_ISREG(st.st_mode);
    if (!found) {
        if (rc < 0) return 404; /* unsafe path: never guess */
        if (rc == 0 && !edge_static_is_spa_route(r->path)) return 404; /* missing asset */
        snprintf(file, sizeof(file), "%s/index.html", cfg->static_dir);
        if (stat(file, &st) != 0 || !S_ISREG(st.st_mode)) return 404;
    }
    const char *cache = strncmp(r->path, "/assets/", 8) == 0 && found
                            ? "public, max-age=31536000, immutable"
                            : "no-cache";
    if (edge_http_add_security_headers(wsi, &p, end) ||
        lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
                                    (const unsigned char *)cache, (int)strlen(cache), &p, end))
        return 500;
    /* lws may finish (and close) the transaction inside lws_serve_http_file, e.g. for HEAD,
     * which re-enters this callback: let go of the request first. */
    EDGE_INFO("http request", "method", r->method, "path", r->path, "status", "200");
    r->logged = 1;
    pss->req = NULL;
    edge_req_detach(r);
    int n = lws_serve_http_file(wsi, file, edge_mime_type(file), (const char *)hdr, (int)(p - hdr));
    return n < 0 ? -1 : 0;
}

static int on_http(edge_http *h, struct lws *wsi, edge_pss *pss, const char *path)
{
    const edge_config *cfg = h->ctx->cfg;
    char clen_s[32];
    edge_req *r;
    if (pss->req) { /* a previous transaction on this connection never finished */
        edge_req_detach(pss->req);
        pss->req = NULL;
    }
    r = edge_req_new(h, wsi);
    if (!r) return -1;
    pss->req = r;
    collect_request(r, wsi, path);
    edge_router_match(r->method, r->path, &r->route);

    if (r->route.id == EDGE_ROUTE_STATIC && r->route.status == 0) {
        int rc = serve_static(h, wsi, pss, r); /* 0 and -1: r is gone */
        if (rc == 0) return 0;
        if (rc < 0) return -1;
        edge_req_problem(r, rc, rc == 404 ? "no such file" : "internal error", NULL);
        return 0;
    }

    copy_header(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, clen_s, sizeof(clen_s));
    long long clen = 0;
    if (clen_s[0] && edge_parse_int64(clen_s, &clen) == 0 && clen > 0) r->expect_body = 1;
    if (!clen_s[0] && lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0) {
        /* lws 4.1 cannot read chunked request bodies on the server side: say so clearly. */
        r->close_after = 1;
        edge_req_problem(r, 411, "send the body with a Content-Length header", NULL);
        return 0;
    }
    if (r->expect_body && clen > 0 && (size_t)clen > cfg->max_body_bytes) {
        r->close_after = 1; /* the body stays unread on the wire */
        edge_req_problem(r, 413, "request body is larger than the server accepts", NULL);
        return 0;
    }
    if (!r->expect_body) edge_api_begin(r);
    return 0;
}

static void on_body(edge_http *h, edge_req *r, const void *in, size_t len)
{
    size_t cap = h->ctx->cfg->max_body_bytes;
    if (r->responded || r->body_too_large) return;
    if (r->body_len + len > cap) {
        r->body_too_large = 1;
        free(r->body);
        r->body = NULL;
        r->body_len = 0;
        return;
    }
    if (r->body_len + len + 1 > r->body_cap) {
        size_t ncap = r->body_cap ? r->body_cap * 2 : 4096;
        while (ncap < r->body_len + len + 1) ncap *= 2;
        char *nb = realloc(r->body, ncap);
        if (!nb) {
            r->body_too_large = 1;
            return;
        }
        r->body = nb;
        r->body_cap = ncap;
    }
    if (len) memcpy(r->body + r->body_len, in, len);
    r->body_len += len;
    r->body[r->body_len] = '\0';
}

/* Answers an HTTP request synchronously inside the callback (the upgrade check cannot defer). */
static int reject_upgrade(struct lws *wsi, int status, const char *detail)
{
    unsigned char buf[LWS_PRE + 2048], *start = buf + LWS_PRE, *p = start,
                                       *end = buf + sizeof(buf) - 1;
    size_t blen = 0;
    char *body = edge_problem_json(status, detail, NULL, &blen);
    if (!body) return -1;
    if (lws_add_http_common_headers(wsi, (unsigned)status, "application/problem+json", blen, &p,
                                    end) ||
        edge_http_add_security_headers(wsi, &p, end) ||
        lws_add_http_header_by_name(wsi, (const unsigned char *)"connection:",
                                    (const unsigned char *)"close", 5, &p, end) ||
        lws_finalize_http_header(wsi, &p, end) || (size_t)(end - p) < blen) {
        free(body);
        return -1;
    }
    memcpy(p, body, blen);
    p += blen;
    free(body);
    if (lws_write(wsi, start, (size_t)(p - start), LWS_WRITE_HTTP_FINAL) < 0) return -1;
    return 1;
}

int edge_http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                       size_t len)
{
    edge_pss *pss = user;
    struct lws_context *lc = lws_get_context(wsi);
    edge_http *h = lc ? lws_context_user(lc) : NULL;

    switch (reason) {
    case LWS_CALLBACK_HTTP:
        return on_http(h, wsi, pss, in);

    case LWS_CALLBACK_HTTP_BODY:
        if (pss && pss->req) on_body(h, pss->req, in, len);
        return 0;

    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        /* lws completes a POST's empty body too: a request without a body was begun at its
         * headers already, and beginning it twice would run its SQL call twice */
        if (!pss || !pss->req || pss->req->responded || !pss->req->expect_body) return 0;
        if (pss->req->body_too_large) {
            edge_req_problem(pss->req, 413, "request body is larger than the server accepts", NULL);
            return 0;
        }
        edge_api_begin(pss->req);
        return 0;

    case LWS_CALLBACK_HTTP_WRITEABLE:
        if (!pss || !pss->req) return 0;
        return edge_req_write(pss->req, wsi, pss);

    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    case LWS_CALLBACK_WSI_DESTROY:
        if (pss && pss->req) {
            edge_req_detach(pss->req);
            pss->req = NULL;
        }
        return 0;

    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: {
        /* No per-session memory exists yet at this point; ESTABLISHED checks again. */
        edge_pss scratch;
        memset(&scratch, 0, sizeof(scratch));
        int status = edge_ws_check_upgrade(h, wsi, &scratch);
        if (status == 0) return 0;
        return reject_upgrade(wsi, status,
                              status == 401   ? "a valid session is required"
                              : status == 403 ? "origin does not match host"
                                              : "no WebSocket endpoint here");
    }

    case LWS_CALLBACK_ESTABLISHED:
        return edge_ws_established(h, wsi, pss);

    case LWS_CALLBACK_RECEIVE:
        return edge_ws_receive(h, wsi, pss, in, len);

    case LWS_CALLBACK_SERVER_WRITEABLE:
        return edge_ws_writeable(h, wsi, pss);

    case LWS_CALLBACK_CLOSED:
        edge_ws_closed(h, pss);
        return 0;

    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}
