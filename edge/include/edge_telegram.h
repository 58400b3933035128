/* The Telegram poller: getUpdates long polling into the Redis stream {rt}:in, one poller per
 * deployment (a Redis lease), the offset confirmed only after its batch is durable.
 *
 * Usage: edge_telegram_start once the loop, Redis and the config are up; edge_telegram_stop on
 * shutdown, then run the loop once more so the transfers and timers close. */
#ifndef EDGE_TELEGRAM_H
#define EDGE_TELEGRAM_H

#include "edge.h"

int edge_telegram_start(edge_ctx *ctx); /* no-op when no token is configured */
void edge_telegram_stop(void);

#endif
