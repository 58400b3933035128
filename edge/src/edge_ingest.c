/* The ingest worker: reads {rt}:in through consumer group "ingest" on its own Redis connection
 * (XREADGROUP BLOCK would stall every other command on a shared one), stores batches with
 * rt.ingest and XACKs (on a second connection) only after the call has committed. The next
 * batch is read while one is being stored and starts the moment that one has committed, its
 * XACK still on the way; one batch is stored at a time (see ing.held for why). A batch the
 * database refuses is stored again update by update (data errors end in rt.reject_update); an
 * update that fails alone, whatever the SQLSTATE, counts one failure and stops the batch there
 * (the updates before it are acked), is retried after a backoff and goes to {rt}:dead with its
 * reason at its RT_INGEST_MAX_DELIVERIES-th failure, and the entries after it go on. Only a
 * database that was not reached (connection lost, shut down) counts against no entry. A
 * maintenance pass every few seconds reclaims idle entries (XAUTOCLAIM), dead-letters entries
 * delivered too often (after a restart forgot their failures) and trims the stream below
 * everything still pending. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edge.h"
#include "edge_config.h"
#include "edge_ingest.h"
#include "edge_keys.h"
#include "edge_log.h"
#include "edge_metrics.h"
#include "edge_pg.h"
#include "edge_redis.h"

#define STREAM EDGE_KEY_IN
#define DEAD_STREAM EDGE_KEY_DEAD
#define GROUP "ingest"
#define MAINT_INTERVAL_MS 5000
#define PARTITIONS_INTERVAL_MS (3600u * 1000u)
#define ERR_RING 256

/* Moves one pending entry to {rt}:dead and acks it, atomically. */
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
    /* the database was not reached, or not by this session: nothing was tried on the update */
    static const char *const unreached[] = {"08",    "28",    "3D",    "57P01", "57P02",
                                            "57P03", "57P04", "57P05", NULL};
    if (!s || strlen(s) != 5) return EDGE_INGEST_RETRY;
    if (strcmp(s, "00000") == 0) return EDGE_INGEST_OK;
    if ((s[0] == '2' && s[1] == '2') || (s[0] == '5' && s[1] == '4')) return EDGE_INGEST_DATA_ERROR;
    for (int i = 0; unreached[i]; i++)
        if (strncmp(s, unreached[i], strlen(unreached[i])) == 0) return EDGE_INGEST_RETRY;
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

/* Batches held at once: one being acknowledged, one being stored, one read ahead. */
#define MAX_SLOTS 3

typedef struct ing_entry {
    char id[48];
    char *u; /* owned copies; NULL when the field is absent */
    char *raw;
    char *err;
    int ack;
    int dead; /* moved to {rt}:dead (and acked there) */
} ing_entry;

typedef struct ing_batch ing_batch;
typedef void (*batch_done_fn)(ing_batch *b, int failed);

struct ing_batch {
    int busy; /* the slot holds a batch */
    ing_entry *e;
    size_t n, idx;
    int split, failed;
    int acking; /* stored (committed); its XACK is on the way */
    batch_done_fn done;
};

static struct {
    edge_ctx *ctx;
    edge_redis *redis; /* own connection for reads and maintenance, owned here */
    edge_redis *acker; /* XACKs, so they never queue behind a blocking XREADGROUP */
    char consumer[128];
    int running, stopping;
    uv_timer_t timer, maint_timer, part_timer;
    int want_maint;
    int maint_running; /* the reclaim/dead-letter/trim chain is under way */
    int reading;       /* an XREADGROUP is outstanding */
    int failing;       /* a batch failed: read nothing new until every batch has finished */
    int read_history;  /* re-read our own pending entries before new ones */
    unsigned attempts;
    ing_batch slots[MAX_SLOTS];
    /* The batch read ahead while another is being stored; it starts when that one commits.
     * Batches are never stored side by side: an edit could then look its original up before
     * the original's transaction commits, store itself as a new row and get the original
     * dropped as a duplicate key; message ids would no longer follow commit order, so a
     * client backfilling with after_id could skip rows that commit late; and two batches
     * meeting the same new users and chats in different orders could deadlock. */
    ing_batch *held;
    /* last error per entry id, for {rt}:dead and to tell outages from failures, and how often the
     * entry failed alone (rt.ingest or rt.reject_update answered an error for it) */
    struct {
        char id[48];
        char err[256];
        int transient;
        int failures;
    } errs[ERR_RING];
    unsigned errs_next;
} ing;

