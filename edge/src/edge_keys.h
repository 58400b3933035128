/* Every Redis key and stream name rt-edge uses, in one place (contract.md, contract-delivery.md).
 * All share the prefix "{rt}:"; change a name here and nowhere else. The hash tag {rt} puts every
 * key in one Redis Cluster slot, so a command, MULTI/EXEC or script may use any of them together
 * (docs/operations/scaling.md; tests/docs/redis-cluster-slots.test.mjs fails on a key without
 * it). */
#ifndef EDGE_KEYS_H
#define EDGE_KEYS_H

#define EDGE_KEY_IN "{rt}:in"                        /* incoming Telegram updates (stream) */
#define EDGE_KEY_DEAD "{rt}:dead"                    /* dead letters of every stream (stream) */
#define EDGE_KEY_LLM "{rt}:llm"                      /* LLM jobs (stream, group "llm") */
#define EDGE_KEY_SEND "{rt}:send"                    /* Telegram jobs (stream, group "send") */
#define EDGE_KEY_TG_OFFSET "{rt}:tg:offset"          /* last confirmed getUpdates update_id */
#define EDGE_KEY_TG_POLLER "{rt}:tg:poller"          /* lease of the edge that polls Telegram */
#define EDGE_KEY_TG_CHAT_SLOT_PREFIX "{rt}:tg:slot:" /* + chat id: per-chat send pace */
#define EDGE_KEY_SESSION_PREFIX "{rt}:session:"      /* + token: an admin's session */
#define EDGE_KEY_ADMIN_SESSIONS_PREFIX "{rt}:admin_sessions:" /* + admin id: set of its tokens */
/* login attempts of all edges (hash c, ws, s, last, lu; TTL: the window, a day once locked) */
#define EDGE_KEY_LOGIN_ACCOUNT_PREFIX "{rt}:login:account:" /* + SHA-256 hex of the login sent */
#define EDGE_KEY_LOGIN_ADDR_PREFIX "{rt}:login:addr:"       /* + client address */
/* pub/sub channel, not a key: llm.delta/llm.done frames to the consoles of every edge */
#define EDGE_KEY_LIVE_CHANNEL "{rt}:live"

/* Names before 0.5.0 (no hash tag), renamed on every Redis connect before the connection is used
 * (RENAMENX: only when the old key exists and the new one does not; a stream keeps its groups and
 * pending entries). The poller lease simply expires; sessions and login counts are not kept. The
 * simulator's old counter rt:sim:update_id is left alone: its ids now come from the database
 * (rt.sim_ids, set past every id the counter gave when 0.5.0 is installed). */
/* clang-format off */
#define EDGE_KEY_LEGACY_RENAMES                                                                   \
    {"rt:in", EDGE_KEY_IN}, {"rt:dead", EDGE_KEY_DEAD}, {"rt:llm", EDGE_KEY_LLM},                 \
    {"rt:send", EDGE_KEY_SEND}, {"rt:tg:offset", EDGE_KEY_TG_OFFSET}
/* clang-format on */

#define EDGE_GROUP_INGEST "ingest"
#define EDGE_GROUP_LLM "llm"
#define EDGE_GROUP_SEND "send"

#endif
