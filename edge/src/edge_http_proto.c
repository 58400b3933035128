/* The lws protocol callback of rt-edge: one switch over every reason the "rt" protocol sees,
 * HTTP transactions (routes, bodies, static files, deferred responses) and /ws sockets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "edge_api.h"
#include "edge_config.h"
#include "edge_http_int.h"
#include "edge_http_proto.h"
#include "edge_log.h"
#include "edge_metrics.h"
#include "edge_problem.h"
#include "edge_static.h"
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
    copy_header(wsi, WSI_TOKEN_X_FORWARDED_FOR, r->xff, sizeof(r->xff));
    copy_header(wsi, WSI_TOKEN_HTTP_ACCEPT, r->accept, sizeof(r->accept));
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

/* Bytes of the header block lws kept: every header it knows (the request line's URI included).
 * Headers it does not know are not counted; lws's own table (65535 bytes) still bounds them. */
static size_t header_bytes(struct lws *wsi)
{
    size_t n = 0;
    for (int t = 0; t < (int)WSI_TOKEN_COUNT; t++) {
        int l = lws_hdr_total_length(wsi, (enum lws_token_indexes)t);
        if (l > 0) n += (size_t)l;
    }
    return n;
}

/* The checks every request passes before its route: header size (431) and Host (421, or 400
 * without one). Returns 0, or the status with detail filled in. /healthz, /readyz and /metrics
 * skip the Host check: probes and scrapers address the server by whatever name or address they
 * reach it by (a kubelet or Prometheus uses the pod IP); the probes hold nothing for a rebinding
 * page to read, and /metrics needs a token or session cookie such a page does not have. */
static int check_request(edge_http *h, struct lws *wsi, const char *path, char *detail, size_t dlen)
{
    const edge_config *cfg = h->ctx->cfg;
    char host[256];
    if (header_bytes(wsi) > (size_t)cfg->http_max_header_bytes) {
        snprintf(detail, dlen, "request headers are larger than %d bytes",
                 cfg->http_max_header_bytes);
        return 431;
    }
    if (path && (strcmp(path, "/healthz") == 0 || strcmp(path, "/readyz") == 0 ||
                 strcmp(path, "/metrics") == 0))
        return 0;
    int hl = lws_hdr_total_length(wsi, WSI_TOKEN_HOST);
    if (hl <= 0) {
        snprintf(detail, dlen, "a Host header is required");
        return 400;
    }
    if (hl >= (int)sizeof(host) || lws_hdr_copy(wsi, host, sizeof(host), WSI_TOKEN_HOST) < 0)
        host[0] = '\0';
    if (!edge_http_host_allowed(cfg, host)) {
        snprintf(detail, dlen,
                 "Host '%.120s' is not a name of this server (RT_HTTP_HOSTS lists the names it "
                 "answers to)",
                 host[0] ? host : "(too long)");
        return 421;
    }
    return 0;
}

/* The request's body has not arrived by its deadline: answer 408 and close. */
static void on_deadline(edge_http *h, edge_req *r)
{
    char detail[160];
    if (r->responded || r->body_done || !r->expect_body) return;
    snprintf(detail, sizeof(detail),
             "the request was not received within %d s (RT_HTTP_REQUEST_TIMEOUT_SEC)",
             h->ctx->cfg->http_request_timeout_sec);
    r->close_after = 1; /* the rest of the body is never read */
    edge_req_problem(r, 408, detail, NULL);
}

/* 1 when file.suffix is a regular file, its stat in *st. */
static int sibling_stat(const char *file, const char *suffix, struct stat *st)
{
    char sib[1420];
    int n = snprintf(sib, sizeof(sib), "%s.%s", file, suffix);
    return n > 0 && (size_t)n < sizeof(sib) && stat(sib, st) == 0 && S_ISREG(st->st_mode);
}

/* The headers of a static answer after its status: security, Cache-Control, Vary when the file
 * has siblings, Content-Encoding when one is sent, ETag. */
