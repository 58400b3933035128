/* Prometheus metrics (see edge_metrics.h): the registry and its text exposition writer, the
 * edge's metric families with their counting functions, and GET /metrics (auth, the gauges read
 * at scrape time from a snapshot refreshed asynchronously, the answer). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "edge_api.h"
#include "edge_config.h"
#include "edge_http_int.h"
#include "edge_keys.h"
#include "edge_log.h"
#include "edge_metrics.h"
#include "edge_pg.h"
#include "edge_redis.h"

/* ---- output buffer ---- */

void edge_mbuf_free(edge_mbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

static int mbuf_reserve(edge_mbuf *b, size_t extra)
{
    if (b->oom) return -1;
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

static void mbuf_put(edge_mbuf *b, const char *s, size_t n)
{
    if (mbuf_reserve(b, n) < 0) return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void mbuf_str(edge_mbuf *b, const char *s)
{
    mbuf_put(b, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when the bytes there are not one. */
static size_t utf8_seq(const unsigned char *s)
{
    if (s[0] < 0x80) return 1;
    size_t n = (s[0] & 0xe0) == 0xc0   ? 2
               : (s[0] & 0xf0) == 0xe0 ? 3
               : (s[0] & 0xf8) == 0xf0 ? 4
                                       : 0;
    if (n == 0 || (n == 2 && s[0] < 0xc2) || (n == 4 && s[0] > 0xf4)) return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    if (n == 3 && s[0] == 0xe0 && s[1] < 0xa0) return 0;  /* overlong */
    if (n == 3 && s[0] == 0xed && s[1] >= 0xa0) return 0; /* surrogate */
    if (n == 4 && s[0] == 0xf0 && s[1] < 0x90) return 0;  /* overlong */
    if (n == 4 && s[0] == 0xf4 && s[1] >= 0x90) return 0; /* above U+10FFFF */
    return n;
}

/* HELP text escapes \ and newline; label values also ". Bytes that are not UTF-8 become '?'. */
static void mbuf_escaped(edge_mbuf *b, const char *s, int quote)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        size_t n = utf8_seq(p);
        if (n == 0) {
            mbuf_put(b, "?", 1);
            p++;
        } else if (*p == '\\') {
            mbuf_put(b, "\\\\", 2);
            p++;
        } else if (*p == '\n') {
            mbuf_put(b, "\\n", 2);
            p++;
        } else if (*p == '"' && quote) {
            mbuf_put(b, "\\\"", 2);
            p++;
        } else {
            mbuf_put(b, (const char *)p, n);
            p += n;
        }
    }
}

/* A sample value as Prometheus reads it: the shortest of %.15g/%.17g that reads back exactly. */
static void mbuf_value(edge_mbuf *b, double v)
{
    char s[40];
    if (isnan(v))
        snprintf(s, sizeof(s), "NaN");
    else if (isinf(v))
        snprintf(s, sizeof(s), v > 0 ? "+Inf" : "-Inf");
    else {
        snprintf(s, sizeof(s), "%.15g", v);
        if (strtod(s, NULL) != v) snprintf(s, sizeof(s), "%.17g", v);
    }
    mbuf_str(b, s);
}

/* ---- the registry ---- */

static size_t nlabels(const edge_metric *m)
{
    size_t n = 0;
    while (n < EDGE_METRIC_MAX_LABELS && m->labels[n]) n++;
    return n;
}

static uint64_t hash_values(const char *const *values, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = (const unsigned char *)(values && values[i] ? values[i] : "");
        for (; *p; p++) h = (h ^ *p) * 1099511628211ull;
        h = (h ^ 0xff) * 1099511628211ull; /* separator: ("ab","") differs from ("a","b") */
    }
    return h;
}

static int same_values(const edge_metric_series *s, const char *const *values, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s->values[i], values && values[i] ? values[i] : "") != 0) return 0;
    return 1;
}

static void series_free(edge_metric_series *s, size_t n)
{
    for (size_t i = 0; i < n; i++) free(s->values[i]);
    free(s->buckets);
}

static edge_metric_series *find(const edge_metric *m, const char *const *values, uint64_t h)
{
    size_t n = nlabels(m);
    for (size_t i = 0; i < m->n; i++)
        if (m->s[i].hash == h && same_values(&m->s[i], values, n)) return &m->s[i];
    return NULL;
}

