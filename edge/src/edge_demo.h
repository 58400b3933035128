/* The offline "demo" model: a deterministic, clearly labelled reply computed from the request
 * alone, so `make demo` answers without keys or network. Pure: unit tested.
 *
 *   char *text = edge_demo_reply(request_json, len);   // caller frees
 *   ... stream it in pieces: edge_demo_next_piece(text, len, &pos) ...
 */
#ifndef EDGE_DEMO_H
#define EDGE_DEMO_H

#include <stddef.h>

/* The reply to a chat-completions or Anthropic body (the last user message decides it), in
 * Russian when that message has Cyrillic letters, else English; always starts with the demo
 * label. NULL only when out of memory. Caller frees. */
char *edge_demo_reply(const char *request_json, size_t len);

/* The reply of one round-table turn (llm.turn): the request's first user message is the
 * topic, its last later user message the previous speaker's turn ("<speaker>: <text>"). A
 * labelled ("[демо]"/"[demo]") text in the voice of the speaker's personality (Оптимист,
 * Скептик, Прагматик by title, else one picked by a hash of the name) that names the topic,
 * answers the previous turn and differs from round to round, so a demo debate never strikes
 * itself out as a repeat; the speakers "Итог" and "Summary" (the closing summary, the
 * summary of older rounds) get a summary of the topic. Russian when the topic has Cyrillic
 * letters. NULL only when out of memory. Caller frees. */
char *edge_demo_turn_reply(const char *request_json, size_t len, const char *speaker, int round);

/* Length in bytes of the next piece to stream from text[pos]: a word and the spaces after it,
 * never ending inside a UTF-8 sequence. 0 at the end. */
size_t edge_demo_next_piece(const char *text, size_t len, size_t pos);

#endif
