/* Fernet tokens, compatible with Python's cryptography.fernet (spec: github.com/fernet/spec).
 * Pure: no sockets, no loop, no global state (RAND_bytes only when no IV is given).
 *
 *   edge_fernet_key k;
 *   char err[128];
 *   if (edge_fernet_key_parse(getenv("SECRETS_KEY"), &k, err, sizeof(err)) != EDGE_OK)
 *       die(err);
 *   char *tok = edge_fernet_encrypt(&k, "sk-secret", 9, time(NULL), NULL); // caller frees
 *   char *plain; size_t n;
 *   if (edge_fernet_decrypt(&k, tok, strlen(tok), 0, time(NULL), &plain, &n, err,
 *                           sizeof(err)) == EDGE_OK)
 *       use(plain, n), free(plain);                                     // caller frees
 *   char hint[EDGE_FERNET_HINT_MAX];
 *   edge_fernet_hint("sk-proj-abcdefgh1234", hint, sizeof(hint));       // "sk-…1234"
 *
 * Token: urlsafe base64 (with '=' padding) of 0x80 | 8-byte big-endian timestamp | 16-byte IV |
 * AES-128-CBC PKCS7 ciphertext | HMAC-SHA256 (signing key) over everything before it.
 * Key: urlsafe base64 of 32 bytes: signing key (16) then encryption key (16). */
#ifndef EDGE_FERNET_H
#define EDGE_FERNET_H

#include <stddef.h>

#include "edge.h"

#define EDGE_FERNET_KEY_B64_LEN 44    /* a key's urlsafe base64 text with its '=' */
#define EDGE_FERNET_MAX_CLOCK_SKEW 60 /* seconds a token's timestamp may lie in the future */
#define EDGE_FERNET_HINT_MAX 32       /* enough for any edge_fernet_hint output + NUL */

typedef struct edge_fernet_key {
    unsigned char sign[16], enc[16];
} edge_fernet_key;

/* Parses a key: 44 urlsafe base64 characters ending in '=' (the 43 without it are accepted too),
 * decoding to exactly 32 bytes. EDGE_ERR with a message in err (never the key) otherwise. */
int edge_fernet_key_parse(const char *b64, edge_fernet_key *out, char *err, size_t errlen);

/* Encrypts len bytes of msg at time now (seconds since the epoch). iv16: the 16-byte IV, or NULL
 * for a random one (RAND_bytes). Returns the NUL-terminated token (caller frees), or NULL when
 * OpenSSL or malloc failed. */
char *edge_fernet_encrypt(const edge_fernet_key *k, const void *msg, size_t len, long long now,
                          const unsigned char *iv16);

/* Verifies and decrypts toklen characters of token. ttl_sec > 0 rejects a token older than
 * ttl_sec seconds at now, or one stamped more than EDGE_FERNET_MAX_CLOCK_SKEW seconds after now
 * (both only with a TTL, as cryptography.fernet does); ttl_sec 0 checks no time. Rejects bad
 * base64 (strict alphabet, canonical), a bad version byte, short or misaligned tokens, a bad HMAC
 * (compared in constant time) and bad padding. EDGE_OK: *out is the plaintext, NUL-terminated
 * (caller frees), *outlen its length without the NUL. EDGE_ERR: *out is NULL, err says why. */
int edge_fernet_decrypt(const edge_fernet_key *k, const char *token, size_t toklen,
                        long long ttl_sec, long long now, char **out, size_t *outlen, char *err,
                        size_t errlen);

/* A display hint of a secret that never shows more of it than: first 3 characters + "…" + last 4
 * for plains of 12 characters or more; "…" + last 2 for 4..11 characters; just "…" below that.
 * Characters are UTF-8 code points. out gets "" when outlen is too small (EDGE_FERNET_HINT_MAX
 * always fits). */
void edge_fernet_hint(const char *plain, char *out, size_t outlen);

#endif
