/* curl multi on libuv, after curl's multi-uv example: each curl socket gets a uv_poll_t, curl's
 * single timeout is a uv_timer_t, and finished transfers are collected after every action. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "edge.h"
#include "edge_curl.h"
#include "edge_log.h"
#include "edge_metrics.h"

#define DEFAULT_MAX_RESPONSE (64u * 1024u * 1024u)

typedef struct sock_ctx {
    struct sock_ctx *prev, *next;
    edge_curl *client;
    uv_poll_t poll;
    curl_socket_t fd;
} sock_ctx;

struct edge_curl_req {
    struct edge_curl_req *prev, *next;
    edge_curl *client;
    CURL *easy;
    struct curl_slist *headers;
    char *body_copy;
    char *resp;
    size_t resp_len, resp_cap, resp_max;
    int too_big;
    int aborted; /* the streaming consumer asked to stop */
    long retry_after;
    edge_curl_data_cb on_data;
    void *data_ud;
    char errbuf[CURL_ERROR_SIZE];
    edge_curl_cb cb;
    void *ud;
    char tg_method[40]; /* "" unless a Bot API call (edge_metrics_telegram) */
};

struct edge_curl {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    sock_ctx *socks;
    edge_curl_req *reqs;
    int stopping;
    int open_handles;
};

static int global_init_done;

static void maybe_free_client(edge_curl *c)
{
    if (c->stopping && c->open_handles == 0) free(c);
}

static void on_sock_closed(uv_handle_t *h)
{
    sock_ctx *s = h->data;
    edge_curl *c = s->client;
    free(s);
    c->open_handles--;
    maybe_free_client(c);
}

static void sock_close(sock_ctx *s)
{
    edge_curl *c = s->client;
    if (s->prev)
        s->prev->next = s->next;
    else
        c->socks = s->next;
    if (s->next) s->next->prev = s->prev;
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, on_sock_closed);
}

static void req_free(edge_curl_req *r)
{
    edge_curl *c = r->client;
    if (r->prev)
        r->prev->next = r->next;
    else
        c->reqs = r->next;
    if (r->next) r->next->prev = r->prev;
    curl_multi_remove_handle(c->multi, r->easy);
    curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->headers);
    free(r->body_copy);
    free(r->resp);
    free(r);
}

static void check_done(edge_curl *c)
{
    CURLMsg *msg;
    int left;
    while (!c->stopping && (msg = curl_multi_info_read(c->multi, &left)) != NULL) {
        edge_curl_req *r = NULL;
        edge_curl_response resp;
        if (msg->msg != CURLMSG_DONE) continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
        if (!r) continue;
        memset(&resp, 0, sizeof(resp));
        resp.curl_code = msg->data.result;
        if (msg->data.result == CURLE_OK) {
            resp.ok = 1;
            curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &resp.status);
        } else {
            resp.error = r->too_big     ? "response too large"
                         : r->aborted   ? "aborted by the consumer"
                         : r->errbuf[0] ? r->errbuf
                                        : curl_easy_strerror(msg->data.result);
            curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &resp.status);
        }
        resp.retry_after = r->retry_after;
        if (r->tg_method[0]) edge_metrics_telegram(r->tg_method, resp.ok ? resp.status : 0);
        resp.body = r->resp ? r->resp : "";
        resp.body_len = r->resp_len;
        edge_curl_cb cb = r->cb;
        void *ud = r->ud;
        /* detach first so the callback may start or cancel other requests */
        r->cb = NULL;
        if (cb) cb(&resp, ud);
        req_free(r);
    }
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    sock_ctx *s = h->data;
    edge_curl *c = s->client;
    int running, flags = 0;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    else {
        if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
        if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
    }
    curl_multi_socket_action(c->multi, s->fd, flags, &running);
    check_done(c);
}

static void on_timeout(uv_timer_t *t)
{
    edge_curl *c = t->data;
    int running;
    curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(c);
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    edge_curl *c = userp;
    (void)multi;
    if (timeout_ms < 0)
        uv_timer_stop(&c->timer);
    else
        uv_timer_start(&c->timer, on_timeout, (uint64_t)timeout_ms, 0);
    return 0;
}

static int socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    edge_curl *c = userp;
    sock_ctx *s = socketp;
    int events = 0;
    (void)easy;
    if (what == CURL_POLL_REMOVE) {
        if (s) {
            curl_multi_assign(c->multi, fd, NULL);
            sock_close(s);
        }
        return 0;
    }
    if (!s) {
        s = calloc(1, sizeof(*s)); /* freed in on_sock_closed */
        if (!s) return -1;
        s->client = c;
        s->fd = fd;
        if (uv_poll_init_socket(c->loop, &s->poll, fd) != 0) {
            free(s);
            return -1;
        }
        s->poll.data = s;
        c->open_handles++;
        s->next = c->socks;
        if (c->socks) c->socks->prev = s;
        c->socks = s;
        curl_multi_assign(c->multi, fd, s);
    }
    if (what & CURL_POLL_IN) events |= UV_READABLE;
    if (what & CURL_POLL_OUT) events |= UV_WRITABLE;
    uv_poll_start(&s->poll, events, on_poll);
    return 0;
}

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
    edge_curl_req *r = ud;
    size_t n = size * nmemb;
    if (r->on_data) {
        long status = 0;
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200 && status < 300) {
            if (r->on_data(ptr, n, r->data_ud) != 0) {
                r->aborted = 1;
                return 0;
            }
            return n;
        }
    }
    if (r->resp_len + n > r->resp_max) {
        r->too_big = 1;
        return 0; /* aborts the transfer */
    }
    if (r->resp_len + n + 1 > r->resp_cap) {
        size_t cap = r->resp_cap ? r->resp_cap : 4096;
        while (cap < r->resp_len + n + 1) cap *= 2;
        char *p = realloc(r->resp, cap);
        if (!p) return 0;
        r->resp = p;
        r->resp_cap = cap;
    }
    memcpy(r->resp + r->resp_len, ptr, n);
    r->resp_len += n;
    r->resp[r->resp_len] = '\0';
    return n;
}

