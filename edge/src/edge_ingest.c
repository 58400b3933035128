/* The ingest worker: reads rt:in through consumer group "ingest" on its own Redis connection
 * (XREADGROUP BLOCK would stall every other command on a shared one), stores batches with
 * rt.ingest and XACKs only after the call has committed. Data errors split the batch and end in
 * rt.reject_update; transient errors leave entries pending for a retry. A maintenance pass every
 * few seconds reclaims idle entries (XAUTOCLAIM), dead-letters poison ones and trims the stream
 * below everything still pending. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edge.h"
#include "edge_config.h"
#include "edge_ingest.h"
#include "edge_log.h"
#include "edge_pg.h"
#include "edge_redis.h"

#define STREAM "rt:in"
#define DEAD_STREAM "rt:dead"
#define GROUP "ingest"
#define MAINT_INTERVAL_MS 5000
#define PARTITIONS_INTERVAL_MS (3600u * 1000u)
#define ERR_RING 256

/* Moves one pending entry to rt:dead and acks it, atomically. */
static const char DEAD_SCRIPT[] =
    "local e = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])\n"
    "local args = {KEYS[2], '*', 'stream', KEYS[1], 'id', ARGV[1]}\n"
    "if #e > 0 then\n"
    "  local f = e[1][2]\n"
    "  for i = 1, #f, 2 do\n"
    "    if f[i] == 'u' or f[i] == 'raw' then table.insert(args, f[i]); "
    "table.insert(args, f[i+1]) end\n"
    "  end\n"
    "end\n"
    "table.insert(args, 'err'); table.insert(args, ARGV[2])\n"
    "redis.call('XADD', unpack(args))\n"
    "return redis.call('XACK', KEYS[1], ARGV[3], ARGV[1])\n";

/* ---- pure helpers ---- */

int edge_ingest_classify_sqlstate(const char *s)
{
    static const char *const transient[] = {"08", "25", "28", "3D", "3F", "40", "42",
                                            "53", "55", "57", "58", "HV", NULL};
    if (!s || strlen(s) != 5) return EDGE_INGEST_RETRY;
    if (strcmp(s, "00000") == 0) return EDGE_INGEST_OK;
    if ((s[0] == '2' && s[1] == '2') || (s[0] == '5' && s[1] == '4')) return EDGE_INGEST_DATA_ERROR;
    for (int i = 0; transient[i]; i++)
        if (s[0] == transient[i][0] && s[1] == transient[i][1]) return EDGE_INGEST_RETRY;
    return EDGE_INGEST_POISON;
}

char *edge_ingest_build_array(const char *const *items, const size_t *lens, size_t n,
                              size_t *outlen)
{
    size_t total = 2 + (n > 0 ? n - 1 : 0), pos = 0;
    char *out;
    for (size_t i = 0; i < n; i++) total += lens[i];
    out = malloc(total + 1); /* caller frees */
    if (!out) return NULL;
    out[pos++] = '[';
    for (size_t i = 0; i < n; i++) {
        if (i) out[pos++] = ',';
        memcpy(out + pos, items[i], lens[i]);
        pos += lens[i];
    }
    out[pos++] = ']';
    out[pos] = '\0';
    if (outlen) *outlen = pos;
    return out;
}

/* ---- worker state ---- */

typedef struct ing_entry {
    char id[48];
    char *u; /* owned copies; NULL when the field is absent */
    char *raw;
    char *err;
    int ack;
} ing_entry;

typedef void (*batch_done_fn)(int failed);

static struct {
    edge_ctx *ctx;
    edge_redis *redis; /* own connection, owned here */
    char consumer[128];
    int running, stopping;
    uv_timer_t timer, maint_timer, part_timer;
    int want_maint;
    int read_history; /* re-read our own pending entries before new ones */
    unsigned attempts;
    /* the batch in progress */
    ing_entry *e;
    size_t n, idx;
    int split, failed;
    batch_done_fn done;
    /* last error per entry id, for rt:dead and to tell transient failures from poison */
    struct {
        char id[48];
        char err[256];
        int transient;
    } errs[ERR_RING];
    unsigned errs_next;
} ing;