static void step(void);
static void resume(void);

/* Records the entry's last error; a failure (not an outage) also counts. Returns the entry's
 * failures so far. */
static int remember_error(const char *id, const char *err, int transient)
{
    unsigned k = ERR_RING;
    for (unsigned i = 0; i < ERR_RING; i++) {
        if (strcmp(ing.errs[i].id, id) == 0) {
            k = i;
            break;
        }
    }
    if (k == ERR_RING) {
        k = ing.errs_next++ % ERR_RING;
        snprintf(ing.errs[k].id, sizeof(ing.errs[k].id), "%s", id);
        ing.errs[k].failures = 0;
    }
    snprintf(ing.errs[k].err, sizeof(ing.errs[k].err), "%s", err);
    ing.errs[k].transient = transient;
    if (!transient) ing.errs[k].failures++;
    return ing.errs[k].failures;
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

/* batches being stored (at most one) */
static size_t in_flight(void)
{
    size_t n = 0;
    for (size_t i = 0; i < MAX_SLOTS; i++)
        if (ing.slots[i].busy && !ing.slots[i].acking && &ing.slots[i] != ing.held) n++;
    return n;
}

/* batches whose entries are delivered to us and not yet acknowledged */
static size_t unacked(void)
{
    size_t n = 0;
    for (size_t i = 0; i < MAX_SLOTS; i++)
        if (ing.slots[i].busy) n++;
    return n;
}

static ing_batch *free_slot(void)
{
    for (size_t i = 0; i < MAX_SLOTS; i++)
        if (!ing.slots[i].busy) return &ing.slots[i];
    return NULL;
}

static size_t slot_of(const ing_batch *b)
{
    return (size_t)(b - ing.slots);
}

/* ud of a per-entry PostgreSQL call: the slot and the entry index */
static void *entry_ud(const ing_batch *b, size_t i)
{
    return (void *)(uintptr_t)((slot_of(b) << 16) | i);
}

static ing_entry *ud_entry(void *ud, ing_batch **b)
{
    uintptr_t v = (uintptr_t)ud;
    *b = &ing.slots[v >> 16];
    return &(*b)->e[v & 0xffff];
}

/* Frees the entries; without an ack they stay pending and are read again (history). */
static void free_batch(ing_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->e[i].u);
        free(b->e[i].raw);
        free(b->e[i].err);
    }
    free(b->e);
    memset(b, 0, sizeof(*b));
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