/* The series of these label values, created when new; NULL when out of memory. Once
 * max_series - 1 combinations exist, new ones share one last series labelled "other". */
static edge_metric_series *series(edge_metric *m, const char *const *values)
{
    static const char *const other[EDGE_METRIC_MAX_LABELS] = {"other", "other", "other"};
    size_t n = nlabels(m);
    uint64_t h = hash_values(values, n);
    edge_metric_series *s = find(m, values, h);
    if (s) return s;
    if (m->max_series && m->n + 1 >= m->max_series) { /* the last place is "other"'s */
        values = other;
        h = hash_values(values, n);
        if ((s = find(m, values, h))) return s;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 8;
        edge_metric_series *ns = realloc(m->s, cap * sizeof(*ns));
        if (!ns) return NULL;
        m->s = ns;
        m->cap = cap;
    }
    s = &m->s[m->n];
    memset(s, 0, sizeof(*s));
    s->hash = h;
    for (size_t i = 0; i < n; i++) {
        if (!(s->values[i] = strdup(values && values[i] ? values[i] : ""))) goto oom;
    }
    if (m->type == EDGE_METRIC_HISTOGRAM && m->nbounds &&
        !(s->buckets = calloc(m->nbounds, sizeof(*s->buckets))))
        goto oom;
    m->n++;
    return s;
oom:
    series_free(s, n);
    return NULL;
}

void edge_metric_add(edge_metric *m, const char *const *values, double by)
{
    if (m->type == EDGE_METRIC_HISTOGRAM || isnan(by)) return;
    if (m->type == EDGE_METRIC_COUNTER && by < 0) return;
    edge_metric_series *s = series(m, values);
    if (s) s->value += by;
}

void edge_metric_set(edge_metric *m, const char *const *values, double v)
{
    if (m->type != EDGE_METRIC_GAUGE) return;
    edge_metric_series *s = series(m, values);
    if (s) s->value = v;
}

void edge_metric_observe(edge_metric *m, const char *const *values, double v)
{
    if (m->type != EDGE_METRIC_HISTOGRAM || isnan(v)) return;
    edge_metric_series *s = series(m, values);
    if (!s) return;
    for (size_t i = 0; i < m->nbounds; i++) {
        if (v <= m->bounds[i]) {
            s->buckets[i]++;
            break;
        }
    }
    s->count++;
    s->sum += v;
}

void edge_metric_clear(edge_metric *m)
{
    size_t n = nlabels(m);
    for (size_t i = 0; i < m->n; i++) series_free(&m->s[i], n);
    free(m->s);
    m->s = NULL;
    m->n = m->cap = 0;
}

double edge_metric_get(const edge_metric *m, const char *const *values)
{
    const edge_metric_series *s = find(m, values, hash_values(values, nlabels(m)));
    if (!s) return -1;
    return m->type == EDGE_METRIC_HISTOGRAM ? (double)s->count : s->value;
}

/* name{l1="v1",...,extra_name="extra_value"} value\n; extra for a bucket's le. */
static void write_sample(edge_mbuf *b, const edge_metric *m, const char *suffix,
                         const edge_metric_series *s, const char *extra_name,
                         const char *extra_value, double v)
{
    size_t n = nlabels(m);
    mbuf_str(b, m->name);
    mbuf_str(b, suffix);
    if (n || extra_name) {
        mbuf_put(b, "{", 1);
        for (size_t i = 0; i < n; i++) {
            if (i) mbuf_put(b, ",", 1);
            mbuf_str(b, m->labels[i]);
            mbuf_put(b, "=\"", 2);
            mbuf_escaped(b, s ? s->values[i] : "", 1);
            mbuf_put(b, "\"", 1);
        }
        if (extra_name) {
            if (n) mbuf_put(b, ",", 1);
            mbuf_str(b, extra_name);
            mbuf_put(b, "=\"", 2);
            mbuf_str(b, extra_value);
            mbuf_put(b, "\"", 1);
        }
        mbuf_put(b, "}", 1);
    }
    mbuf_put(b, " ", 1);
    mbuf_value(b, v);
    mbuf_put(b, "\n", 1);
}