static void step(void);

static void remember_error(const char *id, const char *err, int transient)
{
    for (unsigned i = 0; i < ERR_RING; i++) {
        if (strcmp(ing.errs[i].id, id) == 0) {
            snprintf(ing.errs[i].err, sizeof(ing.errs[i].err), "%s", err);
            ing.errs[i].transient = transient;
            return;
        }
    }
    unsigned k = ing.errs_next++ % ERR_RING;
    snprintf(ing.errs[k].id, sizeof(ing.errs[k].id), "%s", id);
    snprintf(ing.errs[k].err, sizeof(ing.errs[k].err), "%s", err);
    ing.errs[k].transient = transient;
}

static int lookup_error(const char *id, const char **err)
{
    for (unsigned i = 0; i < ERR_RING; i++) {
        if (ing.errs[i].id[0] && strcmp(ing.errs[i].id, id) == 0) {
            *err = ing.errs[i].err;
            return ing.errs[i].transient;
        }
    }
    *err = "exceeded RT_INGEST_MAX_DELIVERIES without a recorded error";
    return 0;
}

static void on_step_timer(uv_timer_t *t)
{
    (void)t;
    step();
}

static void schedule_step(unsigned ms)
{
    if (ing.stopping) return;
    uv_timer_start(&ing.timer, on_step_timer, ms, 0);
}

static void free_batch(void)
{
    for (size_t i = 0; i < ing.n; i++) {
        free(ing.e[i].u);
        free(ing.e[i].raw);
        free(ing.e[i].err);
    }
    free(ing.e);
    ing.e = NULL;
    ing.n = ing.idx = 0;
}

static char *dup_reply_str(const redisReply *r)
{
    char *s;
    if (!r || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS)) return NULL;
    s = malloc(r->len + 1);
    if (!s) return NULL;
    memcpy(s, r->str, r->len);
    s[r->len] = '\0';
    return s;
}

/* Parses [[id, [field, value, ...]], ...] into ing.e. */
static int load_entries(const redisReply *list)
{
    if (!list || list->type != REDIS_REPLY_ARRAY) return EDGE_ERR;
    ing.e = calloc(list->elements ? list->elements : 1, sizeof(*ing.e));
    if (!ing.e) return EDGE_ERR;
    ing.n = 0;
    for (size_t i = 0; i < list->elements; i++) {
        const redisReply *ent = list->element[i];
        ing_entry *e = &ing.e[ing.n];
        if (!ent || ent->type != REDIS_REPLY_ARRAY || ent->elements < 1 ||
            ent->element[0]->type != REDIS_REPLY_STRING || ent->element[0]->len >= sizeof(e->id))
            continue;
        memcpy(e->id, ent->element[0]->str, ent->element[0]->len);
        e->id[ent->element[0]->len] = '\0';
        ing.n++;
        if (ent->elements < 2 || ent->element[1]->type != REDIS_REPLY_ARRAY) continue;
        const redisReply *f = ent->element[1];
        for (size_t j = 0; j + 1 < f->elements; j += 2) {
            const char *k = f->element[j]->str;
            if (!k) continue;
            if (strcmp(k, "u") == 0 && !e->u) e->u = dup_reply_str(f->element[j + 1]);
            if (strcmp(k, "raw") == 0 && !e->raw) e->raw = dup_reply_str(f->element[j + 1]);
            if (strcmp(k, "err") == 0 && !e->err) e->err = dup_reply_str(f->element[j + 1]);
        }
    }
    return EDGE_OK;
}

/* ---- batch processing ---- */

static void next_entry(void);