/* Keeps the one response header the callers act on: Retry-After in seconds. */
static size_t header_cb(char *buf, size_t size, size_t nitems, void *ud)
{
    edge_curl_req *r = ud;
    size_t n = size * nitems;
    static const char name[] = "retry-after:";
    if (n > sizeof(name) && strncasecmp(buf, name, sizeof(name) - 1) == 0) {
        char tmp[32];
        size_t len = n - (sizeof(name) - 1);
        if (len >= sizeof(tmp)) len = sizeof(tmp) - 1;
        memcpy(tmp, buf + sizeof(name) - 1, len);
        tmp[len] = '\0';
        long v = strtol(tmp, NULL, 10);
        r->retry_after = v > 0 ? (v > 3600 ? 3600 : v) : 0;
    }
    return n;
}

edge_curl *edge_curl_create(uv_loop_t *loop)
{
    edge_curl *c;
    if (!loop) return NULL;
    if (!global_init_done) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return NULL;
        global_init_done = 1;
    }
    c = calloc(1, sizeof(*c)); /* owned by the caller, released by edge_curl_destroy */
    if (!c) return NULL;
    c->loop = loop;
    c->multi = curl_multi_init();
    if (!c->multi) goto err;
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    uv_timer_init(loop, &c->timer);
    c->timer.data = c;
    c->open_handles = 1;
    return c;
err:
    free(c);
    return NULL;
}

edge_curl_req *edge_curl_start(edge_curl *c, const edge_curl_request *req, edge_curl_cb cb,
                               void *ud)
{
    edge_curl_req *r;
    if (!c || !req || !req->url || c->stopping) return NULL;
    r = calloc(1, sizeof(*r)); /* owned by the client until the callback has run */
    if (!r) return NULL;
    r->client = c;
    r->cb = cb;
    r->ud = ud;
    r->resp_max = req->max_response_bytes ? req->max_response_bytes : DEFAULT_MAX_RESPONSE;
    r->on_data = req->on_data;
    r->data_ud = req->data_ud;
    if (req->tg_method) snprintf(r->tg_method, sizeof(r->tg_method), "%s", req->tg_method);
    r->easy = curl_easy_init();
    if (!r->easy) goto err;
    for (const char *const *h = req->headers; h && *h; h++) {
        struct curl_slist *n = curl_slist_append(r->headers, *h);
        if (!n) goto err;
        r->headers = n;
    }
    curl_easy_setopt(r->easy, CURLOPT_URL, req->url);
    curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
    curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(r->easy, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(r->easy, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(r->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(r->easy, CURLOPT_ACCEPT_ENCODING, "");
    if (r->headers) curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->headers);
    if (req->timeout_ms > 0) curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS, req->timeout_ms);
    if (req->connect_timeout_ms > 0)
        curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms);
    if (req->body) {
        r->body_copy = malloc(req->body_len + 1);
        if (!r->body_copy) goto err;
        memcpy(r->body_copy, req->body, req->body_len);
        r->body_copy[req->body_len] = '\0';
        curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->body_copy);
        curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    }
    if (req->method && strcmp(req->method, "GET") != 0 && strcmp(req->method, "POST") != 0)
        curl_easy_setopt(r->easy, CURLOPT_CUSTOMREQUEST, req->method);
    else if (req->method && strcmp(req->method, "POST") == 0 && !req->body)
        curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, "");
    r->next = c->reqs;
    if (c->reqs) c->reqs->prev = r;
    c->reqs = r;
    if (curl_multi_add_handle(c->multi, r->easy) != CURLM_OK) {
        r->cb = NULL;
        req_free(r);
        return NULL;
    }
    return r;
err:
    if (r->easy) curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->headers);
    free(r->body_copy);
    free(r);
    return NULL;
}

void edge_curl_cancel(edge_curl_req *r)
{
    if (!r) return;
    r->cb = NULL;
    req_free(r);
}

static void on_timer_closed(uv_handle_t *h)
{
    edge_curl *c = h->data;
    c->open_handles--;
    maybe_free_client(c);
}

void edge_curl_destroy(edge_curl *c)
{
    if (!c || c->stopping) return;
    while (c->reqs) edge_curl_cancel(c->reqs);
    c->stopping = 1;
    curl_multi_cleanup(c->multi);
    c->multi = NULL;
    while (c->socks) sock_close(c->socks);
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *)&c->timer, on_timer_closed);
}