static void write_family(edge_mbuf *b, const edge_metric *m)
{
    static const char *const types[] = {"counter", "gauge", "histogram"};
    mbuf_str(b, "# HELP ");
    mbuf_str(b, m->name);
    mbuf_put(b, " ", 1);
    mbuf_escaped(b, m->help, 0);
    mbuf_str(b, "\n# TYPE ");
    mbuf_str(b, m->name);
    mbuf_put(b, " ", 1);
    mbuf_str(b, types[m->type]);
    mbuf_put(b, "\n", 1);
    if (m->n == 0 && nlabels(m) == 0 && m->type != EDGE_METRIC_HISTOGRAM) {
        write_sample(b, m, "", NULL, NULL, NULL, 0);
        return;
    }
    for (size_t i = 0; i < m->n; i++) {
        const edge_metric_series *s = &m->s[i];
        if (m->type != EDGE_METRIC_HISTOGRAM) {
            write_sample(b, m, "", s, NULL, NULL, s->value);
            continue;
        }
        uint64_t cum = 0;
        for (size_t k = 0; k < m->nbounds; k++) {
            edge_mbuf le = {0};
            cum += s->buckets[k];
            mbuf_value(&le, m->bounds[k]);
            write_sample(b, m, "_bucket", s, "le", le.oom ? "0" : le.p, (double)cum);
            edge_mbuf_free(&le);
        }
        write_sample(b, m, "_bucket", s, "le", "+Inf", (double)s->count);
        write_sample(b, m, "_sum", s, NULL, NULL, s->sum);
        write_sample(b, m, "_count", s, NULL, NULL, (double)s->count);
    }
}

int edge_metrics_write(edge_mbuf *b, edge_metric *const *families, size_t n)
{
    for (size_t i = 0; i < n; i++) write_family(b, families[i]);
    return b->oom ? -1 : 0;
}

/* ---- the edge's families (docs/design/contract-ship.md) ---- */

/* seconds: a model call from a fraction of a second to minutes; a pool wait from 0.5 ms */
static const double llm_bounds[] = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300};
static const double first_token_bounds[] = {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 60};
static const double pg_wait_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                        0.1,    0.25,  0.5,    1,     2.5,  5,     10};
#define NB(a) (sizeof(a) / sizeof((a)[0]))
/* providers are the configured ones (a handful); 64 leaves room for renames over an uptime */
#define MAX_PROVIDERS 64

static edge_metric m_build = EDGE_METRIC(EDGE_METRIC_GAUGE, "rt_build_info",
                                         "The running rt-edge (always 1), by release version.",
                                         EDGE_LABELS("version"), NULL, 0, 4);
static edge_metric m_ingested =
    EDGE_METRIC(EDGE_METRIC_COUNTER, "rt_updates_ingested_total",
                "Telegram updates this edge stored through rt.ingest.", EDGE_NO_LABELS, NULL, 0, 1);
static edge_metric m_stream_len = EDGE_METRIC(
    EDGE_METRIC_GAUGE, "rt_stream_length",
    "Entries in the Redis stream (XLEN), read at scrape time.", EDGE_LABELS("stream"), NULL, 0, 8);
static edge_metric m_stream_pending =
    EDGE_METRIC(EDGE_METRIC_GAUGE, "rt_stream_pending",
                "Entries delivered to the consumer group and not yet acknowledged (XPENDING).",
                EDGE_LABELS("stream", "group"), NULL, 0, 32);
static edge_metric m_stream_lag =
    EDGE_METRIC(EDGE_METRIC_GAUGE, "rt_stream_lag",
                "Entries of the stream not yet delivered to the consumer group (XINFO GROUPS lag).",
                EDGE_LABELS("stream", "group"), NULL, 0, 32);
static edge_metric m_backlog =
    EDGE_METRIC(EDGE_METRIC_GAUGE, "rt_outbox_backlog",
                "Outbox jobs not yet done and not dead (PostgreSQL), read at scrape time.",
                EDGE_NO_LABELS, NULL, 0, 1);
static edge_metric m_dead = EDGE_METRIC(EDGE_METRIC_COUNTER, "rt_dead_letters_total",
                                        "Entries this edge moved to {rt}:dead, by source stream.",
                                        EDGE_LABELS("stream"), NULL, 0, 8);
