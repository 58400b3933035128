/* The Telegram sender: consumer group "send" on {rt}:send. telegram.send jobs go out through
 * sendMessage (split at 4096 characters, rate limited per chat, per group and overall, 429
 * retry_after honoured for that chat only) and are recorded with rt.mark_sent; telegram.delete
 * jobs call deleteMessage. Without TELEGRAM_BOT_TOKEN the simulator is the only Telegram there
 * is: a send is recorded with a simulated message id and nothing leaves the machine.
 *
 *   edge_sender_start(ctx);   // after the pools and the HTTP server exist
 *   edge_sender_stop();
 *
 * Also the small Bot API client the LLM worker uses for typing and drafts. */
#ifndef EDGE_SENDER_H
#define EDGE_SENDER_H

#include <jansson.h>
#include "edge.h"
#include "edge_curl.h"

int edge_sender_start(edge_ctx *ctx);
void edge_sender_stop(void);

/* A Bot API call whose answer the caller wants (cb gets the raw response); NULL when it could
 * not start or there is no token. Cancel with edge_curl_cancel. body is not consumed. */
edge_curl_req *edge_sender_post(const char *method, json_t *body, edge_curl_cb cb, void *ud);

/* Takes a send slot of the rate limiter for chat_id now: 1 when granted (and consumed), 0 when
 * the caller should skip this update (streamed edits are optional, final sends are not). */
int edge_sender_try_slot(long long chat_id);

/* Fire-and-forget Bot API call (sendChatAction, sendMessageDraft): best effort, logged on
 * failure, never retried. Takes a reference to body. No-op without a token. */
void edge_sender_fire(const char *method, json_t *body);

#endif
