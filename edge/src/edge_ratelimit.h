/* Token buckets for Telegram sends: per chat, per group, overall, and Telegram's retry_after.
 * Pure: time comes in as now_ms (any monotonic milliseconds, e.g. uv_now), no sockets, no loop,
 * no global state.
 *
 *   edge_ratelimit *rl = edge_rl_create(1, 20, 30);     // RT_TG_RATE_CHAT / _GROUP_PER_MIN /
 * _GLOBAL long long wait = edge_rl_reserve(rl, chat_id, chat_id < 0, uv_now(loop)); if (wait > 0)
 * retry_in(wait); else send();          // 0: the tokens are taken, go
 *   ... on 429: edge_rl_block(rl, chat_id, now + retry_after * 1000);
 *   edge_rl_free(rl);
 *
 * The limiter paces: its buckets hold one token (burst 1), so 1/s per chat means one send per
 * 1000 ms, 20/min per group one per 3000 ms and 30/s overall one per 33.3 ms; no window of a
 * second (a minute for groups) ever sees more than the rate + 1 sends. A bucket keeps up to one
 * ms of refill beyond its burst, so callers retrying on whole milliseconds get the full rate.
 *
 * Memory bound: a chat has an entry only while its state differs from a fresh one (a bucket not
 * yet refilled, or a block in force), and never after 10 minutes idle (EDGE_RL_IDLE_MS) unless
 * blocked. Stale entries are dropped whenever the table would grow, so its capacity stays below
 * 8 x (live entries + 1) slots, at least 64; live entries are at most the chats that sent in the
 * last max(1 / chat rate, 60 / group rate per min) seconds (capped at 10 minutes) plus the chats
 * under a block. About 100 bytes a slot. */
#ifndef EDGE_RATELIMIT_H
#define EDGE_RATELIMIT_H

#include <stddef.h>

#include "edge.h"

#define EDGE_RL_IDLE_MS (10 * 60 * 1000LL) /* entries idle this long are forgotten */

typedef struct edge_bucket {
    double rate_per_ms; /* tokens added per ms; <= 0: unlimited */
    double burst;       /* most tokens held (>= 1), plus up to one ms of refill */
    double tokens;
    long long last_ms; /* time of the last refill; LLONG_MIN before the first use */
} edge_bucket;

/* A full bucket of burst tokens (at least 1) refilled at per_sec tokens a second; per_sec <= 0
 * makes it unlimited. */
void edge_bucket_init(edge_bucket *b, double per_sec, double burst);

/* 0 when a token was available (and is now taken); otherwise the ms until one will be (>= 1),
 * and nothing is taken. */
long long edge_bucket_wait(edge_bucket *b, long long now_ms);

typedef struct edge_ratelimit edge_ratelimit;

/* chat_per_sec: sends per second to one chat; group_per_min: per minute to one group;
 * global_per_sec: per second overall. 0 (or less) = unlimited. NULL when out of memory;
 * edge_rl_free releases it. */
edge_ratelimit *edge_rl_create(double chat_per_sec, double group_per_min, double global_per_sec);

/* Asks to send to chat_id now. 0: the chat, group (when is_group; pass chat_id < 0 for groups,
 * supergroups and channels) and global tokens were all taken. Otherwise the ms to wait (>= 1)
 * and nothing was taken. When memory for a new chat entry runs out it lets the send go. */
long long edge_rl_reserve(edge_ratelimit *rl, long long chat_id, int is_group, long long now_ms);

/* Telegram's 429 retry_after: no send to chat_id (only that chat) before until_ms. A later
 * call can extend the block, never shorten it. */
void edge_rl_block(edge_ratelimit *rl, long long chat_id, long long until_ms);

/* For tests and metrics: entries in use and slots of the per-chat table. */
void edge_rl_stats(const edge_ratelimit *rl, size_t *entries, size_t *capacity);

void edge_rl_free(edge_ratelimit *rl);

#endif
