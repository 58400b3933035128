/* Pure helpers for serving the SPA's static files: content-coding negotiation against the
 * precompressed siblings the frontend build writes (x.js.br, x.js.gz), the Cache-Control of a
 * file, and the files never served (source maps). No sockets; unit-tested (test_static.c).
 *
 * Usage in the HTTP layer: resolve the path (edge_static_resolve), refuse it when
 * edge_static_is_hidden, stat the siblings to build the mask of available codings, then
 * edge_static_pick_encoding(Accept-Encoding, mask) names the file to send; the Content-Type
 * stays the original file's, Content-Encoding is edge_static_coding_name, and every response
 * of a file that has a sibling carries Vary: Accept-Encoding. edge_static_etag tags the file
 * sent; a request whose If-None-Match matches it (edge_static_etag_match) gets 304. */
#ifndef EDGE_STATIC_H
#define EDGE_STATIC_H

#include <stddef.h>

/* Content codings of a static file. The mask bits of "available" are 1u << coding. */
typedef enum edge_coding {
    EDGE_CODING_IDENTITY = 0,
    EDGE_CODING_GZIP = 1, /* the sibling file.gz */
    EDGE_CODING_BR = 2,   /* the sibling file.br */
} edge_coding;

#define EDGE_CODING_MASK(c) (1u << (unsigned)(c))

/* Picks the coding to send from the Accept-Encoding header value (RFC 9110 12.5.3) and the
 * codings available (a mask of EDGE_CODING_MASK; identity is always available). Each element
 * is "coding [; q=qvalue]", names case-insensitive, "x-gzip" is gzip, "*" stands for every
 * coding not named, q=0 refuses a coding, an element whose q is malformed is ignored. The
 * coding with the highest q wins; ties go to br, then gzip, then identity. Identity has no
 * weight of its own unless named (or covered by "*"): it is what is sent when nothing else is
 * acceptable, even when refused (the file is then sent as it is rather than answered 406).
 * NULL or an empty header means identity. */
edge_coding edge_static_pick_encoding(const char *accept_encoding, unsigned available);

/* "br", "gzip" or NULL for identity: the Content-Encoding value and the sibling's suffix. */
const char *edge_static_coding_name(edge_coding c);

/* The Cache-Control of a static response: hashed build output under /assets/ that exists
 * (asset = 1) is immutable for a year; everything else (index.html, the SPA fallback of a
 * client route, files at the root) is revalidated on every use. */
const char *edge_static_cache_control(const char *path, int asset_found);

/* Writes the entity tag of the file sent, from its modification time, size and coding:
 * "\"<sec hex>.<nsec hex>-<size hex>[-br|-gz]\"" (quotes included), so each coding of a file
 * has its own tag and any rewrite of the file changes it. Returns 0, -1 when out is too small. */
int edge_static_etag(char *out, size_t outlen, long long mtime_sec, long long mtime_nsec,
                     long long size, edge_coding c);

/* 1 when the If-None-Match value matches etag (quoted) by the weak comparison of RFC 9110
 * 13.1.2 ("W/" ignored on either side), or is "*"; 0 for NULL, empty, no match, or a list that
 * stops parsing (an unquoted or unterminated tag): the full answer is always safe. */
int edge_static_etag_match(const char *if_none_match, const char *etag);

/* 1 for paths never served even when the file exists: source maps (*.map) and the
 * precompressed siblings asked for by name (*.gz, *.br: only served through negotiation). */
int edge_static_is_hidden(const char *path);

#endif