static edge_metric m_llm_req =
    EDGE_METRIC(EDGE_METRIC_COUNTER, "rt_llm_requests_total",
                "Model calls by provider and outcome (ok, error, timeout, cancelled).",
                EDGE_LABELS("provider", "outcome"), NULL, 0, MAX_PROVIDERS * 4);
static edge_metric m_llm_dur =
    EDGE_METRIC(EDGE_METRIC_HISTOGRAM, "rt_llm_request_duration_seconds",
                "Duration of a whole model call, by provider.", EDGE_LABELS("provider"), llm_bounds,
                NB(llm_bounds), MAX_PROVIDERS);
static edge_metric m_llm_first =
    EDGE_METRIC(EDGE_METRIC_HISTOGRAM, "rt_llm_first_token_seconds",
                "Time from the start of a model call to its first streamed token, by provider.",
                EDGE_LABELS("provider"), first_token_bounds, NB(first_token_bounds), MAX_PROVIDERS);
static edge_metric m_llm_tokens =
    EDGE_METRIC(EDGE_METRIC_COUNTER, "rt_llm_tokens_total",
                "Tokens billed for recorded replies, by provider and kind (prompt, completion).",
                EDGE_LABELS("provider", "kind"), NULL, 0, MAX_PROVIDERS * 2);
static edge_metric m_llm_cost =
    EDGE_METRIC(EDGE_METRIC_COUNTER, "rt_llm_cost_usd_total",
                "Cost in USD of recorded replies, as recorded on the message, by provider.",
                EDGE_LABELS("provider"), NULL, 0, MAX_PROVIDERS);
static edge_metric m_tg_req =
    EDGE_METRIC(EDGE_METRIC_COUNTER, "rt_telegram_requests_total",
                "Telegram Bot API calls by method and HTTP status (0: no answer).",
                EDGE_LABELS("method", "code"), NULL, 0, 256);
static edge_metric m_tg_429 =
    EDGE_METRIC(EDGE_METRIC_COUNTER, "rt_telegram_429_total",
                "Telegram Bot API answers 429 (flood control).", EDGE_NO_LABELS, NULL, 0, 1);
static edge_metric m_ws =
    EDGE_METRIC(EDGE_METRIC_GAUGE, "rt_ws_clients",
                "Open, authenticated console WebSockets on this edge.", EDGE_NO_LABELS, NULL, 0, 1);
static edge_metric m_pg_waits =
    EDGE_METRIC(EDGE_METRIC_COUNTER, "rt_pg_pool_waits_total",
                "PostgreSQL calls that found no free connection in their pool and waited.",
                EDGE_LABELS("pool"), NULL, 0, 8);
static edge_metric m_pg_wait =
    EDGE_METRIC(EDGE_METRIC_HISTOGRAM, "rt_pg_pool_wait_seconds",
                "How long PostgreSQL calls that waited for a connection waited.",
                EDGE_LABELS("pool"), pg_wait_bounds, NB(pg_wait_bounds), 8);
static edge_metric m_pg_in_use = EDGE_METRIC(EDGE_METRIC_GAUGE, "rt_pg_pool_in_use",
                                             "PostgreSQL connections of the pool busy with a call.",
                                             EDGE_LABELS("pool"), NULL, 0, 8);
static edge_metric m_http =
    EDGE_METRIC(EDGE_METRIC_COUNTER, "rt_http_requests_total",
                "HTTP answers by route name (the route table's) and status code.",
                EDGE_LABELS("route", "code"), NULL, 0, 1024);

static edge_metric *const families[] = {
    &m_build,   &m_ingested, &m_stream_len, &m_stream_pending, &m_stream_lag, &m_backlog, &m_dead,
    &m_llm_req, &m_llm_dur,  &m_llm_first,  &m_llm_tokens,     &m_llm_cost,   &m_tg_req,  &m_tg_429,
    &m_ws,      &m_pg_waits, &m_pg_wait,    &m_pg_in_use,      &m_http,
};
#define NFAMILIES (sizeof(families) / sizeof(families[0]))

void edge_metrics_updates_ingested(long long n)
{
    if (n > 0) edge_metric_add(&m_ingested, NULL, (double)n);
}

