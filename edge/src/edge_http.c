/* HTTP + WebSocket server: the lws context on the shared libuv loop, the "rt" protocol (REST,
 * static files and /ws all go through protocols[0] so plain `new WebSocket(url)` works), and
 * the per-request object with its asynchronous response writer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <time.h>
#include "edge_config.h"
#include "edge_http_int.h"
#include "edge_http_proto.h"
#include "edge_log.h"
#include "edge_metrics.h"
#include "edge_problem.h"
#include "edge_ws.h"

#define BODY_CHUNK 16384 /* bytes per WRITEABLE; keeps one slow socket from hogging the loop */

static const char csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

static const struct lws_protocols protocols[] = {
    {"rt", edge_http_callback, sizeof(edge_pss), 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* The server whose table the connection callbacks keep: lws closes its sockets asynchronously
 * after edge_http_stop has freed the server, and their WSI_DESTROY must then touch nothing. */
static edge_http *live_http;

uint64_t edge_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void on_auth_timer(uv_timer_t *t)
{
    edge_auth_tick(t->data);
}

static void on_auth_timer_closed(uv_handle_t *t)
{
    free(t);
}

edge_http *edge_http_start(edge_ctx *ctx)
{
    struct lws_context_creation_info info;
    void *loops[1];
    edge_http *h = calloc(1, sizeof(*h));
    if (!h) return NULL;
    h->ctx = ctx;
    live_http = h;
    h->login_limiter = edge_limiter_create(NULL);
    if (!h->login_limiter) goto err;

    lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
    memset(&info, 0, sizeof(info));
    loops[0] = ctx->loop;
    info.port = ctx->cfg->http_port;
    info.iface = ctx->cfg->http_host[0] ? ctx->cfg->http_host : NULL;
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_VALIDATE_UTF8 |
                   LWS_SERVER_OPTION_DISABLE_IPV6 | LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
    info.foreign_loops = loops;
    info.user = h;
    info.vhost_name = "default";
    info.server_string = "rt-edge";
    /* lws drops a connection whose header block outgrows its table; the table is kept well
     * above RT_HTTP_MAX_HEADER_BYTES so that edge_http_proto can answer 431 instead */
    info.max_http_header_data = 65535;
    /* lws's own network timeouts (a stalled body chunk, the connection's first bytes) stay
     * within the request deadline; the deadline itself is a per-connection lws timer
     * (edge_http_conn_arm), since lws restarts its body timeout at every chunk */
    info.timeout_secs = (unsigned)ctx->cfg->http_request_timeout_sec;
    h->lws = lws_create_context(&info);
    /* lws may return a context whose default vhost failed (port taken): treat as failure. */
    if (h->lws && !lws_get_vhost_by_name(h->lws, "default")) {
        lws_context_destroy(h->lws);
        h->lws = NULL;
    }
    if (!h->lws) {
        EDGE_ERROR("http listen failed", "host", ctx->cfg->http_host);
        goto err;
    }
    if (!(h->auth_timer = malloc(sizeof(*h->auth_timer)))) goto err; /* freed in its close cb */
    uv_timer_init(ctx->loop, h->auth_timer);
    h->auth_timer->data = h;
    uv_timer_start(h->auth_timer, on_auth_timer, EDGE_AUTH_TICK_MS, EDGE_AUTH_TICK_MS);
    char port[16];
    snprintf(port, sizeof(port), "%d", ctx->cfg->http_port);
    {
        char tmo[24], cap[24], hdr[24];
        EDGE_INFO("http listening", "host", ctx->cfg->http_host, "port", port,
                  "request_timeout_sec", edge_log_int(tmo, ctx->cfg->http_request_timeout_sec),
                  "max_conn_per_ip", edge_log_int(cap, ctx->cfg->http_max_conn_per_ip),
                  "max_header_bytes", edge_log_int(hdr, ctx->cfg->http_max_header_bytes), "hosts",
                  ctx->cfg->http_hosts[0] ? ctx->cfg->http_hosts : "(default)");
    }
    return h;
err:
    if (h->lws) lws_context_destroy(h->lws);
    live_http = NULL;
    edge_limiter_destroy(h->login_limiter);
    free(h);
    return NULL;
}

/* Destroys the context; lws closes its libuv handles asynchronously, so the caller runs the
 * loop once more afterwards (as main does for every module) before closing it. */
void edge_http_stop(edge_http *h)
{
    if (!h) return;
    if (h->auth_timer) {
        uv_timer_stop(h->auth_timer);
        uv_close((uv_handle_t *)h->auth_timer, on_auth_timer_closed);
    }
    if (h->lws) lws_context_destroy(h->lws);
    edge_ws_shutdown(h);
    edge_limiter_destroy(h->login_limiter);
    free(h->conns);
    live_http = NULL;
    free(h);
}

/* ---- connections: per-address cap, request start ---- */

int edge_http_conn_admit(edge_http *h, const char *ip)
{
    if (h != live_http) return 0;
    int cap = h->ctx->cfg->http_max_conn_per_ip, n = 0;
    h->accepting_ip[0] = '\0';
    if (cap > 0) {
        for (size_t i = 0; i < h->nconns; i++)
            if (strcmp(h->conns[i].ip, ip) == 0) n++;
        if (n >= cap) return 0;
    }
    snprintf(h->accepting_ip, sizeof(h->accepting_ip), "%s", ip);
    return 1;
}

void edge_http_conn_created(edge_http *h, struct lws *wsi)
{
    if (h != live_http || !h->accepting_ip[0])
        return; /* not an accepted connection (the listener) */
    if (h->nconns == h->conns_cap) {
        size_t ncap = h->conns_cap ? h->conns_cap * 2 : 64;
        edge_http_conn *nc = realloc(h->conns, ncap * sizeof(*nc));
        if (!nc) { /* uncounted: never refuses it, never loses a row */
            h->accepting_ip[0] = '\0';
            return;
        }
        h->conns = nc;
        h->conns_cap = ncap;
    }
    edge_http_conn *c = &h->conns[h->nconns++];
    c->wsi = wsi;
    memcpy(c->ip, h->accepting_ip, sizeof(c->ip));
    c->since_us = edge_now_us();
    c->due_us = 0;
    h->accepting_ip[0] = '\0';
    /* the first request's headers are due within the deadline (LWS_CALLBACK_TIMER) */
    edge_http_conn_arm(h, wsi,
                       c->since_us + (uint64_t)h->ctx->cfg->http_request_timeout_sec * 1000000u);
}

static edge_http_conn *find_conn(edge_http *h, struct lws *wsi)
{
    if (h != live_http) return NULL;
    for (size_t i = 0; i < h->nconns; i++)
        if (h->conns[i].wsi == wsi) return &h->conns[i];
    return NULL;
}

void edge_http_conn_destroyed(edge_http *h, struct lws *wsi)
{
    edge_http_conn *c = find_conn(h, wsi);
    if (c) *c = h->conns[--h->nconns];
}

uint64_t edge_http_conn_since(edge_http *h, struct lws *wsi)
{
    edge_http_conn *c = find_conn(h, wsi);
    return c ? c->since_us : edge_now_us();
}

void edge_http_conn_idle(edge_http *h, struct lws *wsi)
{
    edge_http_conn *c = find_conn(h, wsi);
    if (!c) return;
    c->since_us = edge_now_us();
    edge_http_conn_arm(h, wsi,
                       c->since_us + (uint64_t)h->ctx->cfg->http_request_timeout_sec * 1000000u);
}

void edge_http_conn_arm(edge_http *h, struct lws *wsi, uint64_t due_us)
{
    edge_http_conn *c = find_conn(h, wsi);
    uint64_t now = edge_now_us();
    if (!c) return;
    c->due_us = due_us ? due_us : 1;
    lws_set_timer_usecs(wsi, (lws_usec_t)(due_us > now ? due_us - now : 1));
}

void edge_http_conn_disarm(edge_http *h, struct lws *wsi)
{
    edge_http_conn *c = find_conn(h, wsi);
    if (c) c->due_us = 0;
}

int edge_http_conn_due(edge_http *h, struct lws *wsi)
{
    edge_http_conn *c = find_conn(h, wsi);
    return c && c->due_us && edge_now_us() >= c->due_us;
}

/* ---- Host check (DNS rebinding) ---- */

/* host (a Host header) names entry (a name, optionally with ":port"): the names are equal
 * ignoring case, and so are the ports when the entry has one. A Host's port is not checked
 * against an entry without one: rebinding changes the name a page reaches, and a proxy in
 * front (or Vite's dev server) forwards the Host of its own port. */
static int host_is(const char *host, const char *entry, size_t elen)
{
    size_t hlen = strlen(host), hname = hlen, ename = elen;
    const char *hc = NULL, *ec = NULL;
    if (elen == 0 || elen >= 256) return 0;
    /* the port follows the last ':' unless the name is a bracketed IPv6 literal */
    for (size_t i = hlen; i-- > 0;) {
        if (host[i] == ']') break;
        if (host[i] == ':') {
            hc = host + i;
            hname = i;
            break;
        }
    }
    for (size_t i = elen; i-- > 0;) {
        if (entry[i] == ']') break;
        if (entry[i] == ':') {
            ec = entry + i;
            ename = i;
            break;
        }
    }
    if (hname != ename || hname == 0 || strncasecmp(host, entry, hname) != 0) return 0;
    if (!ec) return 1;
    return hc && (size_t)(host + hlen - hc) == (size_t)(entry + elen - ec) &&
           strncmp(hc, ec, (size_t)(entry + elen - ec)) == 0;
}

/* host (without or with a port) is an IP address literal: 1.2.3.4 or [v6] */
static int host_is_ip_literal(const char *host)
{
    char name[64];
    struct in6_addr a6;
    struct in_addr a4;
    const char *colon = strrchr(host, ':'), *end = host + strlen(host);
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        if (!close || (close[1] && close[1] != ':') || (size_t)(close - host - 1) >= sizeof(name))
            return 0;
        memcpy(name, host + 1, (size_t)(close - host - 1));
        name[close - host - 1] = '\0';
        return inet_pton(AF_INET6, name, &a6) == 1;
    }
    if (colon) end = colon;
    if ((size_t)(end - host) >= sizeof(name)) return 0;
    memcpy(name, host, (size_t)(end - host));
    name[end - host] = '\0';
    return inet_pton(AF_INET, name, &a4) == 1;
}

int edge_http_host_allowed(const edge_config *cfg, const char *host)
{
    if (!host || !*host) return 0;
    if (!cfg->http_hosts[0]) {
        /* an address literal cannot be rebound: a page reaching the server by its address was
         * loaded from that address. Names other than localhost must be configured. */
        if (host_is_ip_literal(host)) return 1;
        return host_is(host, "localhost", 9) ||
               host_is(host, cfg->http_host, strlen(cfg->http_host));
    }
    for (const char *p = cfg->http_hosts; *p;) {
        while (*p == ',' || *p == ' ') p++;
        const char *e = p;
        while (*e && *e != ',') e++;
        size_t n = (size_t)(e - p);
        while (n > 0 && p[n - 1] == ' ') n--;
        if (n == 1 && p[0] == '*') return 1;
        if (host_is(host, p, n)) return 1;
        p = e;
    }
    return 0;
}

/* ---- request lifecycle ---- */

edge_req *edge_req_new(edge_http *h, struct lws *wsi)
{
    edge_req *r = calloc(1, sizeof(*r));
    if (!r) return NULL;
    r->wsi = wsi;
    r->http = h;
    r->refs = 1;
    r->start_us = edge_now_us();
    return r;
}

static void req_free(edge_req *r)
{
    edge_query_free(&r->query);
    free(r->body);
    free(r->resp);
    free(r->sim_update_json);
    free(r);
}

void edge_req_hold(edge_req *r)
{
    r->refs++;
}

int edge_req_release(edge_req *r)
{
    int alive = r->wsi != NULL;
    if (--r->refs == 0) {
        req_free(r);
        return 0;
    }
    return alive;
}

static void log_request(edge_req *r);

void edge_req_detach(edge_req *r)
{
    if (!r->logged) { /* client went away first: 499, as nginx logs it */
        r->status = 499;
        log_request(r);
    }
    r->wsi = NULL;
    edge_req_release(r);
}

char *edge_req_body_alloc(size_t len)
{
    return malloc(LWS_PRE + len + 1);
}

void edge_req_respond(edge_req *r, int status, const char *ctype, char *body, size_t len)
{
    if (r->responded) { /* first answer wins; a second is a bug, never a crash */
        free(body);
        return;
    }
    r->responded = 1;
    /* Sliding expiry only after success: no 401/403 (nor any error) ever extends a session. */
    if (r->has_session && status < 400)
        edge_auth_session_slide(r->http->ctx->redis, r->token, r->session.admin_id,
                                r->http->ctx->cfg->session_ttl_sec);
    r->status = status;
    r->ctype = ctype;
    r->resp = body;
    r->resp_len = body ? len : 0;
    r->resp_off = 0;
    if (r->wsi) lws_callback_on_writable(r->wsi);
}

void edge_req_respond_json(edge_req *r, int status, const char *json, size_t len)
{
    char *b = edge_req_body_alloc(len);
    if (!b) {
        edge_req_respond(r, 500, "application/problem+json", NULL, 0);
        return;
    }
    memcpy(b + LWS_PRE, json, len);
    edge_req_respond(r, status, "application/json", b, len);
}

void edge_req_problem(edge_req *r, int status, const char *detail, const char *field)
{
    size_t len = 0;
    char *json = edge_problem_json(status, detail, field && *field ? field : NULL, &len);
    char *b = json ? edge_req_body_alloc(len) : NULL;
    if (b) memcpy(b + LWS_PRE, json, len);
    free(json);
    edge_req_respond(r, status, "application/problem+json", b, b ? len : 0);
}

void edge_req_add_header(edge_req *r, const char *name, const char *value)
{
    if (r->n_extra >= 3) return;
    snprintf(r->extra_headers[r->n_extra][0], sizeof(r->extra_headers[0][0]), "%s", name);
    snprintf(r->extra_headers[r->n_extra][1], sizeof(r->extra_headers[0][1]), "%s", value);
    r->n_extra++;
}

int edge_http_add_security_headers(struct lws *wsi, unsigned char **p, unsigned char *end)
{
    static const char *const hdrs[][2] = {
        {"x-content-type-options:", "nosniff"},
        {"referrer-policy:", "no-referrer"},
        {"x-frame-options:", "DENY"},
        {"content-security-policy:", csp},
    };
    for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++)
        if (lws_add_http_header_by_name(wsi, (const unsigned char *)hdrs[i][0],
                                        (const unsigned char *)hdrs[i][1], (int)strlen(hdrs[i][1]),
                                        p, end))
            return -1;
    return 0;
}

