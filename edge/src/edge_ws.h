/* /ws fan-out: authenticated sockets, refcounted shared frames and bounded per-client queues.
 * Socket-facing entry points are declared in edge_http_int.h; pure helpers here. */
#ifndef EDGE_WS_H
#define EDGE_WS_H

#include <stddef.h>
#include <time.h>

/* ISO-8601 UTC with milliseconds, e.g. "2024-05-01T12:00:00.123Z"; out needs 25 bytes. */
void edge_ws_timestamp(char *out, size_t outlen);

/* Builds an envelope {"type":type,"data":<data_json or null>,"ts":ts}. data_json must be
 * valid JSON or NULL. Returns malloc'd string (caller frees) or NULL. */
char *edge_ws_envelope(const char *type, const char *data_json, const char *ts);

/* 1 when a client frame is {"type":"ping"} (other keys ignored). */
int edge_ws_is_ping(const char *buf, size_t len);

#endif