void edge_metrics_dead_letter(const char *stream)
{
    const char *v[] = {stream};
    edge_metric_add(&m_dead, v, 1);
}

void edge_metrics_llm_call(const char *provider, const char *outcome, double seconds)
{
    const char *v[] = {provider ? provider : "", outcome};
    edge_metric_add(&m_llm_req, v, 1);
    if (seconds >= 0) edge_metric_observe(&m_llm_dur, v, seconds);
}

void edge_metrics_llm_first_token(const char *provider, double seconds)
{
    const char *v[] = {provider ? provider : ""};
    if (seconds >= 0) edge_metric_observe(&m_llm_first, v, seconds);
}

void edge_metrics_llm_usage(const char *provider, long long prompt, long long completion,
                            double cost_usd)
{
    const char *p = provider ? provider : "";
    const char *vp[] = {p, "prompt"}, *vc[] = {p, "completion"}, *v[] = {p};
    if (prompt > 0) edge_metric_add(&m_llm_tokens, vp, (double)prompt);
    if (completion > 0) edge_metric_add(&m_llm_tokens, vc, (double)completion);
    if (cost_usd >= 0) edge_metric_add(&m_llm_cost, v, cost_usd);
}

void edge_metrics_telegram(const char *method, long status)
{
    char code[24];
    snprintf(code, sizeof(code), "%ld", status > 0 && status < 1000 ? status : 0L);
    const char *v[] = {method, code};
    edge_metric_add(&m_tg_req, v, 1);
    if (status == 429) edge_metric_add(&m_tg_429, NULL, 1);
}

void edge_metrics_pg_wait(const char *pool, double seconds)
{
    const char *v[] = {pool};
    edge_metric_add(&m_pg_waits, v, 1);
    edge_metric_observe(&m_pg_wait, v, seconds < 0 ? 0 : seconds);
}

void edge_metrics_http(const char *route, int status)
{
    char code[16];
    snprintf(code, sizeof(code), "%d", status > 0 && status < 1000 ? status : 0);
    const char *v[] = {route ? route : "none", code};
    edge_metric_add(&m_http, v, 1);
}

int edge_metrics_render(edge_mbuf *b)
{
    static const char *const dead_from[] = {EDGE_KEY_IN, EDGE_KEY_LLM, EDGE_KEY_SEND};
    const char *v[] = {EDGE_VERSION};
    edge_metric_set(&m_build, v, 1);
    /* a 0 before the first dead letter, so increase() sees the first one too */
    for (size_t i = 0; i < sizeof(dead_from) / sizeof(dead_from[0]); i++) {
        const char *d[] = {dead_from[i]};
        edge_metric_add(&m_dead, d, 0);
    }
    return edge_metrics_write(b, families, NFAMILIES);
}

void edge_metrics_reset(void)
{
    for (size_t i = 0; i < NFAMILIES; i++) edge_metric_clear(families[i]);
}

/* ---- the bearer token ---- */

static int sha256(const char *s, size_t n, unsigned char out[32])
{
    unsigned int len = 0;
    return EVP_Digest(s, n, out, &len, EVP_sha256(), NULL) == 1 && len == 32 ? 0 : -1;
}

int edge_metrics_bearer_ok(const char *authorization, const char *want)
{
    unsigned char got_d[32], want_d[32];
    const char *tok = "";
    int scheme = authorization && strncasecmp(authorization, "Bearer ", 7) == 0;
    if (scheme) {
        tok = authorization + 7;
        while (*tok == ' ') tok++;
    }
    /* both digests are always computed: the time depends on neither token */
    if (sha256(tok, strlen(tok), got_d) < 0 ||
        sha256(want ? want : "", want ? strlen(want) : 0, want_d) < 0)
        return 0;
    int same = CRYPTO_memcmp(got_d, want_d, sizeof(got_d)) == 0;
    OPENSSL_cleanse(got_d, sizeof(got_d));
    return same && scheme && tok[0] && want && want[0];
}

/* ---- the gauges read at scrape time ---- */

static const char *const streams[] = {EDGE_KEY_IN, EDGE_KEY_LLM, EDGE_KEY_SEND, EDGE_KEY_DEAD};
#define NSTREAMS (sizeof(streams) / sizeof(streams[0]))
#define MAX_GROUPS 4

