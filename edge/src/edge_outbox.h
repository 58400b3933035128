/* The outbox relay: rt.outbox rows claimed in PostgreSQL and XADDed to {rt}:llm / {rt}:send, on
 * NOTIFY rt_outbox and on a sweeper timer (docs/design/contract-delivery.md).
 *
 *   edge_outbox_start(ctx);   // after ctx->pg_work and ctx->redis exist
 *   ...
 *   edge_outbox_stop();       // before the pools are destroyed
 */
#ifndef EDGE_OUTBOX_H
#define EDGE_OUTBOX_H

#include "edge.h"

int edge_outbox_start(edge_ctx *ctx);
void edge_outbox_stop(void);

#endif
