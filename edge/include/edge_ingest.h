/* The ingest side: Telegram long polling into rt:in, the consumer group that calls rt.ingest,
 * reclaiming and dead-lettering, and the rt_events listener that feeds the WebSocket fan-out. */
#ifndef EDGE_INGEST_H
#define EDGE_INGEST_H

#include "edge.h"

int edge_telegram_start(edge_ctx *ctx);  /* no-op when no token is configured */
void edge_telegram_stop(void);
int edge_ingest_start(edge_ctx *ctx);
void edge_ingest_stop(void);
int edge_events_start(edge_ctx *ctx);    /* LISTEN rt_events -> rt.event_messages -> broadcast */

#endif