/* Parses [[id, [field, value, ...]], ...] into b, which becomes busy. */
static int load_entries(ing_batch *b, const redisReply *list)
{
    if (!list || list->type != REDIS_REPLY_ARRAY) return EDGE_ERR;
    memset(b, 0, sizeof(*b));
    b->e = calloc(list->elements ? list->elements : 1, sizeof(*b->e));
    if (!b->e) return EDGE_ERR;
    b->busy = 1;
    for (size_t i = 0; i < list->elements; i++) {
        const redisReply *ent = list->element[i];
        ing_entry *e = &b->e[b->n];
        if (!ent || ent->type != REDIS_REPLY_ARRAY || ent->elements < 1 ||
            ent->element[0]->type != REDIS_REPLY_STRING || ent->element[0]->len >= sizeof(e->id))
            continue;
        memcpy(e->id, ent->element[0]->str, ent->element[0]->len);
        e->id[ent->element[0]->len] = '\0';
        b->n++;
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

static void next_entry(ing_batch *b);

static void batch_complete(ing_batch *b)
{
    batch_done_fn done = b->done;
    int failed = b->failed;
    free_batch(b);
    if (done && !ing.stopping) done(b, failed);
}

static void on_xack(redisReply *reply, void *ud)
{
    if (!reply || reply->type == REDIS_REPLY_ERROR)
        EDGE_WARN("ingest: XACK failed; entries will be redelivered (idempotent)", "error",
                  reply ? reply->str : "redis down");
    if (ing.stopping) return;
    batch_complete(&ing.slots[(uintptr_t)ud]);
}

static void start_held(void);

/* The batch is stored (or given up): acknowledge what was committed, and let the batch read
 * ahead start right away unless this one failed. */
static void finish_batch(ing_batch *b)
{
    size_t nack = 0;
    const char **argv = calloc(b->n + 3, sizeof(char *));
    edge_redis *r = edge_redis_ready(ing.acker) ? ing.acker : ing.redis;
    if (!argv) {
        batch_complete(b);
        return;
    }
    argv[0] = "XACK";
    argv[1] = STREAM;
    argv[2] = GROUP;
    for (size_t i = 0; i < b->n; i++)
        if (b->e[i].ack) argv[3 + nack++] = b->e[i].id;
    if (nack == 0 || edge_redis_cmd(r, on_xack, (void *)(uintptr_t)slot_of(b), (int)(3 + nack),
                                    argv, NULL) != EDGE_OK) {
        free(argv);
        if (nack) EDGE_WARN("ingest: XACK not sent, redis down; entries will be redelivered");
        batch_complete(b);
        return;
    }
    free(argv);
    b->acking = 1;
    if (!b->failed) start_held();
}

static void fail_rest(ing_batch *b, const char *err)
{
    b->failed = 1;
    for (size_t i = 0; i < b->n; i++)
        if (!b->e[i].ack && !b->e[i].dead) remember_error(b->e[i].id, err, 1);
}

static void on_dead_entry(redisReply *reply, void *ud)
{
    if (ing.stopping) return;
    ing_batch *b;
    ing_entry *e = ud_entry(ud, &b);
    if (!reply || reply->type == REDIS_REPLY_ERROR) {
        EDGE_ERROR("ingest: moving an entry to {rt}:dead failed; it stays pending", "stream_id",
                   e->id, "error", reply ? reply->str : "redis down");
        fail_rest(b, "{rt}:dead could not be written");
        finish_batch(b);
        return;
    }
    e->dead = 1;
    edge_metrics_dead_letter(STREAM);
    b->idx++;
    next_entry(b);
}

/* The database answered an error for this entry alone (rt.ingest of it, or rt.reject_update):
 * it failed once more. Below RT_INGEST_MAX_DELIVERIES failures the batch stops here, to be
 * read again after a backoff (the entries before it are acked); at the limit the entry moves
 * to {rt}:dead with the SQLSTATE and message, and the batch goes on. */
static void entry_failed(ing_batch *b, size_t i, const char *what, const edge_pg_result *r)
{
    ing_entry *e = &b->e[i];
    char reason[600], n[24];
    snprintf(reason, sizeof(reason), "%s failed with SQLSTATE %s: %s", what, r->sqlstate,
             r->errmsg[0] ? r->errmsg : "(no message)");
    int failures = remember_error(e->id, reason, 0);
    if (failures < ing.ctx->cfg->ingest_max_deliveries) {
        EDGE_WARN("ingest: update failed; retrying it after a backoff", "stream_id", e->id,
                  "failures", edge_log_int(n, failures), "sqlstate", r->sqlstate, "error",
                  r->errmsg);
        for (size_t j = 0; j < b->n; j++) /* the rest did not fail: they wait behind it */
            if (j != i && !b->e[j].ack && !b->e[j].dead) remember_error(b->e[j].id, reason, 1);
        b->failed = 1;
        finish_batch(b);
        return;
    }
    EDGE_ERROR("ingest: entry moved to {rt}:dead", "stream_id", e->id, "failures",
               edge_log_int(n, failures), "sqlstate", r->sqlstate, "error", r->errmsg);
    const char *argv[] = {"EVAL", DEAD_SCRIPT, "2", STREAM, DEAD_STREAM, e->id, reason, GROUP};
    edge_redis *rc = edge_redis_ready(ing.acker) ? ing.acker : ing.redis;
    if (edge_redis_cmd(rc, on_dead_entry, entry_ud(b, i), 8, argv, NULL) != EDGE_OK) {
        fail_rest(b, "{rt}:dead could not be written");
        finish_batch(b);
    }
}

static void on_reject(const edge_pg_result *r, void *ud)
{
    if (ing.stopping) return;
    ing_batch *b;
    ing_entry *e = ud_entry(ud, &b);
    if (strcmp(r->sqlstate, "00000") == 0) {
        e->ack = 1;
        EDGE_WARN("ingest: update rejected", "stream_id", e->id);
    } else {
        EDGE_ERROR("ingest: rt.reject_update failed", "stream_id", e->id, "sqlstate", r->sqlstate,
                   "error", r->errmsg);
        if (edge_ingest_classify_sqlstate(r->sqlstate) == EDGE_INGEST_RETRY) {
            fail_rest(b, r->errmsg);
            finish_batch(b);
            return;
        }
        entry_failed(b, (size_t)(e - b->e), "rt.reject_update", r);
        return;
    }
    b->idx++;
    next_entry(b);
}

static void reject(ing_batch *b, size_t i, const char *raw, const char *err)
{
    const char *params[2] = {raw, err ? err : "unparsable update"};
    if (edge_pg_call(ing.ctx->pg_ingest, NULL, "SELECT rt.reject_update($1, $2)", 2, params,
                     on_reject, entry_ud(b, i)) != EDGE_OK) {
        fail_rest(b, "postgres call could not be queued");
        finish_batch(b);
    }
}

static void on_single(const edge_pg_result *r, void *ud)
{
    if (ing.stopping) return;
    ing_batch *b;
    ing_entry *e = ud_entry(ud, &b);
    size_t i = (size_t)(e - b->e);
    switch (edge_ingest_classify_sqlstate(r->sqlstate)) {
    case EDGE_INGEST_OK:
        e->ack = 1;
        edge_metrics_updates_ingested(1);
        b->idx++;
        next_entry(b);
        return;
    case EDGE_INGEST_DATA_ERROR:
        EDGE_WARN("ingest: update refused by rt.ingest, rejecting it", "stream_id", e->id,
                  "sqlstate", r->sqlstate, "error", r->errmsg);
        reject(b, i, e->u, r->errmsg);
        return;
    case EDGE_INGEST_POISON:
        entry_failed(b, i, "rt.ingest", r);
        return;
    default:
        EDGE_WARN("ingest: rt.ingest failed, database unreachable; will retry", "stream_id", e->id,
                  "sqlstate", r->sqlstate, "error", r->errmsg);
        fail_rest(b, r->errmsg);
        finish_batch(b);
        return;
    }
}

static void next_entry(ing_batch *b)
{
    while (b->idx < b->n) {
        ing_entry *e = &b->e[b->idx];
        if (e->ack || e->dead) {
            b->idx++;
            continue;
        }
        if (e->u && b->split) {
            size_t len = strlen(e->u);
            const char *items[1] = {e->u};
            char *arr = edge_ingest_build_array(items, &len, 1, NULL);
            const char *params[1] = {arr};
            int rc = arr ? edge_pg_call(ing.ctx->pg_ingest, NULL, "SELECT rt.ingest($1::jsonb)", 1,
                                        params, on_single, entry_ud(b, b->idx))
                         : EDGE_ERR;
            free(arr);
            if (rc != EDGE_OK) {
                fail_rest(b, "postgres call could not be queued");
                finish_batch(b);
            }
            return;
        }
        if (e->raw) {
            reject(b, b->idx, e->raw, e->err);
            return;
        }
        if (!e->u) { /* entry without fields (deleted from the stream): nothing to store */
            e->ack = 1;
        }
        b->idx++;
    }
    finish_batch(b);
}

static void on_batch(const edge_pg_result *r, void *ud)
{
    if (ing.stopping) return;
    ing_batch *b = &ing.slots[(uintptr_t)ud];
    switch (edge_ingest_classify_sqlstate(r->sqlstate)) {
    case EDGE_INGEST_OK: {
        long long stored = 0;
        for (size_t i = 0; i < b->n; i++)
            if (b->e[i].u) {
                b->e[i].ack = 1;
                stored++;
            }
        edge_metrics_updates_ingested(stored);
        if (r->res && PQntuples(r->res) == 1 && edge_log_level <= EDGE_LOG_DEBUG)
            EDGE_DEBUG("ingest: batch stored", "result", PQgetvalue(r->res, 0, 0));
        break;
    }
    case EDGE_INGEST_DATA_ERROR:
    case EDGE_INGEST_POISON:
        EDGE_WARN("ingest: batch refused, retrying entry by entry", "sqlstate", r->sqlstate,
                  "error", r->errmsg);
        b->split = 1;
        break;
    default:
        EDGE_WARN("ingest: rt.ingest failed, database unreachable; will retry", "sqlstate",
                  r->sqlstate, "error", r->errmsg);
        fail_rest(b, r->errmsg);
        finish_batch(b);
        return;
    }
    b->idx = 0;
    next_entry(b);
}

/* Stores the batch's entries; done(b, failed) runs after the XACK. */
static void process_batch(ing_batch *b, batch_done_fn done)
{
    size_t nu = 0;
    const char **items = NULL;
    size_t *lens = NULL;
    char *arr = NULL;
    int rc = EDGE_ERR;

    b->done = done;
    b->split = 0;
    b->failed = 0;
    b->idx = 0;
    for (size_t i = 0; i < b->n; i++)
        if (b->e[i].u) nu++;
    if (nu == 0) {
        next_entry(b);
        return;
    }
    items = calloc(nu, sizeof(*items));
    lens = calloc(nu, sizeof(*lens));
    if (!items || !lens) goto out;
    nu = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (!b->e[i].u) continue;
        items[nu] = b->e[i].u;
        lens[nu++] = strlen(b->e[i].u);
    }
    arr = edge_ingest_build_array(items, lens, nu, NULL);
    if (!arr) goto out;
    const char *params[1] = {arr};
    rc = edge_pg_call(ing.ctx->pg_ingest, NULL, "SELECT rt.ingest($1::jsonb)", 1, params, on_batch,
                      (void *)(uintptr_t)slot_of(b));
out:
    free(arr);
    free(items);
    free(lens);
    if (rc != EDGE_OK) {
        fail_rest(b, "postgres call could not be queued");
        finish_batch(b);
    }
}

/* ---- reading ---- */

static void after_batch(ing_batch *b, int failed)
{
    (void)b;
    if (failed)
        ing.failing = 1;
    else if (!ing.failing)
        ing.attempts = 0;
    resume();
}

/* Starts the batch read ahead once nothing is being stored. */
static void start_held(void)
{
    if (ing.stopping || ing.failing || !ing.held || in_flight() > 0) return;
    ing_batch *b = ing.held;
    ing.held = NULL;
    process_batch(b, after_batch);
    step(); /* its slot is taken: read the next one ahead */
}

/* Picks up after a batch finished or a read returned: starts the batch read ahead, backs off
 * after a failure once everything has drained, else reads on. */
static void resume(void)
{
    if (ing.stopping) return;
    if (ing.failing) {
        if (unacked() > (ing.held ? 1u : 0u) || ing.reading) return; /* let the others finish */
        if (ing.held) { /* unacked: read again from history */
            free_batch(ing.held);
            ing.held = NULL;
        }
        unsigned ms = 1000u << (ing.attempts < 5 ? ing.attempts : 5);
        ing.attempts++;
        ing.failing = 0;
        ing.read_history = 1;
        schedule_step(ms > 30000 ? 30000 : ms);
        return;
    }
    start_held();
    step();
}

static void create_group(void);

static void on_read(redisReply *reply, void *ud)
{
    (void)ud;
    if (ing.stopping) return;
    ing.reading = 0;
    if (!reply) {
        if (in_flight() == 0) schedule_step(1000);
        return;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        if (strncmp(reply->str, "NOGROUP", 7) == 0) {
            if (in_flight() == 0) create_group();
            return;
        }
        EDGE_WARN("ingest: XREADGROUP failed", "error", reply->str);
        if (in_flight() == 0) schedule_step(1000);
        return;
    }
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements == 0) { /* BLOCK timed out */
        ing.read_history = 0;
        resume();
        return;
    }
    const redisReply *s = reply->element[0];
    size_t earlier = in_flight(); /* before b becomes busy */
    ing_batch *b = free_slot();
    if (!b || s->type != REDIS_REPLY_ARRAY || s->elements < 2 ||
        load_entries(b, s->element[1]) != EDGE_OK) {
        if (b) free_batch(b);
        if (in_flight() == 0) schedule_step(1000);
        return;
    }
    if (b->n == 0) {
        free_batch(b);
        ing.read_history = 0;
        resume();
        return;
    }
    if (ing.failing) { /* delivered to us, not acked: the history read after the backoff */
        free_batch(b);
        resume();
        return;
    }
    if (earlier > 0)
        ing.held = b; /* starts when the batch being stored has committed */
    else
        process_batch(b, after_batch);
    step(); /* read the next batch while this one is stored */
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
    ing.reading = 1;
    if (edge_redis_cmd(ing.redis, on_read, NULL, 11, argv, NULL) != EDGE_OK) {
        ing.reading = 0;
        if (in_flight() == 0) schedule_step(500);
    }
}

