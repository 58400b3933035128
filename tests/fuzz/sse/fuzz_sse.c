/* libFuzzer harness: the streaming side of the LLM workers — the Server-Sent Events decoder
 * (edge_sse.c) and the OpenAI/DeepSeek and Anthropic stream readers on top of it
 * (edge_llmparse.c), and the splitter that cuts a reply into Telegram messages (edge_split.c),
 * i.e. everything a model provider's bytes go through before Telegram.
 *
 * Input: byte 0 = flags (bit 0: Anthropic format, bits 1-2: event size limit), bytes 1-2 seed
 * the chunk sizes, the rest is the stream. Oracle: feeding the stream in one piece and in
 * pieces split at arbitrary bytes yields the same events and the same failure. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_llmparse.h"
#include "edge_split.h"
#include "edge_sse.h"
#include "fuzz_check.h"


/* every dispatched event, serialized: event NUL data-length data */
typedef struct rec {
    char *buf;
    size_t len, cap;
    size_t nevents;
    edge_llm_stream llm;
    size_t delta_bytes;
    int llm_failed;
    char *reply; /* the answer's text deltas, joined */
    size_t reply_len, reply_cap;
} rec;

static void put(rec *r, const void *p, size_t n)
{
    if (r->len + n > r->cap) {
        size_t cap = (r->cap ? r->cap * 2 : 256) + n;
        char *b = realloc(r->buf, cap);
        if (!b) abort();
        r->buf = b;
        r->cap = cap;
    }
    memcpy(r->buf + r->len, p, n);
    r->len += n;
}

static void on_delta(const char *text, size_t len, int reasoning, void *ud)
{
    rec *r = ud;
    CHECK(text != NULL && len > 0);
    CHECK(reasoning == 0 || reasoning == 1);
    r->delta_bytes += len;
    if (!reasoning) {
        if (r->reply_len + len > r->reply_cap) {
            size_t cap = (r->reply_cap ? r->reply_cap * 2 : 256) + len;
            char *b = realloc(r->reply, cap);
            if (!b) abort();
            r->reply = b;
            r->reply_cap = cap;
        }
        memcpy(r->reply + r->reply_len, text, len);
        r->reply_len += len;
    }
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}


/* edge_split_text's promises: parts in order, apart, within the limit, trimmed, never starting
 * inside a UTF-8 sequence of valid text, and nothing but whitespace left between them */
static void check_split(const char *t, size_t n, size_t max_chars)
{
    edge_span parts[64];
    size_t k = edge_split_text(t, n, max_chars, parts, 64);
    size_t pos = 0;
    int valid = fuzz_utf8_valid((const unsigned char *)t, n);
    if (k > 64) return; /* more parts than room: only the count was promised */
    for (size_t i = 0; i < k; i++) {
        const edge_span *sp = &parts[i];
        CHECK(sp->len > 0 && sp->off >= pos && sp->off + sp->len <= n);
        for (size_t j = pos; j < sp->off; j++) CHECK(is_space((unsigned char)t[j]));
        CHECK(!is_space((unsigned char)t[sp->off]) &&
              !is_space((unsigned char)t[sp->off + sp->len - 1]));
        CHECK(edge_split_units(t + sp->off, sp->len) <= max_chars);
        if (valid) {
            CHECK(!is_cont((unsigned char)t[sp->off]));
            CHECK(sp->off + sp->len == n || !is_cont((unsigned char)t[sp->off + sp->len]));
        }
        pos = sp->off + sp->len;
    }
    for (size_t j = pos; j < n; j++) CHECK(is_space((unsigned char)t[j]));
}

static int on_event(const char *event, const char *data, size_t len, void *ud)
{
    rec *r = ud;
    CHECK(event != NULL && data != NULL);
    CHECK(data[len] == '\0'); /* promised NUL-terminated */
    put(r, event, strlen(event) + 1);
    put(r, &len, sizeof(len));
    put(r, data, len);
    r->nevents++;
    if (!r->llm_failed &&
        edge_llm_stream_event(&r->llm, event, data, len, on_delta, r) != EDGE_OK) {
        CHECK(r->llm.error == EDGE_LLM_ERR_MALFORMED || r->llm.error == EDGE_LLM_ERR_PROVIDER);
        r->llm_failed = 1;
    }
    CHECK(memchr(r->llm.finish_reason, '\0', sizeof(r->llm.finish_reason)) != NULL);
    CHECK(memchr(r->llm.error_message, '\0', sizeof(r->llm.error_message)) != NULL);
    return EDGE_OK;
}

/* The WHATWG "interpreting an event stream" algorithm, read directly, over the whole stream:
 * the reference the decoder is held to. */
