/* Asynchronous HTTP client: libcurl's multi interface driven by the libuv loop
 * (CURLMOPT_SOCKETFUNCTION/TIMERFUNCTION on uv_poll_t/uv_timer_t). General enough for the
 * Telegram poller now and the LLM providers later. */
#ifndef EDGE_CURL_H
#define EDGE_CURL_H

#include <stddef.h>
#include <uv.h>

typedef struct edge_curl edge_curl;
typedef struct edge_curl_req edge_curl_req;

/* Streaming body consumer: called with each chunk of a 2xx response body as it arrives (the
 * body is then not buffered; a non-2xx body still is, for its error message). Return 0 to go
 * on, non-zero to abort the transfer (the request then ends with curl_code
 * CURLE_WRITE_ERROR and error "aborted by the consumer"). */
typedef int (*edge_curl_data_cb)(const char *buf, size_t len, void *ud);

typedef struct edge_curl_request {
    const char *method;         /* "GET", "POST", ...; NULL means GET (or POST with a body) */
    const char *url;            /* secret when it carries a token: never logged here */
    const char *const *headers; /* NULL-terminated "Name: value" list, may be NULL */
    const char *body;           /* copied; may be NULL */
    size_t body_len;
    long timeout_ms;           /* whole request; 0 means none */
    long connect_timeout_ms;   /* 0 means curl's default */
    size_t max_response_bytes; /* 0 means 64 MiB */
    edge_curl_data_cb on_data; /* NULL: buffer the whole body */
    void *data_ud;
    /* a Telegram Bot API method ("sendMessage"): the answer is counted in
     * rt_telegram_requests_total{method,code} (copied; NULL: not a Bot API call) */
    const char *tg_method;
} edge_curl_request;

typedef struct edge_curl_response {
    int ok;           /* 1 when an HTTP response arrived (any status) */
    long status;      /* HTTP status, 0 when none */
    const char *body; /* NUL-terminated; valid only during the callback */
    size_t body_len;
    int curl_code;     /* CURLcode */
    const char *error; /* curl's message when !ok; never contains the URL path */
    long retry_after;  /* seconds of a Retry-After header (delta form), 0 when none */
} edge_curl_response;

typedef void (*edge_curl_cb)(const edge_curl_response *r, void *ud);

edge_curl *edge_curl_create(uv_loop_t *loop);
/* Cancels every request still running (their callbacks are not called) and frees the client
 * once libuv has closed its handles. */
void edge_curl_destroy(edge_curl *c);

/* Starts a request; cb runs exactly once unless the request is cancelled. Returns a handle for
 * edge_curl_cancel (valid until cb runs), or NULL on error (cb not called). */
edge_curl_req *edge_curl_start(edge_curl *c, const edge_curl_request *req, edge_curl_cb cb,
                               void *ud);
void edge_curl_cancel(edge_curl_req *r);

#endif
