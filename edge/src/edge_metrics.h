/* Prometheus metrics of rt-edge (docs/metrics.md; names fixed by docs/design/contract-ship.md).
 *
 * Three parts:
 *   - a registry of metric families with bounded label sets and the text exposition format
 *     0.0.4 writer (pure, unit-tested in tests/unit/test_metrics.c);
 *   - the counters the edge's modules bump where things happen (edge_metrics_*): plain numbers,
 *     since every module runs on the one libuv thread;
 *   - GET /metrics: the bearer token (RT_METRICS_TOKEN, compared in constant time) or an admin
 *     session (edge_api.c's session lookup, then rt.require_role('viewer') as the admin, so a
 *     session that ended or lost its role is refused at once), then the gauges read at scrape time
 *     (Redis streams, the outbox backlog) from a snapshot at most ~1 s old, refreshed
 *     asynchronously and never waited for longer than EDGE_METRICS_WAIT_MS.
 *
 * Usage: modules call the edge_metrics_* counters; edge_api_begin calls edge_metrics_authorize
 * for the /metrics route and, after a session was found, edge_metrics_session; main calls
 * edge_metrics_stop at shutdown and edge_metrics_reset once the loop has closed. */
#ifndef EDGE_METRICS_H
#define EDGE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define EDGE_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
/* rt_build_info's version: the release this edge belongs to (pg_extension/roundtable.control) */
#ifndef EDGE_VERSION
#define EDGE_VERSION "0.5.0"
#endif
/* the gauges read at scrape time are re-read when older than this */
#define EDGE_METRICS_FRESH_MS 1000
/* a scrape waits at most this long for a re-read, then answers with the last values read */
#define EDGE_METRICS_WAIT_MS 500

/* ---- the registry and the exposition writer (pure) ---- */

#define EDGE_METRIC_MAX_LABELS 3

typedef enum edge_metric_type {
    EDGE_METRIC_COUNTER,
    EDGE_METRIC_GAUGE,
    EDGE_METRIC_HISTOGRAM,
} edge_metric_type;

typedef struct edge_metric_series {
    uint64_t hash;                        /* of the label values, to find the series fast */
    char *values[EDGE_METRIC_MAX_LABELS]; /* owned copies */
    double value;                         /* counter or gauge */
    double sum;                           /* histogram */
    uint64_t count;                       /* histogram */
    uint64_t *buckets;                    /* histogram: per bound, not cumulative; owned */
} edge_metric_series;

/* One metric family. Declare it with EDGE_METRIC (static storage); its series are allocated on
 * first use and freed by edge_metric_clear. At most max_series label combinations are kept: the
 * values of any further one are counted under a series whose labels are all "other", so a
 * label set stays bounded whatever the callers pass. */
typedef struct edge_metric {
    edge_metric_type type;
    const char *name;
    const char *help;
    const char *labels[EDGE_METRIC_MAX_LABELS + 1]; /* label names, NULL-terminated */
    const double *bounds;                           /* histogram: upper bounds, ascending */
    size_t nbounds;
    size_t max_series;
    edge_metric_series *s;
    size_t n, cap;
} edge_metric;

/* EDGE_METRIC(type, name, help, EDGE_LABELS("a", "b") or EDGE_NO_LABELS, bounds, nbounds,
 * max_series) */
#define EDGE_LABELS(...)  \
    {                     \
        __VA_ARGS__, NULL \
    }
#define EDGE_NO_LABELS \
    {                  \
        NULL           \
    }
#define EDGE_METRIC(type_, name_, help_, labels_, bounds_, nbounds_, max_)                         \
    {                                                                                              \
        .type = (type_), .name = (name_), .help = (help_), .labels = labels_, .bounds = (bounds_), \
        .nbounds = (nbounds_), .max_series = (max_), .s = NULL, .n = 0, .cap = 0                   \
    }

/* values: one per label name (NULL counts as ""); ignored for a family without labels.
 * Counters: edge_metric_add with by >= 0 (negative or NaN is ignored). Gauges: _set or _add.
 * Histograms: _observe (NaN ignored). Wrong-type calls do nothing. */
