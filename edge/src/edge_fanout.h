/* Live frames that only one edge produces -- llm.delta and llm.done, the tokens of a model call it
 * runs -- reach the WebSocket clients of every edge: sent to this edge's own clients at once and
 * published on the Redis channel {rt}:live, which every edge subscribes to and relays to its
 * clients (skipping what it published itself). Frames recorded in the database (message.*,
 * session.*, ...) do not come this way: every edge reads those from rt_events itself. */
#ifndef EDGE_FANOUT_H
#define EDGE_FANOUT_H

#include <stddef.h>
#include "edge.h"

int edge_fanout_start(edge_ctx *ctx);
void edge_fanout_stop(void);

/* One WebSocket envelope (edge_envelope) to the clients of every edge. Best effort, as the frames
 * are previews of what the database records anyway: with Redis down, or an envelope over
 * EDGE_FANOUT_MAX_BYTES, only this edge's clients get it. */
void edge_fanout_broadcast(const char *env, size_t len);

#define EDGE_FANOUT_MAX_BYTES (64 * 1024)

/* Pure: the payload published for env (the sender id, then the envelope); NULL on no memory. */
char *edge_fanout_pack(const char id[16], const char *env, size_t len, size_t *out_len);
/* Pure: the envelope of a payload published by another edge, or NULL (too short, this edge's own
 * id, or not a JSON object). */
const char *edge_fanout_unpack(const char id[16], const char *payload, size_t len, size_t *env_len);

#endif
