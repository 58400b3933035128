/* Splits a reply into parts that fit Telegram's message limit (4096 characters). Pure: no
 * allocation, no sockets, no global state.
 *
 *   edge_span parts[16];
 *   size_t n = edge_split_text(text, strlen(text), EDGE_SPLIT_TELEGRAM_MAX, parts, 16);
 *   if (n > 16) too_long();                               // n is the number of parts needed
 *   for (size_t i = 0; i < n; i++) send(text + parts[i].off, parts[i].len);
 *
 * Characters are counted the way Telegram does, in UTF-16 code units: a code point from U+10000
 * up (most emoji) counts 2, any other 1, so a part never exceeds the limit. A part ends, in this
 * order of preference, at a paragraph break (a blank line), a line break or a space/tab, taken
 * as late as possible but not in the first half of the part when a later kind exists; never
 * inside a UTF-8 sequence; never inside a ``` fenced code block unless the block alone is over
 * the limit (then it is cut at a line break inside it). With none of those in reach the part is
 * cut at the last code point that fits. Whitespace (space, tab, CR, LF, VT, FF) at the start and
 * end of each part is left out of its span; text that is only whitespace gives no part. Bytes
 * that are not valid UTF-8 count one character each. */
#ifndef EDGE_SPLIT_H
#define EDGE_SPLIT_H

#include <stddef.h>

#define EDGE_SPLIT_TELEGRAM_MAX 4096 /* sendMessage text limit, in UTF-16 code units */

typedef struct edge_span {
    size_t off, len; /* bytes into the text */
} edge_span;

/* Splits len bytes of UTF-8 text into parts of at most max_chars characters (max_chars >= 2;
 * less gives 0 parts). Writes up to max_spans spans in order to out (may be NULL when
 * max_spans is 0) and returns how many parts the whole text needs, which is more than
 * max_spans when out was too small. */
size_t edge_split_text(const char *text, size_t len, size_t max_chars, edge_span *out,
                       size_t max_spans);

/* Characters of len bytes of UTF-8 text, counted as edge_split_text does (UTF-16 units). */
size_t edge_split_units(const char *text, size_t len);

#endif