static void batch_complete(void)
{
    batch_done_fn done = ing.done;
    int failed = ing.failed;
    free_batch();
    ing.done = NULL;
    if (done && !ing.stopping) done(failed);
}

static void on_xack(redisReply *reply, void *ud)
{
    (void)ud;
    if (!reply || reply->type == REDIS_REPLY_ERROR)
        EDGE_WARN("ingest: XACK failed; entries will be redelivered (idempotent)", "error",
                  reply ? reply->str : "redis down");
    if (ing.stopping) return;
    batch_complete();
}

static void finish_batch(void)
{
    size_t nack = 0;
    const char **argv = calloc(ing.n + 3, sizeof(char *));
    if (!argv) {
        batch_complete();
        return;
    }
    argv[0] = "XACK";
    argv[1] = STREAM;
    argv[2] = GROUP;
    for (size_t i = 0; i < ing.n; i++)
        if (ing.e[i].ack) argv[3 + nack++] = ing.e[i].id;
    if (nack == 0 ||
        edge_redis_cmd(ing.redis, on_xack, NULL, (int)(3 + nack), argv, NULL) != EDGE_OK) {
        free(argv);
        if (nack) EDGE_WARN("ingest: XACK not sent, redis down; entries will be redelivered");
        batch_complete();
        return;
    }
    free(argv);
}

static void fail_rest(const char *err)
{
    ing.failed = 1;
    for (size_t i = 0; i < ing.n; i++)
        if (!ing.e[i].ack) remember_error(ing.e[i].id, err, 1);
}

static void on_reject(const edge_pg_result *r, void *ud)
{
    if (ing.stopping) return;
    ing_entry *e = &ing.e[(size_t)(uintptr_t)ud];
    if (strcmp(r->sqlstate, "00000") == 0) {
        e->ack = 1;
        EDGE_WARN("ingest: update rejected", "stream_id", e->id);
    } else {
        EDGE_ERROR("ingest: rt.reject_update failed", "stream_id", e->id, "sqlstate", r->sqlstate,
                   "error", r->errmsg);
        if (edge_ingest_classify_sqlstate(r->sqlstate) == EDGE_INGEST_RETRY) {
            fail_rest(r->errmsg);
            finish_batch();
            return;
        }
        remember_error(e->id, r->errmsg, 0); /* stays pending until dead-lettered */
    }
    ing.idx++;
    next_entry();
}

static void reject(size_t i, const char *raw, const char *err)
{
    const char *params[2] = {raw, err ? err : "unparsable update"};
    if (edge_pg_call(ing.ctx->pg, NULL, "SELECT rt.reject_update($1, $2)", 2, params, on_reject,
                     (void *)(uintptr_t)i) != EDGE_OK) {
        fail_rest("postgres call could not be queued");
        finish_batch();
    }
}

static void on_single(const edge_pg_result *r, void *ud)
{
    if (ing.stopping) return;
    size_t i = (size_t)(uintptr_t)ud;
    ing_entry *e = &ing.e[i];
    switch (edge_ingest_classify_sqlstate(r->sqlstate)) {
    case EDGE_INGEST_OK:
        e->ack = 1;
        ing.idx++;
        next_entry();
        return;
    case EDGE_INGEST_DATA_ERROR:
        EDGE_WARN("ingest: update refused by rt.ingest, rejecting it", "stream_id", e->id,
                  "sqlstate", r->sqlstate, "error", r->errmsg);
        reject(i, e->u, r->errmsg);
        return;
    case EDGE_INGEST_POISON:
        EDGE_ERROR("ingest: rt.ingest failed on one update; left pending", "stream_id", e->id,
                   "sqlstate", r->sqlstate, "error", r->errmsg);
        remember_error(e->id, r->errmsg, 0);
        ing.idx++;
        next_entry();
        return;
    default:
        EDGE_WARN("ingest: rt.ingest failed, will retry", "stream_id", e->id, "sqlstate",
                  r->sqlstate, "error", r->errmsg);
        fail_rest(r->errmsg);
        finish_batch();
        return;
    }
}

