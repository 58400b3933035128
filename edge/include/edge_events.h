/* The rt_events journal reader: NOTIFY rt_events (a doorbell, payload ignored) -> read the
 * journal after the last id seen (rt.events_after) -> one WebSocket envelope per event,
 * broadcast to every client in commit order with its journal id ("event_id"); "admin.changed"
 * rows go to edge_auth_admin_changed. A client that reconnects with ?after=<event_id> is sent
 * what it missed (edge_events_catchup) or told to resync. Decision 011.
 *
 * Usage: edge_events_start once the PostgreSQL pools and ctx->http exist; edge_events_stop on
 * shutdown (safe when never started). */
#ifndef EDGE_EVENTS_H
#define EDGE_EVENTS_H

#include <stddef.h>
#include "edge.h"

int edge_events_start(edge_ctx *ctx); /* LISTEN rt_events, then read the journal on each ring */
void edge_events_stop(void);          /* safe when never started */

/* The id of the last journal row read (the hello's "event_id"), -1 while not known yet. */
long long edge_events_position(void);

/* Queues to WebSocket client `client` (edge_ws_send_to) the events of journal rows after
 * `after` up to the current position, or one "resync" event when that is too much (more than
 * 256 rows or half the client's queue), pruned or failed. Events are sent as they are now.
 * Returns 1 when a read was queued: the caller holds the client's live frames until it ends
 * (edge_ws_release), so the client sees the catch-up first; 0 when nothing was queued. */
int edge_events_catchup(unsigned long long client, long long after);

/* {"type","data","ts"} of edge_envelope plus "event_id" when id >= 0. Caller frees. */
char *edge_events_envelope(const char *type, const char *data, size_t len, long long id,
                           size_t *outlen);

#endif
