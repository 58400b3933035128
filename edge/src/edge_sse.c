/* Incremental Server-Sent Events decoder (see edge_sse.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_sse.h"

static const unsigned char BOM[3] = {0xEF, 0xBB, 0xBF};

void edge_sse_init(edge_sse *s, size_t max_event_bytes)
{
    memset(s, 0, sizeof(*s));
    s->max_event_bytes = max_event_bytes ? max_event_bytes : (size_t)1 << 20;
}

void edge_sse_free(edge_sse *s)
{
    free(s->line);
    free(s->data);
    free(s->event);
    s->line = s->data = s->event = NULL;
    s->line_len = s->line_cap = s->data_len = s->data_cap = s->event_len = s->event_cap = 0;
}

static int fail(edge_sse *s, const char *msg)
{
    s->failed = 1;
    snprintf(s->errstr, sizeof(s->errstr), "%s", msg);
    return EDGE_ERR;
}

/* Makes room for need bytes in *buf (capacity *cap); EDGE_ERR when out of memory. */
static int reserve(char **buf, size_t *cap, size_t need)
{
    size_t ncap = *cap ? *cap : 256;
    char *p;
    if (need <= *cap) return EDGE_OK;
    while (ncap < need) ncap *= 2;
    p = realloc(*buf, ncap);
    if (!p) return EDGE_ERR;
    *buf = p;
    *cap = ncap;
    return EDGE_OK;
}

/* Appends to the pending line, keeping the whole event within max_event_bytes. */
static int line_append(edge_sse *s, const char *p, size_t n)
{
    if (n > s->max_event_bytes - s->line_len - s->data_len - s->event_len) {
        char msg[96];
        snprintf(msg, sizeof(msg), "SSE event larger than %zu bytes", s->max_event_bytes);
        return fail(s, msg);
    }
    if (reserve(&s->line, &s->line_cap, s->line_len + n) != EDGE_OK)
        return fail(s, "out of memory");
    memcpy(s->line + s->line_len, p, n);
    s->line_len += n;
    return EDGE_OK;
}

static int dispatch(edge_sse *s, edge_sse_event_cb cb, void *ud)
{
    int rc = EDGE_OK;
    if (s->data_len > 0) {
        s->data[--s->data_len] = '\0'; /* the last line's '\n' */
        rc = cb(s->event_len ? s->event : "", s->data, s->data_len, ud);
    }
    s->data_len = 0;
    s->event_len = 0;
    if (rc != EDGE_OK) return fail(s, "SSE event callback failed");
    return EDGE_OK;
}

/* Interprets the complete line in s->line (line_len bytes) and empties it. */
static int process_line(edge_sse *s, edge_sse_event_cb cb, void *ud)
{
    const char *line = s->line, *colon, *value;
    size_t flen, vlen;

    if (s->line_len == 0) return dispatch(s, cb, ud);
    if (line[0] == ':') {
        s->line_len = 0;
        return EDGE_OK;
    }
    colon = memchr(line, ':', s->line_len);
    flen = colon ? (size_t)(colon - line) : s->line_len;
    value = colon ? colon + 1 : line + s->line_len;
    vlen = s->line_len - (size_t)(value - line);
    if (vlen > 0 && value[0] == ' ') {
        value++;
        vlen--;
    }
    /* the line's bytes were counted against the limit already; the value moves, no more */
    if (flen == 4 && memcmp(line, "data", 4) == 0) {
        if (reserve(&s->data, &s->data_cap, s->data_len + vlen + 1) != EDGE_OK)
            return fail(s, "out of memory");
        memcpy(s->data + s->data_len, value, vlen);
        s->data_len += vlen;
        s->data[s->data_len++] = '\n';
    } else if (flen == 5 && memcmp(line, "event", 5) == 0) {
        if (reserve(&s->event, &s->event_cap, vlen + 1) != EDGE_OK) return fail(s, "out of memory");
        memcpy(s->event, value, vlen);
        s->event[vlen] = '\0';
        s->event_len = vlen;
    }
    s->line_len = 0;
    return EDGE_OK;
}

int edge_sse_feed(edge_sse *s, const char *buf, size_t len, edge_sse_event_cb cb, void *ud)
{
    size_t i = 0;

    if (s->failed) return EDGE_ERR;
    while (!s->started && i < len) {
        if ((unsigned char)buf[i] == BOM[s->bom_seen]) {
            i++;
            if (++s->bom_seen == 3) s->started = 1;
            continue;
        }
        /* not a BOM after all: the bytes matched so far are ordinary line bytes */
        s->started = 1;
        if (s->bom_seen && line_append(s, (const char *)BOM, (size_t)s->bom_seen) != EDGE_OK)
            return EDGE_ERR;
    }
    while (i < len) {
        size_t j = i;
        if (s->after_cr) {
            s->after_cr = 0;
            if (buf[i] == '\n') {
                i++;
                continue;
            }
        }
        while (j < len && buf[j] != '\n' && buf[j] != '\r') j++;
        if (j > i && line_append(s, buf + i, j - i) != EDGE_OK) return EDGE_ERR;
        if (j == len) break;
        s->after_cr = buf[j] == '\r';
        i = j + 1;
        if (process_line(s, cb, ud) != EDGE_OK) return EDGE_ERR;
    }
    return EDGE_OK;
}
