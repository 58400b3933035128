/* Splitting replies for Telegram's message limit (see edge_split.h). */
#include <string.h>

#include "edge_split.h"

enum { PARA, LINE, SPACE, NKINDS };

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Bytes of the code point at s (n > 0 bytes left) and its UTF-16 units in *units. A byte that
 * does not start a valid sequence is one character of one byte. */
static size_t cp_len(const unsigned char *s, size_t n, size_t *units)
{
    unsigned char c = s[0];
    *units = 1;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF && n >= 2 && is_cont(s[1])) return 2;
    if (c >= 0xE0 && c <= 0xEF && n >= 3 && is_cont(s[1]) && is_cont(s[2])) {
        if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F)) return 1;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4 && n >= 4 && is_cont(s[1]) && is_cont(s[2]) && is_cont(s[3])) {
        if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F)) return 1;
        *units = 2;
        return 4;
    }
    return 1;
}

size_t edge_split_units(const char *text, size_t len)
{
    size_t i = 0, total = 0, u;
    while (i < len) {
        i += cp_len((const unsigned char *)text + i, len - i, &u);
        total += u;
    }
    return total;
}

/* A ``` fenced block: [start, end) from the start of its opening line to the end of the line
 * holding the closing ``` (or the end of the text when it is never closed). */
typedef struct fence {
    size_t start, end;
    int valid, oversized;
} fence;

static const char *find3(const char *t, size_t from, size_t len)
{
    for (size_t i = from; i + 3 <= len; i++)
        if (t[i] == '`' && t[i + 1] == '`' && t[i + 2] == '`') return t + i;
    return NULL;
}

/* Finds the first fence opening at a line start at or after from (itself a line start outside
 * any fence). oversized: the block alone is over max units. */
static void fence_find(const char *t, size_t len, size_t from, size_t max, fence *f)
{
    size_t ls = from;
    f->valid = 0;
    while (ls < len) {
        size_t i = ls;
        const char *nl;
        while (i < len && i - ls < 3 && t[i] == ' ') i++;
        if (i + 3 <= len && memcmp(t + i, "```", 3) == 0) {
            const char *open_nl = memchr(t + i, '\n', len - i);
            const char *close = find3(t, i + 3, open_nl ? (size_t)(open_nl - t) : len);
            f->start = ls;
            if (!close && open_nl) close = find3(t, (size_t)(open_nl - t) + 1, len);
            if (close) {
                const char *end_nl = memchr(close + 3, '\n', len - (size_t)(close + 3 - t));
                f->end = end_nl ? (size_t)(end_nl - t) : len;
            } else {
                f->end = len;
            }
            f->valid = 1;
            /* only whether the units pass max matters: stop counting there */
            size_t units = 0, u, j = f->start;
            while (j < f->end && units <= max) {
                j += cp_len((const unsigned char *)t + j, f->end - j, &u);
                units += u;
            }
            f->oversized = units > max;
            return;
        }
        nl = memchr(t + ls, '\n', len - ls);
        if (!nl) return;
        ls = (size_t)(nl - t) + 1;
    }
}

/* Moves f to the first fence that ends after c. */
static void fence_advance(const char *t, size_t len, size_t max, size_t c, fence *f)
{
    while (f->valid && f->end <= c) {
        if (f->end >= len)
            f->valid = 0;
        else
            fence_find(t, len, f->end + 1, max, f);
    }
}

/* Whether the line break at t[c] is followed by a blank line. */
static int blank_line_after(const char *t, size_t len, size_t c)
{
    for (size_t i = c + 1; i < len; i++) {
        if (t[i] == '\n') return 1;
        if (t[i] != ' ' && t[i] != '\t' && t[i] != '\r') return 0;
    }
    return 0;
}

/* Where the part starting at pos (not whitespace) ends: a byte offset in (pos, len]. */
static size_t find_cut(const char *t, size_t len, size_t pos, size_t max, const fence *cur)
{
    size_t best[NKINDS] = {0}, best_units[NKINDS] = {0}, units = 0, c = pos, u, l, late = 0;
    fence f = *cur;

    for (;;) {
        unsigned char ch;
        if (c >= len) return len; /* the rest fits */
        ch = (unsigned char)t[c];
        if (c > pos && (ch == '\n' || ch == ' ' || ch == '\t')) {
            fence_advance(t, len, max, c, &f);
            int inside = f.valid && f.start < c && c < f.end;
            if (ch == '\n' && (!inside || f.oversized)) {
                int kind = blank_line_after(t, len, c) ? PARA : LINE;
                best[kind] = c;
                best_units[kind] = units;
                if (kind == PARA) {
                    best[LINE] = c;
                    best_units[LINE] = units;
                }
            } else if (ch != '\n' && !inside) {
                best[SPACE] = c;
                best_units[SPACE] = units;
            }
        }
        l = cp_len((const unsigned char *)t + c, len - c, &u);
        if (units + u > max) break;
        units += u;
        c += l;
    }
    for (int k = PARA; k < NKINDS; k++)
        if (best[k] && best_units[k] >= max / 2) return best[k];
    for (int k = PARA; k < NKINDS; k++)
        if (best[k] > late) late = best[k];
    return late ? late : c; /* c: the last code point that fits ends there */
}

size_t edge_split_text(const char *text, size_t len, size_t max_chars, edge_span *out,
                       size_t max_spans)
{
    size_t end = len, pos = 0, n = 0;
    fence cur;

    if (!text || max_chars < 2) return 0;
    while (end > 0 && is_ws((unsigned char)text[end - 1])) end--;
    fence_find(text, end, 0, max_chars, &cur);
    for (;;) {
        size_t cut, stop;
        while (pos < end && is_ws((unsigned char)text[pos])) pos++;
        if (pos >= end) break;
        fence_advance(text, end, max_chars, pos, &cur);
        cut = find_cut(text, end, pos, max_chars, &cur);
        stop = cut;
        while (stop > pos && is_ws((unsigned char)text[stop - 1])) stop--;
        if (n < max_spans && out) {
            out[n].off = pos;
            out[n].len = stop - pos;
        }
        n++;
        pos = cut;
    }
    return n;
}