static void next_entry(void)
{
    while (ing.idx < ing.n) {
        ing_entry *e = &ing.e[ing.idx];
        if (e->ack) {
            ing.idx++;
            continue;
        }
        if (e->u && ing.split) {
            size_t len = strlen(e->u);
            const char *items[1] = {e->u};
            char *arr = edge_ingest_build_array(items, &len, 1, NULL);
            const char *params[1] = {arr};
            int rc = arr ? edge_pg_call(ing.ctx->pg, NULL, "SELECT rt.ingest($1::jsonb)", 1, params,
                                        on_single, (void *)(uintptr_t)ing.idx)
                         : EDGE_ERR;
            free(arr);
            if (rc != EDGE_OK) {
                fail_rest("postgres call could not be queued");
                finish_batch();
            }
            return;
        }
        if (e->raw) {
            reject(ing.idx, e->raw, e->err);
            return;
        }
        if (!e->u) { /* entry without fields (deleted from the stream): nothing to store */
            e->ack = 1;
        }
        ing.idx++;
    }
    finish_batch();
}

static void on_batch(const edge_pg_result *r, void *ud)
{
    (void)ud;
    if (ing.stopping) return;
    switch (edge_ingest_classify_sqlstate(r->sqlstate)) {
    case EDGE_INGEST_OK:
        for (size_t i = 0; i < ing.n; i++)
            if (ing.e[i].u) ing.e[i].ack = 1;
        if (r->res && PQntuples(r->res) == 1 && edge_log_level <= EDGE_LOG_DEBUG)
            EDGE_DEBUG("ingest: batch stored", "result", PQgetvalue(r->res, 0, 0));
        break;
    case EDGE_INGEST_DATA_ERROR:
    case EDGE_INGEST_POISON:
        EDGE_WARN("ingest: batch refused, retrying entry by entry", "sqlstate", r->sqlstate,
                  "error", r->errmsg);
        ing.split = 1;
        break;
    default:
        EDGE_WARN("ingest: rt.ingest failed, will retry", "sqlstate", r->sqlstate, "error",
                  r->errmsg);
        fail_rest(r->errmsg);
        finish_batch();
        return;
    }
    ing.idx = 0;
    next_entry();
}

/* Takes ownership of the entries in ing.e; done(failed) runs after the XACK. */
static void process_batch(batch_done_fn done)
{
    size_t nu = 0;
    const char **items = NULL;
    size_t *lens = NULL;
    char *arr = NULL;
    int rc = EDGE_ERR;

    ing.done = done;
    ing.split = 0;
    ing.failed = 0;
    ing.idx = 0;
    for (size_t i = 0; i < ing.n; i++)
        if (ing.e[i].u) nu++;
    if (nu == 0) {
        next_entry();
        return;
    }
    items = calloc(nu, sizeof(*items));
    lens = calloc(nu, sizeof(*lens));
    if (!items || !lens) goto out;
    nu = 0;
    for (size_t i = 0; i < ing.n; i++) {
        if (!ing.e[i].u) continue;
        items[nu] = ing.e[i].u;
        lens[nu++] = strlen(ing.e[i].u);
    }
    arr = edge_ingest_build_array(items, lens, nu, NULL);
    if (!arr) goto out;
    const char *params[1] = {arr};
    rc = edge_pg_call(ing.ctx->pg, NULL, "SELECT rt.ingest($1::jsonb)", 1, params, on_batch, NULL);
out:
    free(arr);
    free(items);
    free(lens);
    if (rc != EDGE_OK) {
        fail_rest("postgres call could not be queued");
        finish_batch();
    }
}

/* ---- reading ---- */

