/* The LLM worker: consumer group "llm" on {rt}:llm. Each llm.reply / llm.draft job:
 *   rt.job_begin (provider, endpoint, the exact request compiled in PostgreSQL)
 *   -> the call: libcurl multi, streaming SSE (OpenAI, DeepSeek, OpenAI-compatible, Anthropic),
 *      or the offline demo model; deltas go to the browsers (llm.delta) and, in private chats,
 *      into a Telegram draft; "typing" repeats every 4 s
 *   -> rt.record_reply (tokens, cost, latency) -> XACK; one JSON log line per call.
 * Timeouts: connect, first token, idle between chunks, total. 429/5xx/network errors are
 * retried with backoff and jitter (Retry-After honoured); 4xx are final.
 * llm.turn jobs (round-table sessions) run the same way with rt.job_begin's "session": what
 * Telegram shows is labelled "<speaker>:\n", frames carry session_id and speaker, the total
 * timeout is min(RT_LLM_TOTAL_TIMEOUT_MS, deadline_ms), an empty reply is recorded (a strike)
 * with rt.session_record_turn. A timer calls rt.session_reap() every 2 s.
 *
 *   edge_llm_start(ctx);   // after the pools, Redis and the HTTP server
 *   edge_llm_stop();
 */
#ifndef EDGE_LLM_H
#define EDGE_LLM_H

#include "edge.h"

int edge_llm_start(edge_ctx *ctx);
void edge_llm_stop(void);

/* The session stopped (journal row "session.stopped"): the turns of it in flight end at once:
 * the transfer is cancelled, a streamed group message deleted, no draft refreshed, nothing
 * recorded, the job acknowledged. A turn whose rt.job_begin is still running is dropped when
 * it answers. */
void edge_llm_cancel_session(long long session_id);

#endif
