/* Incremental Server-Sent Events decoder (WHATWG "event stream interpretation"). Pure: bytes in,
 * events out; no sockets, no loop, no global state.
 *
 *   static int on_event(const char *event, const char *data, size_t len, void *ud)
 *   {   ... return EDGE_OK; }                 // anything else stops edge_sse_feed
 *
 *   edge_sse s;
 *   edge_sse_init(&s, 1 << 20);
 *   while ((n = read_some(buf)) > 0)
 *       if (edge_sse_feed(&s, buf, n, on_event, ud) != EDGE_OK)
 *           fail(s.errstr);
 *   edge_sse_free(&s);
 *
 * Lines end in "\n", "\r\n" or "\r", and may be split across feeds at any byte (inside a UTF-8
 * sequence, between '\r' and '\n', inside the leading BOM, which is dropped). Lines starting with
 * ':' are comments (": keep-alive"). "event:" names the event, "data:" lines are joined with
 * '\n', a blank line dispatches; "id:", "retry:" and unknown fields are ignored. An event left
 * without its blank line when the stream ends is never dispatched (a truncated stream). */
#ifndef EDGE_SSE_H
#define EDGE_SSE_H

#include <stddef.h>

#include "edge.h"

/* One dispatched event. event: the "event:" field, "" when none. data: the joined data lines,
 * NUL-terminated, len bytes; both valid only during the call. Return EDGE_OK to go on. */
typedef int (*edge_sse_event_cb)(const char *event, const char *data, size_t len, void *ud);

typedef struct edge_sse {
    size_t max_event_bytes; /* limit of one event: pending line + data + event name */
    char *line;             /* the line being read (owned) */
    size_t line_len, line_cap;
    char *data; /* data of the event being built, '\n' after each line (owned) */
    size_t data_len, data_cap;
    char *event; /* "event:" value of the event being built, NUL-terminated (owned) */
    size_t event_len, event_cap;
    int after_cr; /* the last byte was '\r': a following '\n' belongs to the same line end */
    int bom_seen; /* bytes of the UTF-8 BOM matched at the start of the stream (0..3) */
    int started;  /* the start of the stream (where a BOM may be) is past */
    int failed;   /* an error happened: every later feed fails */
    char errstr[128];
} edge_sse;

/* Prepares s for a new stream; max_event_bytes 0 means 1 MiB. Allocates nothing. */
void edge_sse_init(edge_sse *s, size_t max_event_bytes);

/* Decodes len bytes, calling cb once per dispatched event in order. EDGE_ERR when one event
 * would exceed max_event_bytes, when memory runs out, or when cb returned non-EDGE_OK (s->errstr
 * says which); the decoder then stays failed. */
int edge_sse_feed(edge_sse *s, const char *buf, size_t len, edge_sse_event_cb cb, void *ud);

/* Releases the buffers; s may be edge_sse_init'ed again. */
void edge_sse_free(edge_sse *s);

#endif