static void after_batch(int failed)
{
    if (failed) {
        unsigned ms = 1000u << (ing.attempts < 5 ? ing.attempts : 5);
        ing.attempts++;
        ing.read_history = 1;
        schedule_step(ms > 30000 ? 30000 : ms);
        return;
    }
    ing.attempts = 0;
    step();
}

static void create_group(void);

static void on_read(redisReply *reply, void *ud)
{
    (void)ud;
    if (ing.stopping) return;
    if (!reply) {
        schedule_step(1000);
        return;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        if (strncmp(reply->str, "NOGROUP", 7) == 0) {
            create_group();
            return;
        }
        EDGE_WARN("ingest: XREADGROUP failed", "error", reply->str);
        schedule_step(1000);
        return;
    }
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements == 0) { /* BLOCK timed out */
        ing.read_history = 0;
        step();
        return;
    }
    const redisReply *s = reply->element[0];
    if (s->type != REDIS_REPLY_ARRAY || s->elements < 2 || load_entries(s->element[1]) != EDGE_OK) {
        schedule_step(1000);
        return;
    }
    if (ing.n == 0) {
        free_batch();
        ing.read_history = 0;
        step();
        return;
    }
    process_batch(after_batch);
}

static void read_entries(void)
{
    char count[24];
    snprintf(count, sizeof(count), "%d", ing.ctx->cfg->ingest_batch);
    const char *argv[] = {"XREADGROUP",
                          "GROUP",
                          GROUP,
                          ing.consumer,
                          "COUNT",
                          count,
                          "BLOCK",
                          "1000",
                          "STREAMS",
                          STREAM,
                          ing.read_history ? "0" : ">"};
    if (edge_redis_cmd(ing.redis, on_read, NULL, 11, argv, NULL) != EDGE_OK) schedule_step(500);
}

/* ---- maintenance: reclaim, dead-letter, trim ---- */

static void on_trim(redisReply *reply, void *ud)
{
    (void)ud;
    if (reply && reply->type == REDIS_REPLY_INTEGER && reply->integer > 0) {
        char n[24];
        EDGE_DEBUG("ingest: trimmed rt:in", "entries", edge_log_int(n, reply->integer));
    }
    if (!ing.stopping) step();
}

static void trim_below(const char *minid)
{
    const char *argv[] = {"XTRIM", STREAM, "MINID", minid};
    if (edge_redis_cmd(ing.redis, on_trim, NULL, 4, argv, NULL) != EDGE_OK) step();
}

static void on_groups(redisReply *reply, void *ud)
{
    (void)ud;
    if (ing.stopping) return;
    if (reply && reply->type == REDIS_REPLY_ARRAY) {
        for (size_t i = 0; i < reply->elements; i++) {
            const redisReply *g = reply->element[i];
            const char *name = NULL, *last = NULL;
            if (g->type != REDIS_REPLY_ARRAY) continue;
            for (size_t j = 0; j + 1 < g->elements; j += 2) {
                if (!g->element[j]->str) continue;
                if (strcmp(g->element[j]->str, "name") == 0) name = g->element[j + 1]->str;
                if (strcmp(g->element[j]->str, "last-delivered-id") == 0)
                    last = g->element[j + 1]->str;
            }
            if (name && last && strcmp(name, GROUP) == 0 && strcmp(last, "0-0") != 0) {
                trim_below(last);
                return;
            }
        }
    }
    step();
}

static void on_pending_summary(redisReply *reply, void *ud)
{
    (void)ud;
    if (ing.stopping) return;
    if (reply && reply->type == REDIS_REPLY_ARRAY && reply->elements >= 2 &&
        reply->element[0]->type == REDIS_REPLY_INTEGER) {
        if (reply->element[0]->integer > 0 && reply->element[1]->type == REDIS_REPLY_STRING) {
            trim_below(reply->element[1]->str);
            return;
        }
        const char *argv[] = {"XINFO", "GROUPS", STREAM};
        if (edge_redis_cmd(ing.redis, on_groups, NULL, 3, argv, NULL) == EDGE_OK) return;
    }
    step();
}

