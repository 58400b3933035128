/* The LLM worker: consumer group "llm" on rt:llm. Each llm.reply / llm.draft job:
 *   rt.job_begin (provider, endpoint, the exact request compiled in PostgreSQL)
 *   -> the call: libcurl multi, streaming SSE (OpenAI, DeepSeek, OpenAI-compatible, Anthropic),
 *      or the offline demo model; deltas go to the browsers (llm.delta) and, in private chats,
 *      into a Telegram draft; "typing" repeats every 4 s
 *   -> rt.record_reply (tokens, cost, latency) -> XACK; one JSON log line per call.
 * Timeouts: connect, first token, idle between chunks, total. 429/5xx/network errors are
 * retried with backoff and jitter (Retry-After honoured); 4xx are final.
 *
 *   edge_llm_start(ctx);   // after the pools, Redis and the HTTP server
 *   edge_llm_stop();
 */
#ifndef EDGE_LLM_H
#define EDGE_LLM_H

#include "edge.h"

int edge_llm_start(edge_ctx *ctx);
void edge_llm_stop(void);

#endif
