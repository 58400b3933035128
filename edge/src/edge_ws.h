/* /ws fan-out: authenticated sockets, refcounted shared frames and bounded per-client queues.
 * Socket-facing entry points are declared in edge_http_int.h; pure helpers here. */
#ifndef EDGE_WS_H
#define EDGE_WS_H

#include <stddef.h>

/* 1 when a client frame is {"type":"ping"} (other keys ignored). */
int edge_ws_is_ping(const char *buf, size_t len);

#endif
