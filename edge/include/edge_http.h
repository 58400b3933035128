/* HTTP + WebSocket server on libwebsockets (libuv event library, foreign loop): REST routes,
 * the SPA's static files, and the /ws fan-out. The server's public face: edge_http.c starts
 * and stops it, edge_ws.c broadcasts (its socket side is src/edge_ws.h).
 *
 * Usage: edge_http_start after the pools and Redis exist (ctx->http = ...); any module then
 * broadcasts envelopes (edge_envelope) with edge_ws_broadcast; edge_http_stop on shutdown. */
#ifndef EDGE_HTTP_H
#define EDGE_HTTP_H

#include <stddef.h>
#include "edge.h"

typedef struct edge_http edge_http;

/* Creates the lws context on ctx->loop and starts listening. */
edge_http *edge_http_start(edge_ctx *ctx);
void edge_http_stop(edge_http *h);

/* Queues one WebSocket text frame to every authenticated client. The JSON is copied once and
 * shared by reference. A client whose queue exceeds cfg->ws_max_queue is closed (1008) and
 * recovers by backfill. */
void edge_ws_broadcast(edge_http *h, const char *json, size_t len);
/* Queues a frame to the one client with this id (journal catch-up); EDGE_ERR when it is gone.
 * While the client is held for its catch-up, the frame goes ahead of the live frames waiting. */
int edge_ws_send_to(edge_http *h, unsigned long long client, const char *json, size_t len);
/* Ends a client's catch-up hold: the live frames queued behind it are written. */
void edge_ws_release(edge_http *h, unsigned long long client);

/* Open, authenticated WebSocket clients right now. */
size_t edge_ws_clients(const edge_http *h);

#endif