static void log_request(edge_req *r)
{
    r->logged = 1;
    edge_metrics_http(r->route.name, r->status);
    char status[8], dur[32], admin[24];
    snprintf(status, sizeof(status), "%d", r->status);
    snprintf(dur, sizeof(dur), "%.3f", (double)(edge_now_us() - r->start_us) / 1000.0);
    if (r->has_session)
        snprintf(admin, sizeof(admin), "%lld", r->session.admin_id);
    else
        admin[0] = '\0';
    EDGE_INFO("http request", "method", r->method, "path", r->path, "status", status, "duration_ms",
              dur, "admin_id", admin);
}

static int write_headers(edge_req *r, struct lws *wsi)
{
    unsigned char buf[LWS_PRE + 4096], *start = buf + LWS_PRE, *p = start,
                                       *end = buf + sizeof(buf) - 1;
    /* 204 carries no body and, per RFC 9110, no Content-Length. */
    lws_filepos_t clen = r->status == 204 ? LWS_ILLEGAL_HTTP_CONTENT_LEN : r->resp_len;
    const char *ctype = r->status == 204 ? NULL : r->ctype;
    if (lws_add_http_common_headers(wsi, (unsigned)r->status, ctype, clen, &p, end)) return -1;
    if (edge_http_add_security_headers(wsi, &p, end)) return -1;
    if (lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
                                    (const unsigned char *)"no-store", 8, &p, end))
        return -1;
    for (int i = 0; i < r->n_extra; i++) {
        const char *v = r->extra_headers[i][1];
        if (lws_add_http_header_by_name(wsi, (const unsigned char *)r->extra_headers[i][0],
                                        (const unsigned char *)v, (int)strlen(v), &p, end))
            return -1;
    }
    if (r->close_after && lws_add_http_header_by_name(wsi, (const unsigned char *)"connection:",
                                                      (const unsigned char *)"close", 5, &p, end))
        return -1;
    if (lws_finalize_write_http_header(wsi, start, &p, end)) return -1;
    return 0;
}