typedef struct group_snap {
    char name[64];
    long long pending, lag;
    int has_lag; /* Redis cannot always tell the lag (entries deleted in between): then none */
} group_snap;

typedef struct stream_snap {
    int has_len;
    long long len;
    int ngroups;
    group_snap g[MAX_GROUPS];
} stream_snap;

static struct {
    edge_ctx *ctx;
    stream_snap st[NSTREAMS];
    int has_backlog;
    long long backlog;
    uint64_t redis_at, pg_at; /* uv_now (ms) when the last re-read began; 0: never */
    int redis_out;            /* Redis replies still to come */
    int pg_busy;              /* the outbox call is under way */
    edge_req **waiters;       /* scrapes waiting for a re-read (held) */
    size_t nwaiters, capw;
    uv_timer_t *timer; /* the wait bound; heap, freed by its close callback */
    int stopped;
} sc;

static long long reply_int(const redisReply *r)
{
    return r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
}

static void parse_groups(stream_snap *s, const redisReply *reply)
{
    s->ngroups = 0;
    if (!reply || (reply->type != REDIS_REPLY_ARRAY)) return; /* no such stream: no groups */
    for (size_t i = 0; i < reply->elements && s->ngroups < MAX_GROUPS; i++) {
        const redisReply *g = reply->element[i];
        group_snap gs;
        int has_name = 0, has_pending = 0;
        if (!g || g->type != REDIS_REPLY_ARRAY) continue; /* RESP2: [name, value, ...] */
        memset(&gs, 0, sizeof(gs));
        for (size_t k = 0; k + 1 < g->elements; k += 2) {
            const redisReply *key = g->element[k], *val = g->element[k + 1];
            if (!key || !val ||
                (key->type != REDIS_REPLY_STRING && key->type != REDIS_REPLY_STATUS))
                continue;
            if (strcmp(key->str, "name") == 0 && val->type == REDIS_REPLY_STRING) {
                snprintf(gs.name, sizeof(gs.name), "%s", val->str);
                has_name = 1;
            } else if (strcmp(key->str, "pending") == 0 && val->type == REDIS_REPLY_INTEGER) {
                gs.pending = val->integer;
                has_pending = 1;
            } else if (strcmp(key->str, "lag") == 0 && val->type == REDIS_REPLY_INTEGER) {
                gs.lag = val->integer;
                gs.has_lag = 1;
            }
        }
        if (has_name && has_pending) s->g[s->ngroups++] = gs;
    }
}

static void answer_waiters(void);

static void maybe_answer(void)
{
    if (sc.redis_out == 0 && !sc.pg_busy) answer_waiters();
}

/* ud: stream index * 2 + (0 XLEN, 1 XINFO GROUPS) */
static void on_stream_reply(redisReply *reply, void *ud)
{
    size_t i = (size_t)(uintptr_t)ud / 2;
    int groups = (int)((uintptr_t)ud % 2);
    if (sc.redis_out > 0) sc.redis_out--;
    if (sc.stopped || i >= NSTREAMS) return;
    if (!reply) { /* Redis went away: the values read before stay */
    } else if (groups) {
        parse_groups(&sc.st[i], reply);
    } else if (reply_int(reply) >= 0) {
        sc.st[i].has_len = 1;
        sc.st[i].len = reply_int(reply);
    }
    maybe_answer();
}

static void on_backlog(const edge_pg_result *r, void *ud)
{
    (void)ud;
    sc.pg_busy = 0;
    if (sc.stopped) return;
    if (strcmp(r->sqlstate, "00000") == 0 && r->res && PQntuples(r->res) == 1 &&
        !PQgetisnull(r->res, 0, 0)) {
        sc.backlog = strtoll(PQgetvalue(r->res, 0, 0), NULL, 10);
        sc.has_backlog = 1;
    } else if (strcmp(r->sqlstate, "00000") != 0) {
        EDGE_DEBUG("metrics: reading the outbox backlog failed", "sqlstate", r->sqlstate, "error",
                   r->errmsg);
    }
    maybe_answer();
}

