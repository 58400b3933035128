/* Job stream consumer (see edge_jobs.h). One Redis connection of its own blocks in XREADGROUP;
 * acks, claims and dead letters go over a second one so they never wait behind the block.
 * States of the reader: idle (capacity full or stopping) -> reading (XREADGROUP outstanding)
 * -> idle. A reclaim pass runs on a timer: XPENDING (idle entries) -> per entry either XCLAIM
 * and run it, or dead-letter it when its delivery count is over the limit. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edge_config.h"
#include "edge_jobs.h"
#include "edge_keys.h"
#include "edge_log.h"
#include "edge_metrics.h"
#include "edge_pg.h"
#include "edge_redis.h"

#define BLOCK_MS "2000"
#define RECLAIM_BATCH 100

struct edge_jobs {
    edge_ctx *ctx;
    char stream[32];
    char group[32];
    char consumer[128];
    int concurrency;
    edge_job_fn run;
    void *ud;
    edge_redis *reader; /* owned: blocking XREADGROUP */
    edge_redis *writer; /* owned: XACK, XPENDING, XCLAIM, XADD {rt}:dead */
    edge_job *jobs;     /* held jobs, doubly linked */
    int held;
    int reading;
    int group_ready;
    int stopping;
    int reclaiming;
    int creating;           /* XGROUP CREATE outstanding */
    int ops;                /* dead-letter chains under way: they hold j */
    int closed;             /* both timers closed */
    uint64_t last_touch_ms; /* loop time of the last rt.outbox_touch */
    uv_timer_t read_timer, reclaim_timer, beat_timer;
};

unsigned edge_jobs_backoff_ms(unsigned attempt, unsigned base_ms, unsigned cap_ms, unsigned rnd)
{
    unsigned long long ms = base_ms ? base_ms : 1;
    for (unsigned i = 1; i < attempt && ms < cap_ms; i++) ms *= 2;
    if (ms > cap_ms) ms = cap_ms;
    /* full jitter over the upper half keeps retries of many jobs apart */
    return (unsigned)(ms / 2 + (rnd % (ms / 2 + 1)));
}

int edge_jobs_in_flight(const edge_jobs *j)
{
    return j ? j->held : 0;
}

static void read_more(edge_jobs *j);

static void on_read_timer(uv_timer_t *t)
{
    read_more(t->data);
}

static void maybe_free(edge_jobs *j)
{
    if (j->closed && j->ops == 0) free(j);
}

static edge_job *find_job(edge_jobs *j, long long id)
{
    for (edge_job *x = j->jobs; x; x = x->next)
        if (x->id == id) return x;
    return NULL;
}

static void on_job_timer_closed(uv_handle_t *h)
{
    free(h->data);
}

/* Unlinks and frees a job (its timer is closed first when it was opened). */
static void drop_job(edge_job *job)
{
    edge_jobs *j = job->owner;
    if (job->prev)
        job->prev->next = job->next;
    else
        j->jobs = job->next;
    if (job->next) job->next->prev = job->prev;
    j->held--;
    if (job->timer_open) {
        uv_timer_stop(&job->timer);
        job->timer.data = job;
        uv_close((uv_handle_t *)&job->timer, on_job_timer_closed);
    } else {
        free(job);
    }
    if (!j->stopping) read_more(j);
}

static void ack_entry(edge_jobs *j, const char *entry)
{
    const char *argv[] = {"XACK", j->stream, j->group, entry};
    if (edge_redis_cmd(j->writer, NULL, NULL, 4, argv, NULL) != EDGE_OK)
        EDGE_WARN("jobs: XACK not sent, redis down; the entry will be redelivered", "stream",
                  j->stream);
}

void edge_jobs_finish(edge_job *job)
{
    ack_entry(job->owner, job->entry);
    drop_job(job);
}

void edge_jobs_forget(edge_job *job)
{
    drop_job(job);
}

static void on_retry_timer(uv_timer_t *t)
{
    edge_job *job = t->data;
    if (job->owner->stopping) return;
    job->runs++;
    job->owner->run(job, job->owner->ud);
}

