/* The rt_events listener: LISTEN rt_events -> rt.event_messages -> one WebSocket envelope per
 * row, broadcast to every client in commit order.
 *
 * Usage: edge_events_start once the PostgreSQL pools and ctx->http exist; edge_events_stop on
 * shutdown (safe when never started). */
#ifndef EDGE_EVENTS_H
#define EDGE_EVENTS_H

#include "edge.h"

int edge_events_start(edge_ctx *ctx); /* LISTEN rt_events -> rt.event_messages -> broadcast */
void edge_events_stop(void);          /* drops queued payloads; safe when never started */

#endif