static void reference(const char *s, size_t n, rec *r)
{
    char *data = malloc(n + 1), *event = malloc(n + 1);
    size_t dlen = 0, elen = 0, i = 0;
    if (!data || !event) abort();
    memset(r, 0, sizeof(*r));
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) i = 3;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != '\r' && s[j] != '\n') j++;
        if (j == n) break; /* an unterminated last line is never interpreted */
        const char *line = s + i;
        size_t len = j - i;
        i = j + 1;
        if (s[j] == '\r' && i < n && s[i] == '\n') i++;
        if (len == 0) {
            if (dlen > 0) {
                dlen--; /* the last data line's LF */
                data[dlen] = '\0';
                event[elen] = '\0';
                put(r, event,
                    strlen(event) + 1); /* the decoder hands the name over as a C string */
                put(r, &dlen, sizeof(dlen));
                put(r, data, dlen);
                r->nevents++;
            }
            dlen = elen = 0;
            continue;
        }
        if (line[0] == ':') continue;
        const char *colon = memchr(line, ':', len);
        size_t flen = colon ? (size_t)(colon - line) : len;
        const char *v = colon ? colon + 1 : line + len;
        size_t vlen = len - (size_t)(v - line);
        if (vlen && v[0] == ' ') v++, vlen--;
        if (flen == 4 && memcmp(line, "data", 4) == 0) {
            memcpy(data + dlen, v, vlen);
            dlen += vlen;
            data[dlen++] = '\n';
        } else if (flen == 5 && memcmp(line, "event", 5) == 0) {
            memcpy(event, v, vlen);
            elen = vlen;
        }
    }
    free(data);
    free(event);
}

static int run(const char *s, size_t n, size_t limit, int anthropic, unsigned seed, int split,
               rec *r)
{
    edge_sse sse;
    int rc = EDGE_OK;
    memset(r, 0, sizeof(*r));
    edge_llm_stream_init(&r->llm, anthropic);
    edge_sse_init(&sse, limit);
    size_t i = 0;
    while (i < n && rc == EDGE_OK) {
        size_t k = n - i;
        if (split) {
            seed = seed * 1103515245u + 12345u;
            k = 1 + (seed >> 16) % 7; /* 1..7 bytes: splits CRLF, UTF-8 and the BOM */
            if (k > n - i) k = n - i;
        }
        rc = edge_sse_feed(&sse, s + i, k, on_event, r);
        i += k;
    }
    if (rc != EDGE_OK) {
        CHECK(sse.errstr[0] != '\0');
        CHECK(edge_sse_feed(&sse, "\n\n", 2, on_event, r) == EDGE_ERR); /* stays failed */
    }
    edge_sse_free(&sse);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t limits[] = {0, 16, 256, 4096};
    if (size < 3) return 0;
    int anthropic = data[0] & 1;
    size_t limit = limits[(data[0] >> 1) & 3];
    unsigned seed = (unsigned)data[1] | (unsigned)data[2] << 8;
    size_t n = size - 3;
    char *s = malloc(n ? n : 1);
    if (!s) return 0;
    memcpy(s, data + 3, n);

    rec whole, pieces;
    int rc1 = run(s, n, limit, anthropic, seed, 0, &whole);
    int rc2 = run(s, n, limit, anthropic, seed, 1, &pieces);
    CHECK(rc1 == rc2);
    CHECK(whole.nevents == pieces.nevents);
    CHECK(whole.len == pieces.len &&
          (whole.len == 0 || memcmp(whole.buf, pieces.buf, whole.len) == 0));
    CHECK(whole.delta_bytes == pieces.delta_bytes);
    CHECK(whole.llm.done == pieces.llm.done && whole.llm.error == pieces.llm.error);
    if (limit == 0) {
        rec ref;
        reference(s, n, &ref);
        CHECK(rc1 == EDGE_OK);
        CHECK(ref.nevents == whole.nevents);
        CHECK(ref.len == whole.len && (ref.len == 0 || memcmp(ref.buf, whole.buf, ref.len) == 0));
        free(ref.buf);
    }

    edge_llm_usage u = whole.llm.usage;
    edge_llm_estimate_usage(&u, n, whole.delta_bytes);
    CHECK((u.have & (EDGE_LLM_HAVE_INPUT | EDGE_LLM_HAVE_OUTPUT)) ==
          (EDGE_LLM_HAVE_INPUT | EDGE_LLM_HAVE_OUTPUT));

    /* the reply as the sender splits it, and the raw bytes as text */
    size_t max_chars = 2 + seed % 300;
    check_split(whole.reply ? whole.reply : "", whole.reply_len, max_chars);
    check_split(s, n, max_chars);

    free(whole.buf);
    free(pieces.buf);
    free(whole.reply);
    free(pieces.reply);
    free(s);
    return 0;
}