/* Starts the re-reads whose values are older than EDGE_METRICS_FRESH_MS and not under way. */
static void refresh(void)
{
    uint64_t now = uv_now(sc.ctx->loop);
    if (sc.redis_out == 0 && (!sc.redis_at || now - sc.redis_at >= EDGE_METRICS_FRESH_MS)) {
        sc.redis_at = now;
        for (size_t i = 0; i < NSTREAMS; i++) {
            const char *xlen[] = {"XLEN", streams[i]};
            const char *xinfo[] = {"XINFO", "GROUPS", streams[i]};
            /* counted before sending: a callback may run before the call returns */
            sc.redis_out++;
            if (edge_redis_cmd(sc.ctx->redis, on_stream_reply, (void *)(uintptr_t)(i * 2), 2, xlen,
                               NULL) != EDGE_OK)
                sc.redis_out--;
            sc.redis_out++;
            if (edge_redis_cmd(sc.ctx->redis, on_stream_reply, (void *)(uintptr_t)(i * 2 + 1), 3,
                               xinfo, NULL) != EDGE_OK)
                sc.redis_out--;
        }
    }
    if (!sc.pg_busy && (!sc.pg_at || now - sc.pg_at >= EDGE_METRICS_FRESH_MS)) {
        sc.pg_at = now;
        /* the workers' pool: a flood of API calls never delays it, nor it them. Busy before the
         * call: a broken connection runs the callback before edge_pg_call returns */
        sc.pg_busy = 1;
        if (edge_pg_call(sc.ctx->pg_work, NULL, "SELECT rt.outbox_backlog()", 0, NULL, on_backlog,
                         NULL) != EDGE_OK)
            sc.pg_busy = 0;
    }
}

static void set_gauges(void)
{
    edge_ctx *c = sc.ctx;
    edge_metric_clear(&m_stream_len);
    edge_metric_clear(&m_stream_pending);
    edge_metric_clear(&m_stream_lag);
    edge_metric_clear(&m_pg_in_use);
    for (size_t i = 0; i < NSTREAMS; i++) {
        const stream_snap *s = &sc.st[i];
        const char *v[] = {streams[i]};
        if (s->has_len) edge_metric_set(&m_stream_len, v, (double)s->len);
        for (int k = 0; k < s->ngroups; k++) {
            const char *vg[] = {streams[i], s->g[k].name};
            edge_metric_set(&m_stream_pending, vg, (double)s->g[k].pending);
            if (s->g[k].has_lag) edge_metric_set(&m_stream_lag, vg, (double)s->g[k].lag);
        }
    }
    if (sc.has_backlog) edge_metric_set(&m_backlog, NULL, (double)sc.backlog);
    edge_metric_set(&m_ws, NULL, c->http ? (double)edge_ws_clients(c->http) : 0);
    const edge_pg *pools[] = {c->pg, c->pg_ingest, c->pg_work, c->pg_send};
    for (size_t i = 0; i < sizeof(pools) / sizeof(pools[0]); i++) {
        const char *name = edge_pg_name(pools[i]);
        const char *v[] = {name};
        if (name) edge_metric_set(&m_pg_in_use, v, (double)edge_pg_in_use(pools[i]));
    }
}

/* Answers one scrape with the exposition (rendered by the caller once for all waiters). */
static void respond(edge_req *r, const edge_mbuf *text)
{
    if (text->oom || !text->p) {
        edge_req_problem(r, 500, "out of memory", NULL);
        return;
    }
    char *body = edge_req_body_alloc(text->len);
    if (!body) {
        edge_req_problem(r, 500, "out of memory", NULL);
        return;
    }
    memcpy(body + LWS_PRE, text->p, text->len);
    edge_req_respond(r, 200, EDGE_METRICS_CONTENT_TYPE, body, text->len);
}

static void answer_waiters(void)
{
    edge_mbuf text = {0};
    size_t n = sc.nwaiters;
    if (n == 0) return;
    if (sc.timer) uv_timer_stop(sc.timer);
    set_gauges();
    edge_metrics_render(&text);
    sc.nwaiters = 0; /* a release may free a request; the list is ours again first */
    for (size_t i = 0; i < n; i++) {
        edge_req *r = sc.waiters[i];
        if (edge_req_release(r)) respond(r, &text);
    }
    edge_mbuf_free(&text);
}

