/* Pure helpers of the Telegram poller: classifying getUpdates responses, scanning update_id out
 * of bodies jansson refuses, and the retry backoff. No sockets, no loop: unit tested. */
#ifndef EDGE_TGPARSE_H
#define EDGE_TGPARSE_H

#include <stddef.h>
#include <jansson.h>

enum {
    EDGE_TG_UPDATES = 0, /* {"ok":true,"result":[...]}: result holds the array */
    EDGE_TG_RETRY_AFTER, /* 429 with parameters.retry_after: wait retry_after seconds */
    EDGE_TG_ERROR,       /* any other failure: back off */
    EDGE_TG_UNPARSABLE   /* HTTP 200 but not JSON for jansson: isolate and keep raw */
};

typedef struct edge_tg_response {
    int kind;
    json_t *result;          /* EDGE_TG_UPDATES: the result array (caller json_decref's) */
    long long max_update_id; /* EDGE_TG_UPDATES: largest update_id, -1 when none */
    int retry_after;         /* EDGE_TG_RETRY_AFTER: seconds (>= 1) */
    int error_code;          /* EDGE_TG_ERROR: Telegram's error_code or the HTTP status */
    char error[256];         /* description / jansson error text; never holds the URL */
} edge_tg_response;

/* Classifies one getUpdates answer. http_status 0 means no HTTP response at all. */
void edge_tg_classify(const char *body, size_t len, long http_status, edge_tg_response *out);

/* Finds the update_id of every element of "result" (depth: root object > result array >
 * update object) with a tolerant scanner that survives escapes jansson rejects. Writes up to
 * max ids; returns how many were found (may exceed max), 0 when none. */
size_t edge_tg_scan_update_ids(const char *body, size_t len, long long *ids, size_t max);

/* Exponential backoff 1 s .. 60 s for attempt 1, 2, ... with up to 25 % jitter from rnd. */
unsigned edge_tg_backoff_ms(unsigned attempt, unsigned rnd);

/* Builds the getUpdates JSON body into buf; returns its length or 0 when it did not fit. */
size_t edge_tg_request_body(char *buf, size_t cap, long long offset, int timeout, int limit);

/* The answer of any other Bot API method (sendMessage, deleteMessage, ...). */
typedef struct edge_tg_result {
    int ok;          /* 1: {"ok":true,...} */
    json_t *result;  /* ok: the result value (caller json_decref's); else NULL */
    int error_code;  /* Telegram's error_code, else the HTTP status; 0 without a response */
    int retry_after; /* seconds (>= 1) on a 429 with parameters.retry_after, else 0 */
    int permanent;   /* a 4xx other than 408/429: sending the same again cannot succeed */
    char error[256]; /* description; never holds the URL */
} edge_tg_result;

void edge_tg_parse_result(const char *body, size_t len, long http_status, edge_tg_result *out);

#endif
