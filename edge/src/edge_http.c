/* HTTP + WebSocket server on libwebsockets: context, vhost, protocols and static mount.
 * (Minimal stub so the build links; grows into the full server.) */
#include <stdlib.h>
#include "edge_http.h"

struct edge_http {
    edge_ctx *ctx;
};

edge_http *edge_http_start(edge_ctx *ctx)
{
    edge_http *h = calloc(1, sizeof(*h));
    if (!h) return NULL;
    h->ctx = ctx;
    return h;
}

void edge_http_stop(edge_http *h)
{
    free(h);
}

void edge_ws_broadcast(edge_http *h, const char *json, size_t len)
{
    (void)h; (void)json; (void)len;
}
