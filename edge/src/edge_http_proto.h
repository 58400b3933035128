/* The lws protocol callback of rt-edge ("rt", protocols[0] of edge_http.c): one switch over
 * every reason, HTTP transactions and /ws sockets alike.
 *
 * Usage: edge_http_start lists it in the lws protocols; lws calls it, nobody else does. */
#ifndef EDGE_HTTP_PROTO_H
#define EDGE_HTTP_PROTO_H

#include <stddef.h>
#include <libwebsockets.h>

int edge_http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                       size_t len);

#endif