/* ---- maintenance: reclaim, dead-letter, trim ---- */

/* Runs only while no batch is in flight and no read is outstanding; ends in maint_done. */
static void maint_done(void)
{
    ing.maint_running = 0;
    step();
}

static void on_trim(redisReply *reply, void *ud)
{
    (void)ud;
    if (reply && reply->type == REDIS_REPLY_INTEGER && reply->integer > 0) {
        char n[24];
        EDGE_DEBUG("ingest: trimmed {rt}:in", "entries", edge_log_int(n, reply->integer));
    }
    if (!ing.stopping) maint_done();
}

static void trim_below(const char *minid)
{
    const char *argv[] = {"XTRIM", STREAM, "MINID", minid};
    if (edge_redis_cmd(ing.redis, on_trim, NULL, 4, argv, NULL) != EDGE_OK) maint_done();
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
    maint_done();
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
    maint_done();
}

static void maint_trim(void)
{
    const char *argv[] = {"XPENDING", STREAM, GROUP};
    if (edge_redis_cmd(ing.redis, on_pending_summary, NULL, 3, argv, NULL) != EDGE_OK) maint_done();
}

static void on_dead(redisReply *reply, void *ud)
{
    (void)ud;
    if (!reply || reply->type == REDIS_REPLY_ERROR)
        EDGE_ERROR("ingest: moving an entry to {rt}:dead failed", "error",
                   reply ? reply->str : "redis down");
    else
        edge_metrics_dead_letter(STREAM);
}

