/* WebSocket envelopes: every server -> client frame is {"type","data","ts"} (contract.md,
 * WebSocket), with ts the ISO-8601 UTC time of edge_log_timestamp. Pure, unit-tested.
 *
 * Usage: build the data as JSON text, wrap it, broadcast the frame, free it:
 *     size_t n;
 *     char *env = edge_envelope("llm.delta", data, strlen(data), &n);
 *     if (env) edge_ws_broadcast(http, env, n);
 *     free(env);
 */
#ifndef EDGE_ENVELOPE_H
#define EDGE_ENVELOPE_H

#include <stddef.h>

/* Builds {"type":<type>,"data":<data_json>,"ts":"<now>"}: type is JSON-escaped; data_json is
 * len bytes of one JSON value, copied as they are (need not be NUL-terminated), or NULL for
 * null. Returns a malloc'd NUL-terminated string (caller frees) with its length in *outlen
 * (when outlen is not NULL), or NULL when type is NULL, data_json is empty or out of memory. */
char *edge_envelope(const char *type, const char *data_json, size_t len, size_t *outlen);

#endif