void edge_jobs_retry(edge_job *job, unsigned delay_ms, const char *error)
{
    edge_jobs *j = job->owner;
    char ms[24], id[24];
    if (error != job->last_error) /* callers may pass the job's own last_error back */
        snprintf(job->last_error, sizeof(job->last_error), "%s", error ? error : "");
    EDGE_WARN("jobs: retrying", "stream", j->stream, "job", edge_log_int(id, job->id), "error",
              job->last_error, "retry_in_ms", edge_log_int(ms, delay_ms));
    if (!job->timer_open) {
        uv_timer_init(j->ctx->loop, &job->timer);
        job->timer_open = 1;
    }
    job->timer.data = job;
    uv_timer_start(&job->timer, on_retry_timer, delay_ms, 0);
}

/* A new entry: a duplicate of a job held here is acknowledged at once (the held one carries
 * the work); otherwise the handler starts. Returns 1 when a job was started. */
static int take_entry(edge_jobs *j, const redisReply *ent)
{
    edge_job *job;
    const redisReply *f;
    if (!ent || ent->type != REDIS_REPLY_ARRAY || ent->elements < 2 ||
        ent->element[0]->type != REDIS_REPLY_STRING || ent->element[0]->len >= 48)
        return 0;
    job = calloc(1, sizeof(*job)); /* owned by j until finish/forget */
    if (!job) return 0;
    job->owner = j;
    memcpy(job->entry, ent->element[0]->str, ent->element[0]->len);
    f = ent->element[1];
    for (size_t i = 0; f && f->type == REDIS_REPLY_ARRAY && i + 1 < f->elements; i += 2) {
        const redisReply *k = f->element[i], *v = f->element[i + 1];
        if (!k->str || !v->str) continue;
        if (strcmp(k->str, "job") == 0) job->id = strtoll(v->str, NULL, 10);
        if (strcmp(k->str, "kind") == 0) snprintf(job->kind, sizeof(job->kind), "%s", v->str);
    }
    if (job->id <= 0) {
        /* not a job entry: nothing can ever handle it */
        EDGE_ERROR("jobs: entry without a job id acknowledged", "stream", j->stream, "entry",
                   job->entry);
        ack_entry(j, job->entry);
        free(job);
        return 0;
    }
    if (find_job(j, job->id)) {
        ack_entry(j, job->entry);
        free(job);
        return 0;
    }
    job->next = j->jobs;
    if (j->jobs) j->jobs->prev = job;
    j->jobs = job;
    j->held++;
    job->runs = 1;
    j->run(job, j->ud);
    return 1;
}

static void on_read(redisReply *reply, void *ud)
{
    edge_jobs *j = ud;
    j->reading = 0;
    if (j->stopping) return;
    if (!reply || reply->type == REDIS_REPLY_ERROR) {
        if (reply && strncmp(reply->str, "NOGROUP", 7) == 0) j->group_ready = 0;
        uv_timer_start(&j->read_timer, on_read_timer, 500, 0);
        return;
    }
    /* [[stream, [[id, [f, v, ...]], ...]]] or nil when BLOCK timed out */
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements > 0) {
        const redisReply *s = reply->element[0];
        if (s->type == REDIS_REPLY_ARRAY && s->elements == 2)
            for (size_t i = 0; i < s->element[1]->elements; i++)
                take_entry(j, s->element[1]->element[i]);
    }
    read_more(j);
}

static void on_group(redisReply *reply, void *ud)
{
    edge_jobs *j = ud;
    j->creating = 0;
    if (j->stopping) return;
    if (reply && (reply->type != REDIS_REPLY_ERROR || strncmp(reply->str, "BUSYGROUP", 9) == 0))
        j->group_ready = 1;
    else
        EDGE_WARN("jobs: XGROUP CREATE failed", "stream", j->stream, "error",
                  reply ? reply->str : "redis down");
    read_more(j);
}

