/* A consumer of one job stream ({rt}:llm or {rt}:send, docs/design/contract-delivery.md): reads
 * entries {job, kind} through a consumer group, hands each to a handler, and acknowledges an
 * entry only when the handler says its effect is recorded in PostgreSQL. Entries left pending by
 * a dead edge are reclaimed after RT_JOB_CLAIM_IDLE_MS; an entry delivered more than
 * RT_JOB_MAX_DELIVERIES times is made dead (rt.job_failed(job, err, true)), copied to {rt}:dead
 * and acknowledged.
 *
 *   jobs = edge_jobs_start(ctx, EDGE_KEY_SEND, EDGE_GROUP_SEND, 64, run_send, NULL);
 *   static void run_send(edge_job *job, void *ud) {
 *       ... rt.job_begin(job->id) ... effect ... rt.mark_sent(...) committed:
 *       edge_jobs_finish(job);                       // XACK, job freed
 *       // or, after a transient failure: edge_jobs_retry(job, backoff_ms, "HTTP 502");
 *   }
 *   edge_jobs_stop(jobs);     // handlers must have dropped their jobs (edge_jobs_forget) first
 */
#ifndef EDGE_JOBS_H
#define EDGE_JOBS_H

#include "edge.h"

typedef struct edge_jobs edge_jobs;

typedef struct edge_job {
    edge_jobs *owner;
    struct edge_job *prev, *next;
    char entry[48];       /* stream entry id */
    long long id;         /* rt.outbox id */
    char kind[32];        /* outbox kind */
    unsigned runs;        /* handler runs of this delivery (1 on the first) */
    char last_error[256]; /* what edge_jobs_retry was told last */
    uv_timer_t timer;     /* retry delay */
    int timer_open;
    void *state; /* the handler's, owned by the handler */
} edge_job;

/* The handler: called once per delivery and again after each edge_jobs_retry; it must end
 * every run with exactly one of edge_jobs_finish, edge_jobs_retry or edge_jobs_forget. */
typedef void (*edge_job_fn)(edge_job *job, void *ud);

edge_jobs *edge_jobs_start(edge_ctx *ctx, const char *stream, const char *group, int concurrency,
                           edge_job_fn run, void *ud);
/* Stops reading; jobs still held are freed without an ack (they are redelivered later). */
void edge_jobs_stop(edge_jobs *j);

/* The effect is recorded (or the job was already finished): XACK and free the job. */
void edge_jobs_finish(edge_job *job);
/* Runs the handler again after delay_ms; the entry stays pending meanwhile. */
void edge_jobs_retry(edge_job *job, unsigned delay_ms, const char *error);
/* Frees the job without an ack: it stays pending and is reclaimed later (shutdown). */
void edge_jobs_forget(edge_job *job);

/* Jobs held now (being handled or waiting for a retry). */
int edge_jobs_in_flight(const edge_jobs *j);

/* Exponential backoff with jitter for attempt n (1-based): base * 2^(n-1), capped, then a
 * random 50..100 % of it (rnd is any random number). Pure. */
unsigned edge_jobs_backoff_ms(unsigned attempt, unsigned base_ms, unsigned cap_ms, unsigned rnd);

#endif
