/* The one builder of WebSocket envelopes: events, hello/pong and the LLM stream all go through
 * edge_envelope, so the frame shape and its timestamp are spelled in one place. */
#include <stdlib.h>
#include <string.h>

#include "edge_envelope.h"
#include "edge_log.h"

static char *append(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

char *edge_envelope(const char *type, const char *data_json, size_t len, size_t *outlen)
{
    static const char open_type[] = "{\"type\":\"",
                      open_data[] = "\",\"data\":", open_ts[] = ",\"ts\":\"", close[] = "\"}";
    char ts[32], probe[1];
    if (!type || (data_json && len == 0)) return NULL;
    if (!data_json) {
        data_json = "null";
        len = 4;
    }
    size_t tlen = strlen(type);
    size_t elen = edge_log_escape(probe, sizeof(probe), type, tlen); /* only measures */
    edge_log_timestamp(ts, sizeof(ts));
    size_t tslen = strlen(ts);
    size_t total = sizeof(open_type) - 1 + elen + sizeof(open_data) - 1 + len + sizeof(open_ts) -
                   1 + tslen + sizeof(close) - 1;
    char *out = malloc(total + 1); /* caller frees */
    if (!out) return NULL;
    char *p = append(out, open_type, sizeof(open_type) - 1);
    edge_log_escape(p, elen + 1, type, tlen);
    p += elen;
    p = append(p, open_data, sizeof(open_data) - 1);
    p = append(p, data_json, len);
    p = append(p, open_ts, sizeof(open_ts) - 1);
    p = append(p, ts, tslen);
    p = append(p, close, sizeof(close) - 1);
    *p = '\0';
    if (outlen) *outlen = total;
    return out;
}
