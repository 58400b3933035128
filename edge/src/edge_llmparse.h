/* Streaming LLM answers, normalized: turns the data of each SSE event (edge_sse.h) of an
 * OpenAI / DeepSeek chat-completions stream or an Anthropic Messages stream into text deltas,
 * usage, finish reason, done and errors. Pure: no sockets, no loop, no global state.
 *
 *   static void on_delta(const char *text, size_t len, int reasoning, void *ud) { append... }
 *   static int on_event(const char *event, const char *data, size_t len, void *ud)
 *   {
 *       return edge_llm_stream_event(st, event, data, len, on_delta, ud);
 *   }
 *   edge_llm_stream st;
 *   edge_llm_stream_init(&st, provider_is_anthropic);
 *   ... edge_sse_feed(&sse, buf, n, on_event, ud) for each body chunk ...
 *   if (!st.done) edge_llm_estimate_usage(&st.usage, request_bytes, reply_bytes);
 *
 * OpenAI (and DeepSeek, openai_compatible): data {"choices":[{"delta":{"content":..,
 * "reasoning_content":..},"finish_reason":..}],"usage":..}, a last chunk with "usage" and
 * "choices":[], then "[DONE]"; {"error":{"message","type"}} mid-stream. Usage: input =
 * prompt_tokens, cached = prompt_cache_hit_tokens (DeepSeek) or prompt_tokens_details.
 * cached_tokens (OpenAI), output = completion_tokens.
 * Anthropic: message_start (message.usage), content_block_start / content_block_delta (text_delta
 * → text, thinking_delta → reasoning), message_delta (usage.output_tokens, delta.stop_reason),
 * message_stop (done), ping, error. Usage: input = input_tokens + cache_read_input_tokens +
 * cache_creation_input_tokens, cached = cache_read_input_tokens. */
#ifndef EDGE_LLMPARSE_H
#define EDGE_LLMPARSE_H

#include <stddef.h>

#include "edge.h"

#define EDGE_LLM_HAVE_INPUT 1  /* edge_llm_usage.have: input (and cached_input) are known */
#define EDGE_LLM_HAVE_OUTPUT 2 /* edge_llm_usage.have: output is known */

typedef struct edge_llm_usage {
    long long input, cached_input, output; /* tokens; cached_input is part of input */
    int have;                              /* EDGE_LLM_HAVE_* bits reported (or estimated) */
    int estimated;                         /* some part came from edge_llm_estimate_usage */
} edge_llm_usage;

enum {
    EDGE_LLM_ERR_NONE = 0,
    EDGE_LLM_ERR_MALFORMED, /* an event's data is not the JSON the format promises */
    EDGE_LLM_ERR_PROVIDER   /* the provider sent an error object / event */
};

/* Text (UTF-8, len bytes, not NUL-terminated) of one delta; reasoning is 1 for reasoning /
 * thinking text (DeepSeek reasoning_content, Anthropic thinking_delta), 0 for the answer. */
typedef void (*edge_llm_delta_cb)(const char *text, size_t len, int reasoning, void *ud);

typedef struct edge_llm_stream {
    int anthropic;                       /* the wire format: 1 Anthropic Messages, 0 OpenAI-style */
    int done;                            /* [DONE] (OpenAI) or message_stop (Anthropic) was seen */
    int error;                           /* EDGE_LLM_ERR_* of the first failure */
    char finish_reason[32];              /* finish_reason / stop_reason, "" until one arrives */
    char error_message[256];             /* what error says; provider errors as "type: message" */
    edge_llm_usage usage;                /* as reported so far */
    long long a_input, a_read, a_create; /* Anthropic usage parts (input = their sum) */
} edge_llm_stream;

/* Starts a stream of the given wire format (anthropic: 1 Anthropic, 0 OpenAI-style). */
void edge_llm_stream_init(edge_llm_stream *st, int anthropic);

/* Consumes one SSE event (event: its name, "" when none; data: len bytes) and calls on_delta
 * (may be NULL) for each non-empty piece of text. EDGE_OK, or EDGE_ERR with st->error and
 * st->error_message set: malformed JSON (EDGE_LLM_ERR_MALFORMED) or a provider error
 * (EDGE_LLM_ERR_PROVIDER). Events after done are ignored. */
int edge_llm_stream_event(edge_llm_stream *st, const char *event, const char *data, size_t len,
                          edge_llm_delta_cb on_delta, void *ud);

/* Fills in the parts of u the provider did not report with about bytes / 4 tokens each (input
 * from prompt_bytes, output from output_bytes) and sets u->estimated when it did; reported parts
 * are kept. For streams cut short before their usage arrived. */
void edge_llm_estimate_usage(edge_llm_usage *u, size_t prompt_bytes, size_t output_bytes);

#endif