static void read_more(edge_jobs *j)
{
    char count[24];
    if (j->stopping || j->reading) return;
    if (!j->group_ready) {
        const char *argv[] = {"XGROUP", "CREATE", j->stream, j->group, "0", "MKSTREAM"};
        if (j->creating) return;
        if (edge_redis_cmd(j->writer, on_group, j, 6, argv, NULL) != EDGE_OK) {
            uv_timer_start(&j->read_timer, on_read_timer, 500, 0);
            return;
        }
        j->creating = 1;
        return;
    }
    if (j->held >= j->concurrency) return; /* drop_job calls again */
    snprintf(count, sizeof(count), "%d", j->concurrency - j->held);
    const char *argv[] = {"XREADGROUP", "GROUP",  j->group,  j->consumer, "COUNT", count,
                          "BLOCK",      BLOCK_MS, "STREAMS", j->stream,   ">"};
    if (edge_redis_cmd(j->reader, on_read, j, 11, argv, NULL) != EDGE_OK) {
        uv_timer_start(&j->read_timer, on_read_timer, 500, 0);
        return;
    }
    j->reading = 1;
}

/* ---- reclaiming and dead letters ---- */

typedef struct dead_ctx {
    edge_jobs *j;
    char entry[48];
    long long job;
    char kind[32];
    char err[256];
} dead_ctx;

static void dead_free(dead_ctx *d)
{
    edge_jobs *j = d->j;
    free(d);
    j->ops--;
    maybe_free(j);
}

/* The stream's name as static storage: the XADD's answer may come after its edge_jobs is gone. */
static const char *dead_label(const char *stream)
{
    static const char *const known[] = {EDGE_KEY_IN, EDGE_KEY_LLM, EDGE_KEY_SEND};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(stream, known[i]) == 0) return known[i];
    return "other";
}

/* ud: dead_label of the stream the entry came from */
static void on_dead_added(redisReply *reply, void *ud)
{
    if (reply && reply->type != REDIS_REPLY_ERROR) edge_metrics_dead_letter(ud);
}

static void on_dead_recorded(const edge_pg_result *r, void *ud)
{
    dead_ctx *d = ud;
    edge_jobs *j = d->j;
    char id[24];
    if (strcmp(r->sqlstate, "00000") != 0 && strcmp(r->sqlstate, "P0002") != 0) {
        /* the ledger did not take it: leave the entry pending for the next pass */
        EDGE_WARN("jobs: recording a dead job failed", "sqlstate", r->sqlstate, "error", r->errmsg);
        dead_free(d);
        return;
    }
    if (!j->stopping) {
        const char *argv[] = {"XADD",  EDGE_KEY_DEAD, "*",   "stream", j->stream,
                              "id",    d->entry,      "job", id,       "kind",
                              d->kind, "err",         d->err};
        edge_log_int(id, d->job);
        edge_redis_cmd(j->writer, on_dead_added, (void *)dead_label(j->stream), 13, argv, NULL);
        ack_entry(j, d->entry);
        EDGE_ERROR("jobs: dead letter", "stream", j->stream, "job", id, "kind", d->kind, "error",
                   d->err);
    }
    dead_free(d);
}

static void on_dead_range(redisReply *reply, void *ud)
{
    dead_ctx *d = ud;
    edge_jobs *j = d->j;
    char id[24];
    const char *params[2];
    if (j->stopping || !reply || reply->type != REDIS_REPLY_ARRAY) {
        dead_free(d);
        return;
    }
    if (reply->elements > 0) {
        const redisReply *f =
            reply->element[0]->elements > 1 ? reply->element[0]->element[1] : NULL;
        for (size_t i = 0; f && i + 1 < f->elements; i += 2) {
            if (!f->element[i]->str || !f->element[i + 1]->str) continue;
            if (strcmp(f->element[i]->str, "job") == 0)
                d->job = strtoll(f->element[i + 1]->str, NULL, 10);
            if (strcmp(f->element[i]->str, "kind") == 0)
                snprintf(d->kind, sizeof(d->kind), "%s", f->element[i + 1]->str);
        }
    }
    if (d->job <= 0) { /* trimmed away or not a job: nothing to record */
        ack_entry(j, d->entry);
        dead_free(d);
        return;
    }
    params[0] = edge_log_int(id, d->job);
    params[1] = d->err;
    if (edge_pg_call(j->ctx->pg_work, NULL, "SELECT rt.job_failed($1::bigint, $2, true)", 2, params,
                     on_dead_recorded, d) != EDGE_OK)
        dead_free(d);
}