static void on_pending_detail(redisReply *reply, void *ud)
{
    (void)ud;
    if (ing.stopping) return;
    if (reply && reply->type == REDIS_REPLY_ARRAY && edge_pg_ready(ing.ctx->pg_ingest)) {
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
            EDGE_ERROR("ingest: entry moved to {rt}:dead", "stream_id", id, "deliveries",
                       edge_log_int(cnt, p->element[3]->integer), "error", err);
            const char *argv[] = {"EVAL", DEAD_SCRIPT, "2", STREAM, DEAD_STREAM, id, err, GROUP};
            edge_redis_cmd(ing.redis, on_dead, NULL, 8, argv, NULL);
        }
    }
    maint_trim();
}

static void maint_dead(ing_batch *b, int failed)
{
    char idle[24];
    (void)b;
    (void)failed;
    if (ing.stopping) return;
    snprintf(idle, sizeof(idle), "%d", ing.ctx->cfg->ingest_claim_idle_ms);
    const char *argv[] = {"XPENDING", STREAM, GROUP, "IDLE", idle, "-", "+", "100"};
    if (edge_redis_cmd(ing.redis, on_pending_detail, NULL, 8, argv, NULL) != EDGE_OK) maint_done();
}

static void on_autoclaim(redisReply *reply, void *ud)
{
    (void)ud;
    if (ing.stopping) return;
    ing_batch *b = free_slot(); /* every slot is free: maintenance runs only when idle */
    if (!b || !reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 2 ||
        load_entries(b, reply->element[1]) != EDGE_OK) {
        if (b) free_batch(b);
        if (reply && reply->type == REDIS_REPLY_ERROR)
            EDGE_WARN("ingest: XAUTOCLAIM failed", "error", reply->str);
        maint_dead(NULL, 0);
        return;
    }
    if (b->n == 0) {
        free_batch(b);
        maint_dead(NULL, 0);
        return;
    }
    char n[24];
    EDGE_INFO("ingest: reclaimed idle entries", "count", edge_log_int(n, (long long)b->n));
    process_batch(b, maint_dead);
}