int edge_req_write(edge_req *r, struct lws *wsi, edge_pss *pss)
{
    if (!r->responded) return 0;
    if (!r->headers_sent) {
        if (write_headers(r, wsi) < 0) goto close;
        r->headers_sent = 1;
        if (r->resp_len && !r->is_head) {
            lws_callback_on_writable(wsi);
            return 0;
        }
    } else if (r->resp_off < r->resp_len) {
        size_t n = r->resp_len - r->resp_off;
        int last;
        if (n > BODY_CHUNK) n = BODY_CHUNK;
        last = r->resp_off + n == r->resp_len;
        /* lws may use the LWS_PRE bytes before the chunk; those were already sent. */
        unsigned char *chunk = (unsigned char *)r->resp + LWS_PRE + r->resp_off;
        if (lws_write(wsi, chunk, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) < (int)n)
            goto close;
        r->resp_off += n;
        if (!last) {
            lws_callback_on_writable(wsi);
            return 0;
        }
    }
    /* Transaction done. */
    log_request(r);
    pss->req = NULL;
    {
        int close_after = r->close_after;
        edge_req_detach(r);
        if (close_after) return -1;
    }
    edge_http_conn_idle(lws_context_user(lws_get_context(wsi)), wsi);
    if (lws_http_transaction_completed(wsi)) return -1;
    return 0;
close:
    log_request(r);
    pss->req = NULL;
    edge_req_detach(r);
    return -1;
}
