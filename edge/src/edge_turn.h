/* Pure pieces of the round-table turns the LLM worker runs (llm.turn jobs, see edge_llm.c):
 * the call's total timeout, the speaker label in front of what Telegram shows, and a small
 * memory of sessions stopped recently (a stop that arrives while a job's rt.job_begin is still
 * in flight). No I/O: unit-tested in tests/unit/test_turn.c.
 *
 *   long long ms = edge_turn_timeout_ms(cfg->llm_total_timeout_ms, deadline_ms);
 *   char *shown = edge_turn_label("openai · Оптимист", text, len, &n);   // caller frees
 *   edge_turn_stopped_add(&ring, session_id);  ...  edge_turn_stopped_has(&ring, session_id)
 */
#ifndef EDGE_TURN_H
#define EDGE_TURN_H

#include <stddef.h>

/* The total timeout of a turn's call: min(total_ms, deadline_ms); deadline_ms < 0 means no
 * deadline (total_ms alone); a deadline already passed (0) gives 1 ms, never "no timeout". */
long long edge_turn_timeout_ms(long long total_ms, long long deadline_ms);

/* "<speaker>:\n<text>" (text: len bytes), NUL-terminated, length in *outlen; speaker NULL or
 * empty: a copy of text. NULL only when out of memory. Caller frees. */
char *edge_turn_label(const char *speaker, const char *text, size_t len, size_t *outlen);

#define EDGE_TURN_STOPPED_MAX 64

/* The last EDGE_TURN_STOPPED_MAX stopped session ids (older ones are forgotten). */
typedef struct edge_turn_stopped {
    long long ids[EDGE_TURN_STOPPED_MAX];
    unsigned next, count;
} edge_turn_stopped;

void edge_turn_stopped_add(edge_turn_stopped *s, long long session_id);
int edge_turn_stopped_has(const edge_turn_stopped *s, long long session_id);

#endif