static void maintenance(void)
{
    char idle[24], count[24];
    ing.want_maint = 0;
    ing.maint_running = 1;
    snprintf(idle, sizeof(idle), "%d", ing.ctx->cfg->ingest_claim_idle_ms);
    snprintf(count, sizeof(count), "%d", ing.ctx->cfg->ingest_batch);
    const char *argv[] = {"XAUTOCLAIM", STREAM, GROUP, ing.consumer, idle, "0-0", "COUNT", count};
    if (edge_redis_cmd(ing.redis, on_autoclaim, NULL, 8, argv, NULL) != EDGE_OK) {
        ing.maint_running = 0;
        schedule_step(500);
    }
}

static void on_maint_timer(uv_timer_t *t)
{
    (void)t;
    ing.want_maint = 1;
}

/* ---- the loop ---- */

/* Starts whatever may start now: maintenance when idle, else the next read while a slot is
 * free. Called after every read, batch, maintenance pass and timer; extra calls are harmless. */
static void step(void)
{
    if (ing.stopping || ing.reading || ing.maint_running || ing.failing) return;
    if (!edge_redis_ready(ing.redis)) {
        if (in_flight() == 0) schedule_step(500);
        return;
    }
    if (!edge_pg_ready(ing.ctx->pg_ingest)) { /* nothing could be stored: leave entries unread */
        if (in_flight() == 0) schedule_step(500);
        return;
    }
    if (ing.want_maint) { /* runs alone: nothing delivered to us may be unacknowledged */
        if (unacked() == 0) maintenance();
        return;
    }
    /* read ahead one batch; our own pending entries (history) include every unacked batch */
    if (!free_slot() || ing.held || (ing.read_history && unacked() > 0)) return;
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
    edge_pg_call(ing.ctx->pg_ingest, NULL, "SELECT rt.maintain_partitions(3)", 0, NULL,
                 on_partitions, NULL);
}

