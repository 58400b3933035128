/* Pure pieces of the round-table turns (see edge_turn.h). */
#include <stdlib.h>
#include <string.h>

#include "edge_turn.h"

long long edge_turn_timeout_ms(long long total_ms, long long deadline_ms)
{
    if (deadline_ms < 0) return total_ms;
    if (deadline_ms == 0) deadline_ms = 1; /* curl reads 0 as "no timeout" */
    return total_ms > 0 && total_ms < deadline_ms ? total_ms : deadline_ms;
}

char *edge_turn_label(const char *speaker, const char *text, size_t len, size_t *outlen)
{
    size_t sl = speaker ? strlen(speaker) : 0;
    size_t pre = sl ? sl + 2 : 0; /* ":\n" */
    char *out = malloc(pre + len + 1);
    if (!out) return NULL;
    if (sl) {
        memcpy(out, speaker, sl);
        memcpy(out + sl, ":\n", 2);
    }
    if (len) memcpy(out + pre, text, len);
    out[pre + len] = '\0';
    if (outlen) *outlen = pre + len;
    return out;
}

void edge_turn_stopped_add(edge_turn_stopped *s, long long session_id)
{
    if (edge_turn_stopped_has(s, session_id)) return;
    s->ids[s->next] = session_id;
    s->next = (s->next + 1) % EDGE_TURN_STOPPED_MAX;
    if (s->count < EDGE_TURN_STOPPED_MAX) s->count++;
}

int edge_turn_stopped_has(const edge_turn_stopped *s, long long session_id)
{
    for (unsigned i = 0; i < s->count; i++)
        if (s->ids[i] == session_id) return 1;
    return 0;
}