static void dead_letter(edge_jobs *j, const char *entry, long long deliveries)
{
    dead_ctx *d = calloc(1, sizeof(*d)); /* freed by the callbacks (dead_free) */
    if (!d) return;
    d->j = j;
    j->ops++;
    snprintf(d->entry, sizeof(d->entry), "%s", entry);
    snprintf(d->err, sizeof(d->err), "delivered %lld times without finishing", deliveries);
    const char *argv[] = {"XRANGE", j->stream, d->entry, d->entry};
    if (edge_redis_cmd(j->writer, on_dead_range, d, 4, argv, NULL) != EDGE_OK) dead_free(d);
}

static void on_claimed(redisReply *reply, void *ud)
{
    edge_jobs *j = ud;
    if (j->stopping || !reply || reply->type != REDIS_REPLY_ARRAY) return;
    for (size_t i = 0; i < reply->elements; i++) take_entry(j, reply->element[i]);
}

static void on_pending(redisReply *reply, void *ud)
{
    edge_jobs *j = ud;
    const edge_config *cfg = j->ctx->cfg;
    char idle[24];
    const char **argv;
    int n = 0;
    j->reclaiming = 0;
    if (j->stopping || !reply || reply->type != REDIS_REPLY_ARRAY || reply->elements == 0) return;
    argv = calloc(reply->elements + 6, sizeof(char *));
    if (!argv) return;
    argv[n++] = "XCLAIM";
    argv[n++] = j->stream;
    argv[n++] = j->group;
    argv[n++] = j->consumer;
    argv[n++] = edge_log_int(idle, cfg->job_claim_idle_ms);
    int room = j->concurrency - j->held;
    for (size_t i = 0; i < reply->elements; i++) {
        const redisReply *e = reply->element[i]; /* [id, consumer, idle ms, deliveries] */
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 4 || !e->element[0]->str) continue;
        long long deliveries = e->element[3]->integer;
        if (deliveries >= cfg->job_max_deliveries) {
            dead_letter(j, e->element[0]->str, deliveries);
        } else if (room > 0) {
            argv[n++] = e->element[0]->str;
            room--;
        }
    }
    if (n > 5) edge_redis_cmd(j->writer, on_claimed, j, n, argv, NULL);
    free(argv);
}

/* The same for the ledger, less often: the sweeper re-relays jobs whose relayed_at is older
 * than RT_OUTBOX_STALE_SEC, and one held that long (a slow model, a long rate-limit wait) must
 * not reach another edge. Fire and forget: a missed touch only risks a duplicate run. */
static void touch_ledger(edge_jobs *j)
{
    uint64_t now = uv_now(j->ctx->loop);
    size_t cap = (size_t)j->held * 21 + 3, pos = 0;
    char *ids;
    if (now - j->last_touch_ms < (uint64_t)j->ctx->cfg->outbox_stale_sec * 1000u / 3u) return;
    j->last_touch_ms = now;
    ids = malloc(cap);
    if (!ids) return;
    ids[pos++] = '{';
    for (edge_job *x = j->jobs; x; x = x->next)
        pos += (size_t)snprintf(ids + pos, cap - pos, "%s%lld", pos > 1 ? "," : "", x->id);
    ids[pos++] = '}';
    ids[pos] = '\0';
    const char *params[1] = {ids};
    edge_pg_call(j->ctx->pg_work, NULL, "SELECT rt.outbox_touch($1::bigint[])", 1, params, NULL,
                 NULL);
    free(ids);
}

/* Held entries are claimed again by their holder (XCLAIM … JUSTID, which leaves the delivery
 * count alone) well within the idle time, so no other edge reclaims a job that is merely slow:
 * waiting for Telegram's rate limits or a long model answer. */