int edge_ingest_start(edge_ctx *ctx)
{
    char host[64] = "edge";
    if (!ctx || !ctx->cfg || !ctx->pg_ingest) return EDGE_ERR;
    memset(&ing, 0, sizeof(ing));
    ing.ctx = ctx;
    if (gethostname(host, sizeof(host)) != 0) snprintf(host, sizeof(host), "edge");
    host[sizeof(host) - 1] = '\0';
    snprintf(ing.consumer, sizeof(ing.consumer), "%s-%ld", host, (long)getpid());
    ing.redis = edge_redis_create(ctx->loop, ctx->cfg);
    if (!ing.redis) return EDGE_ERR;
    ing.acker = edge_redis_create(ctx->loop, ctx->cfg);
    if (!ing.acker) {
        edge_redis_destroy(ing.redis);
        ing.redis = NULL;
        return EDGE_ERR;
    }
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
    /* batches in flight stay unacknowledged: they are redelivered after the claim idle time */
    for (size_t i = 0; i < MAX_SLOTS; i++)
        if (ing.slots[i].busy) free_batch(&ing.slots[i]);
    ing.held = NULL;
    edge_redis_destroy(ing.redis);
    ing.redis = NULL;
    edge_redis_destroy(ing.acker);
    ing.acker = NULL;
    uv_close((uv_handle_t *)&ing.timer, NULL);
    uv_close((uv_handle_t *)&ing.maint_timer, NULL);
    uv_close((uv_handle_t *)&ing.part_timer, NULL);
}
