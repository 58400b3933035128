/* What every worker's per-job state shares (the LLM worker's and the sender's): membership in
 * the worker's list, one timer for waits, and the rule that a state held by a PostgreSQL call
 * outlives a stop until that call returns (an orphan), so no callback ever sees freed memory.
 * Embed it as the FIRST member of the worker's own state; release() frees the worker's fields
 * and cancels its requests (it may run twice: at stop, then when the orphan is freed).
 *
 *   typedef struct my_state { edge_jobstate base; json_t *begin; ... } my_state;
 *   edge_jobstate_add(&list, &st->base, job, loop, release_my_state);
 *   edge_jobstate_call(&st->base, pool, 0, "SELECT rt.job_begin($1::bigint)", 1, p, on_begin);
 *   static void on_begin(const edge_pg_result *r, void *ud) {
 *       my_state *st = ud;
 *       if (!edge_jobstate_returned(&st->base)) return;   // stopped meanwhile: st is gone
 *       ... edge_jobstate_finish(&st->base)  or  edge_jobstate_retry(&st->base, 0, "why");
 *   }
 *   edge_jobstate_stop_all(&list);   // at stop, before edge_jobs_stop
 */
#ifndef EDGE_JOBSTATE_H
#define EDGE_JOBSTATE_H

#include <jansson.h>

#include "edge.h"
#include "edge_jobs.h"
#include "edge_pg.h"

typedef struct edge_jobstate edge_jobstate;

typedef struct edge_jobstate_list {
    edge_jobstate *head;
} edge_jobstate_list;

struct edge_jobstate {
    edge_jobstate *prev, *next;
    edge_jobstate_list *list;
    edge_job *job;    /* NULL once the job was finished, retried or forgotten */
    uv_timer_t timer; /* the owner's waits (edge_jobstate_wait, or its own callbacks) */
    int pg_busy;      /* a PostgreSQL call holds this state */
    int orphan;       /* the worker stopped: freed when the call returns */
    void (*release)(edge_jobstate *s);
    void (*after_wait)(edge_jobstate *s);
};

/* Links s (zeroed by the caller, the first member of a malloc'd state) into l for job. */
void edge_jobstate_add(edge_jobstate_list *l, edge_jobstate *s, edge_job *job, uv_loop_t *loop,
                       void (*release)(edge_jobstate *s));

/* A new zeroed state of `size` bytes (edge_jobstate first) for job, linked into l, with
 * rt.job_begin(job) queued on pool; on_begin gets the state. NULL when it could not start (the
 * job then runs again later). */
void *edge_jobstate_begin(edge_jobstate_list *l, size_t size, edge_job *job, uv_loop_t *loop,
                          void (*release)(edge_jobstate *s), edge_pg *pool, edge_pg_cb on_begin);

/* The first line of every on_begin: rt.job_begin's answer when the job is to run (the caller
 * owns it: "attempts", "payload" and the kind's fields are inside), or NULL when it is handled
 * already: the worker stopped, the job is unknown or finished (acknowledged), or the call failed
 * (run again later). */
json_t *edge_jobstate_begun(edge_jobstate *s, const edge_pg_result *r);

/* The job is done (XACK), or runs again after a backoff of at least min_ms; s is freed. */
void edge_jobstate_finish(edge_jobstate *s);
void edge_jobstate_retry(edge_jobstate *s, unsigned min_ms, const char *error);

/* Queues one SQL call whose callback gets s (first: ahead of the queue, for recording an effect
 * that already happened). EDGE_OK, or EDGE_ERR when the pool refused it. */
int edge_jobstate_call(edge_jobstate *s, edge_pg *pool, int first, const char *sql, int n,
                       const char *const *params, edge_pg_cb cb);

/* First line of every SQL callback: 0 when the worker stopped meanwhile (s is then freed). */
int edge_jobstate_returned(edge_jobstate *s);

/* Runs fn(s) after ms on the state's timer. */
void edge_jobstate_wait(edge_jobstate *s, long long ms, void (*fn)(edge_jobstate *s));

/* Stop: every state is freed, or orphaned while a SQL call holds it; their jobs are forgotten
 * (they stay pending and are redelivered). */
void edge_jobstate_stop_all(edge_jobstate_list *l);

#endif