static int static_headers(struct lws *wsi, unsigned char **p, unsigned char *end, const char *cache,
                          int vary, const char *coding, const char *etag)
{
    return edge_http_add_security_headers(wsi, p, end) ||
           lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
                                       (const unsigned char *)cache, (int)strlen(cache), p, end) ||
           (vary &&
            lws_add_http_header_by_name(wsi, (const unsigned char *)"vary:",
                                        (const unsigned char *)"Accept-Encoding", 15, p, end)) ||
           (coding && lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_ENCODING,
                                                   (const unsigned char *)coding,
                                                   (int)strlen(coding), p, end)) ||
           lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_ETAG, (const unsigned char *)etag,
                                        (int)strlen(etag), p, end);
}

/* A file of the SPA, or index.html for a client route. The build writes precompressed
 * siblings (x.br, x.gz) of its text files: the one Accept-Encoding prefers is sent as it is,
 * with the original's Content-Type (edge_static.h); a matching If-None-Match gets 304. Source
 * maps and the siblings by name are not served. */
static int serve_static(edge_http *h, struct lws *wsi, edge_pss *pss, edge_req *r)
{
    const edge_config *cfg = h->ctx->cfg;
    char file[1400], send[1420], accept[512], inm[512], etag[96];
    unsigned char hdr[LWS_PRE + 1536], *start = hdr + LWS_PRE, *p, *end = hdr + sizeof(hdr) - 1;
    struct stat st, st_br, st_gz;
    if (edge_static_is_hidden(r->path)) return 404;
    int rc = edge_static_resolve(cfg->static_dir, r->path, file, sizeof(file));
    int found = rc == 0 && stat(file, &st) == 0 && S_ISREG(st.st_mode);
    if (!found) {
        if (rc < 0) return 404; /* unsafe path: never guess */
        if (rc == 0 && !edge_static_is_spa_route(r->path)) return 404; /* missing asset */
        snprintf(file, sizeof(file), "%s/index.html", cfg->static_dir);
        if (stat(file, &st) != 0 || !S_ISREG(st.st_mode)) return 404;
    }
    unsigned available =
        (sibling_stat(file, "br", &st_br) ? EDGE_CODING_MASK(EDGE_CODING_BR) : 0) |
        (sibling_stat(file, "gz", &st_gz) ? EDGE_CODING_MASK(EDGE_CODING_GZIP) : 0);
    /* a header too long for its buffer reads as absent: identity, no 304 */
    copy_header(wsi, WSI_TOKEN_HTTP_ACCEPT_ENCODING, accept, sizeof(accept));
    copy_header(wsi, WSI_TOKEN_HTTP_IF_NONE_MATCH, inm, sizeof(inm));
    edge_coding coding = edge_static_pick_encoding(accept, available);
    const struct stat *sent = coding == EDGE_CODING_BR     ? &st_br
                              : coding == EDGE_CODING_GZIP ? &st_gz
                                                           : &st;
    const char *cname = edge_static_coding_name(coding);
    const char *cache = edge_static_cache_control(r->path, found);
    snprintf(send, sizeof(send), "%s%s", file,
             coding == EDGE_CODING_BR     ? ".br"
             : coding == EDGE_CODING_GZIP ? ".gz"
                                          : "");
    if (edge_static_etag(etag, sizeof(etag), (long long)sent->st_mtim.tv_sec,
                         (long long)sent->st_mtim.tv_nsec, (long long)sent->st_size, coding))
        return 500;
    int not_modified = edge_static_etag_match(inm, etag);
    p = start;
    if ((not_modified && lws_add_http_header_status(wsi, 304, &p, end)) ||
        static_headers(wsi, &p, end, cache, available != 0, cname, etag))
        return 500;
    /* lws may finish (and close) the transaction inside lws_serve_http_file, e.g. for HEAD,
     * which re-enters this callback: let go of the request first. */
    EDGE_INFO("http request", "method", r->method, "path", r->path, "status",
              not_modified ? "304" : "200", "encoding", cname ? cname : "identity");
    r->logged = 1;
    edge_metrics_http("static", not_modified ? 304 : 200);
    pss->req = NULL;
    edge_req_detach(r);
    if (not_modified) { /* headers only: no Content-Length, no body (RFC 9110 15.4.5) */
        if (lws_finalize_write_http_header(wsi, start, &p, end)) return -1;
        edge_http_conn_idle(h, wsi);
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    }
    /* the Content-Type is the original file's; Content-Length is the file sent */
    int n =
        lws_serve_http_file(wsi, send, edge_mime_type(file), (const char *)start, (int)(p - start));
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
    /* the headers are in: the deadline armed for them is off (re-armed below for a body) */
    edge_http_conn_disarm(h, wsi);
    r = edge_req_new(h, wsi);
    if (!r) return -1;
    pss->req = r;
    collect_request(r, wsi, path);
    {
        char detail[400];
        int st = check_request(h, wsi, r->path, detail, sizeof(detail));
        if (st) {
            r->close_after = 1;
            edge_req_problem(r, st, detail, NULL);
            return 0;
        }
    }
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
    if (!r->expect_body) {
        edge_api_begin(r);
        return 0;
    }
    /* the whole request, headers included, within RT_HTTP_REQUEST_TIMEOUT_SEC */
    uint64_t limit_us = (uint64_t)cfg->http_request_timeout_sec * 1000000u;
    uint64_t deadline = edge_http_conn_since(h, wsi) + limit_us, now = edge_now_us();
    if (now >= deadline)
        on_deadline(h, r);
    else
        edge_http_conn_arm(h, wsi, deadline);
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
        pss->req->body_done = 1;
        edge_http_conn_disarm(h, wsi);
        if (pss->req->body_too_large) {
            edge_req_problem(pss->req, 413, "request body is larger than the server accepts", NULL);
            return 0;
        }
        edge_api_begin(pss->req);
        return 0;

    case LWS_CALLBACK_TIMER:
        if (!h || !edge_http_conn_due(h, wsi)) return 0; /* disarmed or re-armed since */
        edge_http_conn_disarm(h, wsi);
        /* no request under way: the next one's headers did not arrive in time; close */
        if (!pss || !pss->req) return -1;
        on_deadline(h, pss->req);
        return 0;

    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION: {
        /* user is lws's accept arguments here, not per-session memory */
        const struct lws_filter_network_conn_args *a = user;
        char ip[64] = "?";
        if (a && a->cli_addr.ss_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)&a->cli_addr)->sin_addr, ip,
                      sizeof(ip));
        else if (a && a->cli_addr.ss_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&a->cli_addr)->sin6_addr, ip,
                      sizeof(ip));
        if (h && !edge_http_conn_admit(h, ip)) {
            static uint64_t last_log_us;
            uint64_t now = edge_now_us();
            if (now - last_log_us >= 1000000u) { /* a flood of refusals is one line a second */
                last_log_us = now;
                EDGE_WARN("http connection refused: too many from one address", "ip", ip);
            }
            return 1; /* lws closes the socket unanswered */
        }
        return 0;
    }

    case LWS_CALLBACK_WSI_CREATE:
        if (h) edge_http_conn_created(h, wsi);
        return 0;

    case LWS_CALLBACK_HTTP_FILE_COMPLETION:
        if (h) edge_http_conn_idle(h, wsi);
        break; /* lws_callback_http_dummy completes the transaction */

    case LWS_CALLBACK_HTTP_WRITEABLE:
        if (!pss || !pss->req) return 0;
        return edge_req_write(pss->req, wsi, pss);

    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    case LWS_CALLBACK_WSI_DESTROY:
        if (reason == LWS_CALLBACK_WSI_DESTROY && h) edge_http_conn_destroyed(h, wsi);
        if (pss && pss->req) {
            edge_req_detach(pss->req);
            pss->req = NULL;
        }
        return 0;

    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: {
        /* No per-session memory exists yet at this point; ESTABLISHED checks again. */
        edge_pss scratch;
        char detail[400];
        int st = check_request(h, wsi, "/ws", detail, sizeof(detail));
        if (st) return reject_upgrade(wsi, st, detail);
        memset(&scratch, 0, sizeof(scratch));
        int status = edge_ws_check_upgrade(h, wsi, &scratch);
        if (status == 0) return 0;
        return reject_upgrade(wsi, status,
                              status == 401   ? "a valid session is required"
                              : status == 403 ? "origin does not match host"
                                              : "no WebSocket endpoint here");
    }

    case LWS_CALLBACK_ESTABLISHED:
        if (h) edge_http_conn_disarm(h, wsi); /* a socket has no request deadline */
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