static void heartbeat(uv_timer_t *t)
{
    edge_jobs *j = t->data;
    const char **argv;
    int n = 0;
    if (j->stopping || j->held == 0) return;
    argv = calloc((size_t)j->held + 7, sizeof(char *));
    if (!argv) return;
    argv[n++] = "XCLAIM";
    argv[n++] = j->stream;
    argv[n++] = j->group;
    argv[n++] = j->consumer;
    argv[n++] = "0";
    for (edge_job *x = j->jobs; x; x = x->next) argv[n++] = x->entry;
    argv[n++] = "JUSTID";
    edge_redis_cmd(j->writer, NULL, NULL, n, argv, NULL);
    free(argv);
    touch_ledger(j);
}

static void reclaim(uv_timer_t *t)
{
    edge_jobs *j = t->data;
    char idle[24], count[24];
    if (j->stopping || j->reclaiming || !j->group_ready) return;
    edge_log_int(idle, j->ctx->cfg->job_claim_idle_ms);
    edge_log_int(count, RECLAIM_BATCH);
    const char *argv[] = {"XPENDING", j->stream, j->group, "IDLE", idle, "-", "+", count};
    if (edge_redis_cmd(j->writer, on_pending, j, 8, argv, NULL) == EDGE_OK) j->reclaiming = 1;
}

edge_jobs *edge_jobs_start(edge_ctx *ctx, const char *stream, const char *group, int concurrency,
                           edge_job_fn run, void *ud)
{
    edge_jobs *j;
    char host[64];
    unsigned every;
    if (!ctx || !stream || !group || !run || concurrency < 1) return NULL;
    j = calloc(1, sizeof(*j)); /* owned by the caller, freed by edge_jobs_stop */
    if (!j) return NULL;
    j->ctx = ctx;
    snprintf(j->stream, sizeof(j->stream), "%s", stream);
    snprintf(j->group, sizeof(j->group), "%s", group);
    if (gethostname(host, sizeof(host)) != 0) snprintf(host, sizeof(host), "edge");
    host[sizeof(host) - 1] = '\0';
    snprintf(j->consumer, sizeof(j->consumer), "%s-%d", host, (int)getpid());
    j->concurrency = concurrency;
    j->run = run;
    j->ud = ud;
    j->reader = edge_redis_create(ctx->loop, ctx->cfg);
    j->writer = edge_redis_create(ctx->loop, ctx->cfg);
    if (!j->reader || !j->writer) {
        edge_redis_destroy(j->reader);
        edge_redis_destroy(j->writer);
        free(j);
        return NULL;
    }
    uv_timer_init(ctx->loop, &j->read_timer);
    j->read_timer.data = j;
    uv_timer_init(ctx->loop, &j->reclaim_timer);
    j->reclaim_timer.data = j;
    every = (unsigned)ctx->cfg->job_claim_idle_ms / 2;
    if (every < 500) every = 500;
    uv_timer_start(&j->reclaim_timer, reclaim, every, every);
    uv_timer_init(ctx->loop, &j->beat_timer);
    j->beat_timer.data = j;
    every = (unsigned)ctx->cfg->job_claim_idle_ms / 4;
    if (every < 50) every = 50;
    uv_timer_start(&j->beat_timer, heartbeat, every, every);
    /* the connections come up asynchronously: the first attempt is on a short timer */
    uv_timer_start(&j->read_timer, on_read_timer, 50, 0);
    return j;
}

static void on_timer_closed_free(uv_handle_t *h)
{
    edge_jobs *j = h->data;
    j->closed = 1;
    maybe_free(j);
}

void edge_jobs_stop(edge_jobs *j)
{
    if (!j || j->stopping) return;
    j->stopping = 1;
    while (j->jobs) drop_job(j->jobs);
    edge_redis_destroy(j->reader);
    edge_redis_destroy(j->writer);
    j->reader = j->writer = NULL;
    uv_timer_stop(&j->read_timer);
    uv_timer_stop(&j->reclaim_timer);
    uv_timer_stop(&j->beat_timer);
    uv_close((uv_handle_t *)&j->beat_timer, NULL);
    uv_close((uv_handle_t *)&j->read_timer, NULL);
    uv_close((uv_handle_t *)&j->reclaim_timer, on_timer_closed_free);
}
