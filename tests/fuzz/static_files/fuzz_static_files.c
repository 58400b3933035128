/* libFuzzer harness: the request headers rt-edge reads for a static file of the SPA —
 * Accept-Encoding negotiation against the available siblings (edge_static_pick_encoding),
 * If-None-Match against the file's entity tag (edge_static_etag, edge_static_etag_match), and the
 * path checks (edge_static_is_hidden, edge_static_cache_control). Oracles: only an available
 * coding is picked; no sibling means identity; a coding picked among all stays picked when it is
 * the only one; a tag matches itself, weakened, and inside a list.
 *
 * Input: lines "ACCEPT-ENCODING\nIF-NONE-MATCH\nPATH" (missing lines are empty). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_static.h"
#include "fuzz_check.h"

static char *field(char **p, char *end)
{
    char *s = *p;
    if (s >= end) return end;
    char *nl = memchr(s, '\n', (size_t)(end - s));
    if (!nl) {
        *p = end;
        return s;
    }
    *nl = '\0';
    *p = nl + 1;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const unsigned all = EDGE_CODING_MASK(EDGE_CODING_BR) | EDGE_CODING_MASK(EDGE_CODING_GZIP);
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *p = buf, *end = buf + size;
    const char *accept = field(&p, end);
    const char *inm = field(&p, end);
    const char *path = field(&p, end);

    for (unsigned avail = 0; avail <= all; avail += 2) {
        edge_coding c = edge_static_pick_encoding(accept, avail);
        CHECK(c == EDGE_CODING_IDENTITY || c == EDGE_CODING_GZIP || c == EDGE_CODING_BR);
        CHECK(c == EDGE_CODING_IDENTITY || (avail & EDGE_CODING_MASK(c)));
        if (avail == 0) CHECK(c == EDGE_CODING_IDENTITY);
    }
    edge_coding best = edge_static_pick_encoding(accept, all);
    if (best != EDGE_CODING_IDENTITY)
        CHECK(edge_static_pick_encoding(accept, EDGE_CODING_MASK(best)) == best);

    char tag[96], weak[100], list[220];
    CHECK(edge_static_etag(tag, sizeof(tag), (long long)size << 20, (long long)(size * 31),
                           (long long)size, best) == 0);
    CHECK(edge_static_etag_match(tag, tag));
    snprintf(weak, sizeof(weak), "W/%s", tag);
    CHECK(edge_static_etag_match(weak, tag));
    snprintf(list, sizeof(list), "\"other\", %s", weak);
    CHECK(edge_static_etag_match(list, tag));
    (void)edge_static_etag_match(inm, tag);
    (void)edge_static_etag_match(inm, inm);

    (void)edge_static_is_hidden(path);
    const char *cc = edge_static_cache_control(path, 1);
    CHECK(strcmp(cc, "no-cache") == 0 || strncmp(path, "/assets/", 8) == 0);
    free(buf);
    return 0;
}
