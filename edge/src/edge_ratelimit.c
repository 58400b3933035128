/* Token buckets and the Telegram send limiter (see edge_ratelimit.h). */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "edge_ratelimit.h"

#define EPS 1e-9 /* floating point slack: k * (1/rate) ms after a take, a token is there */
#define MIN_CAP 64

void edge_bucket_init(edge_bucket *b, double per_sec, double burst)
{
    b->rate_per_ms = per_sec > 0 ? per_sec / 1000.0 : 0;
    b->burst = burst >= 1 ? burst : 1;
    b->tokens = b->burst;
    b->last_ms = LLONG_MIN;
}

static void refill(edge_bucket *b, long long now)
{
    if (b->last_ms == LLONG_MIN) {
        b->last_ms = now;
        return;
    }
    if (now <= b->last_ms) return; /* the clock went back: wait for it, add nothing */
    b->tokens += (double)(now - b->last_ms) * b->rate_per_ms;
    /* up to one ms of refill beyond the burst is kept, or callers polling on whole ms would
     * lose the fraction at every send (30/s would come out as 29.4/s) */
    if (b->tokens > b->burst + b->rate_per_ms) b->tokens = b->burst + b->rate_per_ms;
    b->last_ms = now;
}

/* ms until a token is there (0: now); refills, takes nothing. */
static long long peek(edge_bucket *b, long long now)
{
    double ms;
    if (b->rate_per_ms <= 0) return 0;
    refill(b, now);
    if (b->tokens >= 1 - EPS) return 0;
    ms = ceil((1 - b->tokens) / b->rate_per_ms - EPS);
    return ms < 1 ? 1 : (long long)ms;
}

static void take(edge_bucket *b)
{
    if (b->rate_per_ms > 0) b->tokens -= 1;
}

/* Whether b at now holds as many tokens as a fresh bucket would. */
static int full(const edge_bucket *b, long long now)
{
    if (b->rate_per_ms <= 0 || b->last_ms == LLONG_MIN) return 1;
    if (now < b->last_ms) return 0;
    return b->tokens + (double)(now - b->last_ms) * b->rate_per_ms >= b->burst - EPS;
}

long long edge_bucket_wait(edge_bucket *b, long long now_ms)
{
    long long w = peek(b, now_ms);
    if (w == 0) take(b);
    return w;
}

typedef struct rl_entry {
    long long chat_id;
    long long last_used; /* last reserve that took tokens, or the block */
    long long blocked_until;
    edge_bucket chat, group;
    int used;
} rl_entry;

struct edge_ratelimit {
    double chat_per_sec, group_per_sec;
    edge_bucket global;
    rl_entry *slots; /* open addressing, linear probing; cap is a power of two */
    size_t cap, count;
    long long now; /* latest now_ms seen: the clock of edge_rl_block */
};

static size_t slot_of(long long id, size_t cap)
{
    uint64_t x = (uint64_t)id + 0x9E3779B97F4A7C15ull; /* splitmix64 finalizer */
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return (size_t)(x ^ (x >> 31)) & (cap - 1);
}

static rl_entry *find(edge_ratelimit *rl, long long id)
{
    for (size_t i = slot_of(id, rl->cap);; i = (i + 1) & (rl->cap - 1)) {
        if (!rl->slots[i].used) return NULL;
        if (rl->slots[i].chat_id == id) return &rl->slots[i];
    }
}

/* Whether forgetting e changes nothing (or it has been idle long enough not to matter). */
static int stale(const rl_entry *e, long long now)
{
    if (now == LLONG_MIN || e->blocked_until > now) return 0; /* LLONG_MIN: no clock yet */
    if (now >= e->last_used &&
        (unsigned long long)now - (unsigned long long)e->last_used >= EDGE_RL_IDLE_MS)
        return 1;
    return full(&e->chat, now) && full(&e->group, now);
}

static void place(rl_entry *slots, size_t cap, const rl_entry *e)
{
    size_t i = slot_of(e->chat_id, cap);
    while (slots[i].used) i = (i + 1) & (cap - 1);
    slots[i] = *e;
}

