/* Per-job state shared by the workers (see edge_jobstate.h). */
#include <stdlib.h>
#include <string.h>

#include "edge_log.h"

#include "edge_jobstate.h"

static void on_timer_closed(uv_handle_t *h)
{
    free(h->data); /* the owner's state, whose first member this is */
}

static void unlink_state(edge_jobstate *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else if (s->list && s->list->head == s)
        s->list->head = s->next;
    if (s->next) s->next->prev = s->prev;
    s->prev = s->next = NULL;
    s->list = NULL;
}

static void free_state(edge_jobstate *s)
{
    unlink_state(s);
    if (s->release) s->release(s);
    uv_timer_stop(&s->timer);
    s->timer.data = s;
    uv_close((uv_handle_t *)&s->timer, on_timer_closed);
}

void edge_jobstate_add(edge_jobstate_list *l, edge_jobstate *s, edge_job *job, uv_loop_t *loop,
                       void (*release)(edge_jobstate *s))
{
    s->job = job;
    s->release = release;
    s->list = l;
    s->next = l->head;
    if (l->head) l->head->prev = s;
    l->head = s;
    uv_timer_init(loop, &s->timer);
    s->timer.data = s;
}

void edge_jobstate_finish(edge_jobstate *s)
{
    edge_job *job = s->job;
    free_state(s);
    if (job) edge_jobs_finish(job);
}

void edge_jobstate_retry(edge_jobstate *s, unsigned min_ms, const char *error)
{
    edge_job *job = s->job;
    unsigned ms = job ? edge_jobs_backoff_ms(job->runs, 1000, 60000, (unsigned)rand()) : 0;
    if (ms < min_ms) ms = min_ms;
    free_state(s);
    if (job) edge_jobs_retry(job, ms, error);
}

int edge_jobstate_call(edge_jobstate *s, edge_pg *pool, int first, const char *sql, int n,
                       const char *const *params, edge_pg_cb cb)
{
    int rc = first ? edge_pg_call_first(pool, NULL, sql, n, params, cb, s)
                   : edge_pg_call(pool, NULL, sql, n, params, cb, s);
    if (rc != EDGE_OK) return EDGE_ERR;
    s->pg_busy = 1;
    return EDGE_OK;
}

int edge_jobstate_returned(edge_jobstate *s)
{
    s->pg_busy = 0;
    if (s->orphan) {
        free_state(s);
        return 0;
    }
    return 1;
}

static void on_wait(uv_timer_t *t)
{
    edge_jobstate *s = t->data;
    if (s->after_wait) s->after_wait(s);
}

void edge_jobstate_wait(edge_jobstate *s, long long ms, void (*fn)(edge_jobstate *s))
{
    s->after_wait = fn;
    s->timer.data = s;
    uv_timer_start(&s->timer, on_wait, ms > 0 ? (uint64_t)ms : 0, 0);
}

void edge_jobstate_stop_all(edge_jobstate_list *l)
{
    while (l->head) {
        edge_jobstate *s = l->head;
        edge_job *job = s->job;
        unlink_state(s);
        s->job = NULL;
        if (s->pg_busy) {
            /* its SQL call still holds it: requests end now, the memory when the call returns */
            if (s->release) s->release(s);
            uv_timer_stop(&s->timer);
            s->orphan = 1;
        } else {
            free_state(s);
        }
        if (job) edge_jobs_forget(job);
    }
}

void *edge_jobstate_begin(edge_jobstate_list *l, size_t size, edge_job *job, uv_loop_t *loop,
                          void (*release)(edge_jobstate *s), edge_pg *pool, edge_pg_cb on_begin)
{
    char id[24];
    const char *params[1] = {edge_log_int(id, job->id)};
    edge_jobstate *s = calloc(1, size); /* freed by free_state, after its timer closed */
    if (!s) {
        edge_jobs_retry(job, 1000, "out of memory");
        return NULL;
    }
    edge_jobstate_add(l, s, job, loop, release);
    if (edge_jobstate_call(s, pool, 0, "SELECT rt.job_begin($1::bigint)", 1, params, on_begin) !=
        EDGE_OK) {
        edge_jobstate_retry(s, 1000, "the database pool refused rt.job_begin");
        return NULL;
    }
    return s;
}

json_t *edge_jobstate_begun(edge_jobstate *s, const edge_pg_result *r)
{
    json_error_t jerr;
    json_t *begin;
    const char *state;
    if (!edge_jobstate_returned(s)) return NULL;
    if (strcmp(r->sqlstate, "P0002") == 0) { /* no such job: nothing to do, ever */
        edge_jobstate_finish(s);
        return NULL;
    }
    if (strcmp(r->sqlstate, "00000") != 0 || !r->res || PQntuples(r->res) != 1) {
        edge_jobstate_retry(s, 0, r->errmsg[0] ? r->errmsg : "rt.job_begin failed");
        return NULL;
    }
    begin = json_loads(PQgetvalue(r->res, 0, 0), 0, &jerr);
    state = json_string_value(json_object_get(begin, "state"));
    if (!state || strcmp(state, "run") != 0) {
        /* done or dead already (a duplicate delivery, or made dead by SQL, e.g. no provider) */
        json_decref(begin);
        edge_jobstate_finish(s);
        return NULL;
    }
    return begin;
}