static void maint_trim(void)
{
    const char *argv[] = {"XPENDING", STREAM, GROUP};
    if (edge_redis_cmd(ing.redis, on_pending_summary, NULL, 3, argv, NULL) != EDGE_OK) step();
}

static void on_dead(redisReply *reply, void *ud)
{
    (void)ud;
    if (!reply || reply->type == REDIS_REPLY_ERROR)
        EDGE_ERROR("ingest: moving an entry to rt:dead failed", "error",
                   reply ? reply->str : "redis down");
}

static void on_pending_detail(redisReply *reply, void *ud)
{
    (void)ud;
    if (ing.stopping) return;
    if (reply && reply->type == REDIS_REPLY_ARRAY && edge_pg_ready(ing.ctx->pg)) {
        for (size_t i = 0; i < reply->elements; i++) {
            const redisReply *p = reply->element[i];
            const char *err;
            char cnt[24];
            if (p->type != REDIS_REPLY_ARRAY || p->elements < 4 ||
                p->element[0]->type != REDIS_REPLY_STRING ||
                p->element[3]->type != REDIS_REPLY_INTEGER)
                continue;
            if (p->element[3]->integer <= ing.ctx->cfg->ingest_max_deliveries) continue;
            const char *id = p->element[0]->str;
            if (lookup_error(id, &err)) continue; /* failed for an outage, not for its content */
            EDGE_ERROR("ingest: entry moved to rt:dead", "stream_id", id, "deliveries",
                       edge_log_int(cnt, p->element[3]->integer), "error", err);
            const char *argv[] = {"EVAL", DEAD_SCRIPT, "2", STREAM, DEAD_STREAM, id, err, GROUP};
            edge_redis_cmd(ing.redis, on_dead, NULL, 8, argv, NULL);
        }
    }
    maint_trim();
}

static void maint_dead(int failed)
{
    char idle[24];
    (void)failed;
    if (ing.stopping) return;
    snprintf(idle, sizeof(idle), "%d", ing.ctx->cfg->ingest_claim_idle_ms);
    const char *argv[] = {"XPENDING", STREAM, GROUP, "IDLE", idle, "-", "+", "100"};
    if (edge_redis_cmd(ing.redis, on_pending_detail, NULL, 8, argv, NULL) != EDGE_OK) step();
}

static void on_autoclaim(redisReply *reply, void *ud)
{
    (void)ud;
    if (ing.stopping) return;
    if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 2 ||
        load_entries(reply->element[1]) != EDGE_OK) {
        if (reply && reply->type == REDIS_REPLY_ERROR)
            EDGE_WARN("ingest: XAUTOCLAIM failed", "error", reply->str);
        maint_dead(0);
        return;
    }
    if (ing.n == 0) {
        free_batch();
        maint_dead(0);
        return;
    }
    char n[24];
    EDGE_INFO("ingest: reclaimed idle entries", "count", edge_log_int(n, (long long)ing.n));
    process_batch(maint_dead);
}

static void maintenance(void)
{
    char idle[24], count[24];
    ing.want_maint = 0;
    snprintf(idle, sizeof(idle), "%d", ing.ctx->cfg->ingest_claim_idle_ms);
    snprintf(count, sizeof(count), "%d", ing.ctx->cfg->ingest_batch);
    const char *argv[] = {"XAUTOCLAIM", STREAM, GROUP, ing.consumer, idle, "0-0", "COUNT", count};
    if (edge_redis_cmd(ing.redis, on_autoclaim, NULL, 8, argv, NULL) != EDGE_OK) schedule_step(500);
}

static void on_maint_timer(uv_timer_t *t)
{
    (void)t;
    ing.want_maint = 1;
}

/* ---- the loop ---- */