void edge_metric_add(edge_metric *m, const char *const *values, double by);
void edge_metric_set(edge_metric *m, const char *const *values, double v);
void edge_metric_observe(edge_metric *m, const char *const *values, double v);
/* Drops every series (a gauge re-read from scratch; the unit tests; shutdown). */
void edge_metric_clear(edge_metric *m);
/* The value of a counter/gauge series, or a histogram's count; -1 when the series is absent. */
double edge_metric_get(const edge_metric *m, const char *const *values);

/* A growing output buffer; oom is set (and the text cut) when memory ran out. */
typedef struct edge_mbuf {
    char *p;
    size_t len, cap;
    int oom;
} edge_mbuf;
void edge_mbuf_free(edge_mbuf *b);

/* Appends the families in the text exposition format 0.0.4: "# HELP" (escaped), "# TYPE", then
 * each series, label values escaped (\\, \", \n; bytes that are not UTF-8 become '?'); a
 * histogram as _bucket{le=...} (cumulative, "+Inf" last), _sum and _count. A counter or gauge
 * without labels and without a value yet is written as 0. Returns 0, or -1 when out of memory. */
int edge_metrics_write(edge_mbuf *b, edge_metric *const *families, size_t n);

/* ---- the edge's counters (bumped where things happen) ---- */

/* rt_updates_ingested_total: n updates stored by one successful rt.ingest call */
void edge_metrics_updates_ingested(long long n);
/* rt_dead_letters_total{stream}: one entry of stream moved to {rt}:dead */
void edge_metrics_dead_letter(const char *stream);
/* rt_llm_requests_total{provider,outcome} and rt_llm_request_duration_seconds{provider};
 * outcome is "ok", "error", "timeout" or "cancelled" */
void edge_metrics_llm_call(const char *provider, const char *outcome, double seconds);
/* rt_llm_first_token_seconds{provider} */
void edge_metrics_llm_first_token(const char *provider, double seconds);
/* rt_llm_tokens_total{provider,kind} and rt_llm_cost_usd_total{provider} (cost < 0: unknown) */
void edge_metrics_llm_usage(const char *provider, long long prompt, long long completion,
                            double cost_usd);
/* rt_telegram_requests_total{method,code} (code 0: no HTTP answer) and rt_telegram_429_total */
void edge_metrics_telegram(const char *method, long status);
/* rt_pg_pool_waits_total{pool} and rt_pg_pool_wait_seconds{pool}: a call that found no free
 * connection got one (or gave up) after seconds */
void edge_metrics_pg_wait(const char *pool, double seconds);
/* rt_http_requests_total{route,code}: route is a name of the route table (static storage) */
void edge_metrics_http(const char *route, int status);

/* Renders every family of the edge (the gauges as last set) into b. For the unit tests and the
 * scrape. Returns 0 or -1 (out of memory). */
int edge_metrics_render(edge_mbuf *b);
/* Forgets every value (unit tests; main, once the loop has closed). */
void edge_metrics_reset(void);

/* ---- GET /metrics ---- */

struct edge_req;
struct edge_ctx;

/* The bearer check, from edge_api_begin. Returns 1 when the request was answered (scraped with a
 * valid token, or 401: a wrong token, or neither token nor session cookie), 0 when the session
 * cookie decides (edge_api looks the session up, then calls edge_metrics_session). */
int edge_metrics_authorize(struct edge_req *r);
/* The request has a session: the database confirms its admin still holds a role, then scrape. */
void edge_metrics_session(struct edge_req *r);
/* 1 when the Authorization header value is "Bearer <token>" (scheme case-insensitive) and
 * token equals want, compared on SHA-256 digests in constant time (neither the token's length
 * nor where it differs changes the time); 0 otherwise, also when want is empty. Pure. */
int edge_metrics_bearer_ok(const char *authorization, const char *want);
/* Shutdown: ends the waiting scrapes and closes the timer. */
void edge_metrics_stop(void);

#endif