/* Drops the stale entries into a table sized for the rest: load <= 1/4 afterwards. */
static int rebuild(edge_ratelimit *rl, long long now)
{
    size_t live = 0, ncap = MIN_CAP, i;
    rl_entry *ns;
    for (i = 0; i < rl->cap; i++) live += rl->slots[i].used && !stale(&rl->slots[i], now);
    while ((live + 1) * 4 > ncap) ncap *= 2;
    ns = calloc(ncap, sizeof(*ns));
    if (!ns) return EDGE_ERR;
    for (i = 0; i < rl->cap; i++)
        if (rl->slots[i].used && !stale(&rl->slots[i], now)) place(ns, ncap, &rl->slots[i]);
    free(rl->slots);
    rl->slots = ns;
    rl->cap = ncap;
    rl->count = live;
    return EDGE_OK;
}

/* A fresh entry for id (not in the table); NULL when out of memory. */
static rl_entry *insert(edge_ratelimit *rl, long long id, long long now)
{
    rl_entry e = {.chat_id = id, .last_used = now, .blocked_until = LLONG_MIN, .used = 1};
    if ((rl->count + 1) * 2 > rl->cap && rebuild(rl, now) != EDGE_OK) return NULL;
    edge_bucket_init(&e.chat, rl->chat_per_sec, 1);
    edge_bucket_init(&e.group, rl->group_per_sec, 1);
    e.chat.last_ms = e.group.last_ms = now; /* full at now */
    place(rl->slots, rl->cap, &e);
    rl->count++;
    return find(rl, id);
}

edge_ratelimit *edge_rl_create(double chat_per_sec, double group_per_min, double global_per_sec)
{
    edge_ratelimit *rl = calloc(1, sizeof(*rl));
    if (!rl) return NULL;
    rl->slots = calloc(MIN_CAP, sizeof(*rl->slots));
    if (!rl->slots) {
        free(rl);
        return NULL;
    }
    rl->cap = MIN_CAP;
    rl->chat_per_sec = chat_per_sec > 0 ? chat_per_sec : 0;
    rl->group_per_sec = group_per_min > 0 ? group_per_min / 60.0 : 0;
    edge_bucket_init(&rl->global, global_per_sec, 1);
    rl->now = LLONG_MIN;
    return rl;
}

long long edge_rl_reserve(edge_ratelimit *rl, long long chat_id, int is_group, long long now_ms)
{
    rl_entry *e;
    long long w = 0, x;

    if (now_ms > rl->now) rl->now = now_ms;
    e = find(rl, chat_id);
    if (e) {
        if (e->blocked_until > now_ms) w = e->blocked_until - now_ms;
        if ((x = peek(&e->chat, now_ms)) > w) w = x;
        if (is_group && (x = peek(&e->group, now_ms)) > w) w = x;
    }
    if ((x = peek(&rl->global, now_ms)) > w) w = x;
    if (w > 0) return w;
    /* a chat without an entry has full buckets; it needs one only when they can run dry */
    if (!e && (rl->chat_per_sec > 0 || (is_group && rl->group_per_sec > 0)))
        e = insert(rl, chat_id, now_ms);
    if (e) {
        take(&e->chat);
        if (is_group) take(&e->group);
        e->last_used = now_ms;
    }
    take(&rl->global);
    return 0;
}

void edge_rl_block(edge_ratelimit *rl, long long chat_id, long long until_ms)
{
    rl_entry *e = find(rl, chat_id);
    if (!e) e = insert(rl, chat_id, rl->now);
    if (e && until_ms > e->blocked_until) e->blocked_until = until_ms;
}

void edge_rl_stats(const edge_ratelimit *rl, size_t *entries, size_t *capacity)
{
    if (entries) *entries = rl->count;
    if (capacity) *capacity = rl->cap;
}

void edge_rl_free(edge_ratelimit *rl)
{
    if (!rl) return;
    free(rl->slots);
    free(rl);
}