static void step(void)
{
    if (ing.stopping) return;
    if (!edge_redis_ready(ing.redis)) {
        schedule_step(500);
        return;
    }
    if (!edge_pg_ready(ing.ctx->pg)) { /* nothing could be stored: leave entries unread */
        schedule_step(500);
        return;
    }
    if (ing.want_maint) {
        maintenance();
        return;
    }
    read_entries();
}

static void on_group_timer(uv_timer_t *t)
{
    (void)t;
    create_group();
}

static void on_group_created(redisReply *reply, void *ud)
{
    (void)ud;
    if (ing.stopping) return;
    if (!reply || (reply->type == REDIS_REPLY_ERROR && strncmp(reply->str, "BUSYGROUP", 9) != 0)) {
        EDGE_WARN("ingest: XGROUP CREATE failed", "error", reply ? reply->str : "redis down");
        uv_timer_start(&ing.timer, on_group_timer, 1000, 0);
        return;
    }
    EDGE_INFO("ingest worker started", "consumer", ing.consumer);
    step();
}

static void create_group(void)
{
    const char *argv[] = {"XGROUP", "CREATE", STREAM, GROUP, "0", "MKSTREAM"};
    if (ing.stopping) return;
    if (edge_redis_cmd(ing.redis, on_group_created, NULL, 6, argv, NULL) != EDGE_OK)
        uv_timer_start(&ing.timer, on_group_timer, 500, 0);
}

static void on_partitions(const edge_pg_result *r, void *ud)
{
    (void)ud;
    if (strcmp(r->sqlstate, "00000") == 0)
        EDGE_INFO("partitions maintained", "created",
                  r->res && PQntuples(r->res) ? PQgetvalue(r->res, 0, 0) : "?");
    else if (strcmp(r->sqlstate, "57P01") != 0)
        EDGE_ERROR("rt.maintain_partitions failed", "sqlstate", r->sqlstate, "error", r->errmsg);
}

static void maintain_partitions(uv_timer_t *t)
{
    (void)t;
    if (ing.stopping) return;
    edge_pg_call(ing.ctx->pg, NULL, "SELECT rt.maintain_partitions(3)", 0, NULL, on_partitions,
                 NULL);
}

int edge_ingest_start(edge_ctx *ctx)
{
    char host[64] = "edge";
    if (!ctx || !ctx->cfg || !ctx->pg) return EDGE_ERR;
    memset(&ing, 0, sizeof(ing));
    ing.ctx = ctx;
    if (gethostname(host, sizeof(host)) != 0) snprintf(host, sizeof(host), "edge");
    host[sizeof(host) - 1] = '\0';
    snprintf(ing.consumer, sizeof(ing.consumer), "%s-%ld", host, (long)getpid());
    ing.redis = edge_redis_create(ctx->loop, ctx->cfg);
    if (!ing.redis) return EDGE_ERR;
    uv_timer_init(ctx->loop, &ing.timer);
    uv_timer_init(ctx->loop, &ing.maint_timer);
    uv_timer_init(ctx->loop, &ing.part_timer);
    uv_timer_start(&ing.maint_timer, on_maint_timer, MAINT_INTERVAL_MS, MAINT_INTERVAL_MS);
    uv_timer_start(&ing.part_timer, maintain_partitions, 0, PARTITIONS_INTERVAL_MS);
    ing.running = 1;
    create_group();
    return EDGE_OK;
}

void edge_ingest_stop(void)
{
    if (!ing.running) return;
    ing.running = 0;
    ing.stopping = 1;
    /* a batch in flight stays unacknowledged: it is redelivered after the claim idle time */
    free_batch();
    edge_redis_destroy(ing.redis);
    ing.redis = NULL;
    uv_close((uv_handle_t *)&ing.timer, NULL);
    uv_close((uv_handle_t *)&ing.maint_timer, NULL);
    uv_close((uv_handle_t *)&ing.part_timer, NULL);
}