static void on_wait_bound(uv_timer_t *t)
{
    (void)t;
    answer_waiters(); /* the re-read was slow: the last values read, now */
}

static void on_timer_closed(uv_handle_t *h)
{
    free(h);
}

static void scrape(edge_req *r)
{
    edge_ctx *c = r->http->ctx;
    if (sc.stopped) {
        edge_req_problem(r, 503, "rt-edge is shutting down", NULL);
        return;
    }
    sc.ctx = c;
    refresh();
    if (sc.redis_out == 0 && !sc.pg_busy) { /* fresh enough, or nothing could be sent */
        edge_mbuf text = {0};
        set_gauges();
        edge_metrics_render(&text);
        respond(r, &text);
        edge_mbuf_free(&text);
        return;
    }
    if (sc.nwaiters == sc.capw) {
        size_t cap = sc.capw ? sc.capw * 2 : 8;
        edge_req **w = realloc(sc.waiters, cap * sizeof(*w));
        if (!w) {
            edge_req_problem(r, 500, "out of memory", NULL);
            return;
        }
        sc.waiters = w;
        sc.capw = cap;
    }
    if (!sc.timer) {
        if (!(sc.timer = malloc(sizeof(*sc.timer)))) { /* freed by on_timer_closed */
            edge_req_problem(r, 500, "out of memory", NULL);
            return;
        }
        uv_timer_init(c->loop, sc.timer);
    }
    edge_req_hold(r);
    sc.waiters[sc.nwaiters++] = r;
    if (sc.nwaiters == 1) uv_timer_start(sc.timer, on_wait_bound, EDGE_METRICS_WAIT_MS, 0);
}

/* ---- GET /metrics: auth ---- */

#define UNAUTHORIZED "a valid bearer token (RT_METRICS_TOKEN) or an admin session is required"

int edge_metrics_authorize(edge_req *r)
{
    char auth[1024];
    int present, n;
    if (!r->wsi) return 1; /* the client is gone */
    n = lws_hdr_total_length(r->wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
    present = n > 0;
    auth[0] = '\0';
    if (present && (n >= (int)sizeof(auth) ||
                    lws_hdr_copy(r->wsi, auth, sizeof(auth), WSI_TOKEN_HTTP_AUTHORIZATION) < 0))
        auth[0] = '\0'; /* too long for any token: wrong */
    if (present) {      /* a credential was sent: it alone decides */
        int ok = edge_metrics_bearer_ok(auth, r->http->ctx->cfg->metrics_token);
        OPENSSL_cleanse(auth, sizeof(auth));
        if (ok)
            scrape(r);
        else
            edge_req_problem(r, 401, UNAUTHORIZED, NULL);
        return 1;
    }
    if (!r->token[0]) {
        edge_req_problem(r, 401, UNAUTHORIZED, NULL);
        return 1;
    }
    return 0;
}

static void on_role(const edge_pg_result *res, void *ud)
{
    edge_req *r = ud;
    if (!edge_req_release(r)) return;
    if (strcmp(res->sqlstate, "00000") != 0) {
        /* a stale session (28000) ends and answers 401, like every route's */
        edge_api_sql_error(r, res);
        return;
    }
    scrape(r);
}

void edge_metrics_session(edge_req *r)
{
    int rc;
    edge_req_hold(r);
    rc = edge_pg_call(r->http->ctx->pg, r->actor, "SELECT rt.require_role('viewer')", 0, NULL,
                      on_role, r);
    if (rc != EDGE_OK) {
        edge_req_release(r);
        edge_req_add_header(r, "retry-after:", "1");
        edge_req_problem(r, 503, "too many requests are waiting for the database", NULL);
    }
}

void edge_metrics_stop(void)
{
    sc.stopped = 1;
    for (size_t i = 0; i < sc.nwaiters; i++) edge_req_release(sc.waiters[i]);
    sc.nwaiters = 0;
    free(sc.waiters);
    sc.waiters = NULL;
    sc.capw = 0;
    if (sc.timer) {
        uv_timer_stop(sc.timer);
        uv_close((uv_handle_t *)sc.timer, on_timer_closed);
        sc.timer = NULL;
    }
}
