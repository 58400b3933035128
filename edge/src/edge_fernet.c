/* Fernet tokens (see edge_fernet.h). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "edge_fernet.h"

#define VERSION 0x80
#define HDR_LEN 25 /* version + timestamp + IV */
#define MAC_LEN 32
#define MIN_TOKEN (HDR_LEN + 16 + MAC_LEN)

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || errlen == 0) return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int b64url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

/* Encodes len bytes with '=' padding into a new string (caller frees); NULL when out of memory. */
static char *b64url_encode(const unsigned char *in, size_t len)
{
    size_t olen = (len + 2) / 3 * 4, i, o = 0;
    char *out = malloc(olen + 1);
    if (!out) return NULL;
    for (i = 0; i + 2 < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = B64URL[v >> 18 & 63];
        out[o++] = B64URL[v >> 12 & 63];
        out[o++] = B64URL[v >> 6 & 63];
        out[o++] = B64URL[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);
        out[o++] = B64URL[v >> 18 & 63];
        out[o++] = B64URL[v >> 12 & 63];
        out[o++] = i + 1 < len ? B64URL[v >> 6 & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    return out;
}

/* Strict urlsafe base64 decoding of len characters into out (room for len / 4 * 3 + 3 bytes):
 * padding is optional but, when present, must complete the last quantum; unused trailing bits
 * must be zero (canonical form). Returns the decoded length, or -1 with a message in err. */
static long b64url_decode(const char *in, size_t len, unsigned char *out, char *err, size_t errlen)
{
    size_t data = len, i, o = 0;
    uint32_t acc = 0;
    int bits = 0;

    while (data > 0 && in[data - 1] == '=') data--;
    if (len - data > 2 || (len != data && len % 4 != 0)) {
        set_err(err, errlen, "bad base64 padding");
        return -1;
    }
    if (data % 4 == 1) {
        set_err(err, errlen, "bad base64 length");
        return -1;
    }
    for (i = 0; i < data; i++) {
        int v = b64url_value((unsigned char)in[i]);
        if (v < 0) {
            set_err(err, errlen, "not urlsafe base64 (character %zu)", i + 1);
            return -1;
        }
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0) {
        set_err(err, errlen, "non-canonical base64");
        return -1;
    }
    return (long)o;
}

int edge_fernet_key_parse(const char *b64, edge_fernet_key *out, char *err, size_t errlen)
{
    unsigned char raw[EDGE_FERNET_KEY_B64_LEN];
    size_t len;
    long n;

    if (!b64 || !*b64) {
        set_err(err, errlen, "Fernet key is empty");
        return EDGE_ERR;
    }
    len = strlen(b64);
    if (len != EDGE_FERNET_KEY_B64_LEN && len != EDGE_FERNET_KEY_B64_LEN - 1) {
        set_err(err, errlen,
                "Fernet key must be 44 urlsafe base64 characters (32 bytes), got %zu characters",
                len);
        return EDGE_ERR;
    }
    for (size_t i = 0; i < len; i++) {
        if (b64url_value((unsigned char)b64[i]) < 0 && !(i == 43 && b64[i] == '=')) {
            set_err(err, errlen,
                    "Fernet key is not urlsafe base64: character %zu is outside A-Z a-z 0-9 - _",
                    i + 1);
            return EDGE_ERR;
        }
    }
    n = b64url_decode(b64, len, raw, err, errlen);
    if (n != 32) {
        if (n >= 0) set_err(err, errlen, "Fernet key must decode to 32 bytes, got %ld", n);
        OPENSSL_cleanse(raw, sizeof(raw));
        return EDGE_ERR;
    }
    memcpy(out->sign, raw, 16);
    memcpy(out->enc, raw + 16, 16);
    OPENSSL_cleanse(raw, sizeof(raw));
    return EDGE_OK;
}

char *edge_fernet_encrypt(const edge_fernet_key *k, const void *msg, size_t len, long long now,
                          const unsigned char *iv16)
{
    unsigned char *buf = NULL;
    char *tok = NULL;
    EVP_CIPHER_CTX *ctx = NULL;
    unsigned int maclen = 0;
    int n1 = 0, n2 = 0;
    size_t ctlen, total;
    unsigned long long ts = now > 0 ? (unsigned long long)now : 0;

    if (len > (size_t)INT32_MAX) return NULL;
    ctlen = (len / 16 + 1) * 16;
    total = HDR_LEN + ctlen + MAC_LEN;
    buf = malloc(total);
    if (!buf) goto err;
    buf[0] = VERSION;
    for (int i = 0; i < 8; i++) buf[1 + i] = (unsigned char)(ts >> (56 - 8 * i));
    if (iv16)
        memcpy(buf + 9, iv16, 16);
    else if (RAND_bytes(buf + 9, 16) != 1)
        goto err;
    ctx = EVP_CIPHER_CTX_new();
    if (!ctx || EVP_EncryptInit_ex(ctx, EVP_aes_128_cbc(), NULL, k->enc, buf + 9) != 1 ||
        EVP_EncryptUpdate(ctx, buf + HDR_LEN, &n1, msg ? msg : (const void *)"", (int)len) != 1 ||
        EVP_EncryptFinal_ex(ctx, buf + HDR_LEN + n1, &n2) != 1 || (size_t)(n1 + n2) != ctlen)
        goto err;
    if (!HMAC(EVP_sha256(), k->sign, 16, buf, HDR_LEN + ctlen, buf + HDR_LEN + ctlen, &maclen) ||
        maclen != MAC_LEN)
        goto err;
    tok = b64url_encode(buf, total);
err:
    EVP_CIPHER_CTX_free(ctx);
    if (buf) OPENSSL_cleanse(buf, total);
    free(buf);
    return tok;
}

int edge_fernet_decrypt(const edge_fernet_key *k, const char *token, size_t toklen,
                        long long ttl_sec, long long now, char **out, size_t *outlen, char *err,
                        size_t errlen)
{
    unsigned char *buf = NULL, mac[MAC_LEN];
    char *plain = NULL;
    EVP_CIPHER_CTX *ctx = NULL;
    unsigned long long ts = 0;
    unsigned int maclen = 0;
    int n1 = 0, n2 = 0, rc = EDGE_ERR;
    long n;
    size_t ctlen = 0;

    *out = NULL;
    if (outlen) *outlen = 0;
    if (!token || toklen == 0) {
        set_err(err, errlen, "empty token");
        return EDGE_ERR;
    }
    buf = malloc(toklen / 4 * 3 + 3);
    if (!buf) {
        set_err(err, errlen, "out of memory");
        return EDGE_ERR;
    }
    n = b64url_decode(token, toklen, buf, err, errlen);
    if (n < 0) goto err;
    if (n < 1 || buf[0] != VERSION) {
        set_err(err, errlen, "bad token version");
        goto err;
    }
    if (n < MIN_TOKEN) {
        set_err(err, errlen, "token too short (%ld bytes)", n);
        goto err;
    }
    ctlen = (size_t)n - HDR_LEN - MAC_LEN;
    if (ctlen % 16 != 0) {
        set_err(err, errlen, "ciphertext is not a multiple of the block size");
        goto err;
    }
    for (int i = 0; i < 8; i++) ts = ts << 8 | buf[1 + i];
    if (ttl_sec > 0) {
        /* ts + ttl < now: expired; now + skew < ts: from the future. No overflow for any ts. */
        if (now > 0 && ts < (unsigned long long)now &&
            (unsigned long long)now - ts > (unsigned long long)ttl_sec) {
            set_err(err, errlen, "token expired");
            goto err;
        }
        if (ts > (unsigned long long)(now > 0 ? now : 0) + EDGE_FERNET_MAX_CLOCK_SKEW) {
            set_err(err, errlen, "token timestamp is in the future");
            goto err;
        }
    }
    if (!HMAC(EVP_sha256(), k->sign, 16, buf, HDR_LEN + ctlen, mac, &maclen) || maclen != MAC_LEN) {
        set_err(err, errlen, "HMAC failed");
        goto err;
    }
    if (CRYPTO_memcmp(mac, buf + HDR_LEN + ctlen, MAC_LEN) != 0) {
        set_err(err, errlen, "bad token signature (wrong key or tampered token)");
        goto err;
    }
    plain = malloc(ctlen + 1);
    ctx = EVP_CIPHER_CTX_new();
    if (!plain || !ctx) {
        set_err(err, errlen, "out of memory");
        goto err;
    }
    if (EVP_DecryptInit_ex(ctx, EVP_aes_128_cbc(), NULL, k->enc, buf + 9) != 1 ||
        EVP_DecryptUpdate(ctx, (unsigned char *)plain, &n1, buf + HDR_LEN, (int)ctlen) != 1) {
        set_err(err, errlen, "decryption failed");
        goto err;
    }
    if (EVP_DecryptFinal_ex(ctx, (unsigned char *)plain + n1, &n2) != 1) {
        set_err(err, errlen, "bad padding");
        goto err;
    }
    plain[n1 + n2] = '\0';
    *out = plain;
    if (outlen) *outlen = (size_t)(n1 + n2);
    plain = NULL;
    rc = EDGE_OK;
err:
    EVP_CIPHER_CTX_free(ctx);
    if (plain) {
        OPENSSL_cleanse(plain, ctlen + 1);
        free(plain);
    }
    OPENSSL_cleanse(buf, toklen / 4 * 3 + 3);
    free(buf);
    return rc;
}

/* Byte offsets of code point starts are found by skipping UTF-8 continuation bytes. */
static int is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

void edge_fernet_hint(const char *plain, char *out, size_t outlen)
{
    static const char ELLIPSIS[] = "\xE2\x80\xA6"; /* U+2026 */
    size_t len, chars = 0, head = 0, tail, i;
    int keep_head = 0, keep_tail = 0;

    if (!out || outlen == 0) return;
    out[0] = '\0';
    len = plain ? strlen(plain) : 0;
    for (i = 0; i < len; i++) chars += !is_cont((unsigned char)plain[i]);
    if (chars >= 12) {
        keep_head = 3;
        keep_tail = 4;
    } else if (chars >= 4) {
        keep_tail = 2;
    }
    /* head: bytes of the first keep_head code points */
    for (int c = 0; c < keep_head; c++) {
        head++;
        while (head < len && is_cont((unsigned char)plain[head])) head++;
    }
    /* tail: start of the last keep_tail code points */
    tail = len;
    for (int c = 0; c < keep_tail; c++) {
        while (tail > 0 && is_cont((unsigned char)plain[tail - 1])) tail--;
        if (tail > 0) tail--;
    }
    if (head + (sizeof(ELLIPSIS) - 1) + (len - tail) + 1 > outlen) return;
    snprintf(out, outlen, "%.*s%s%.*s", (int)head, plain ? plain : "", ELLIPSIS, (int)(len - tail),
             plain ? plain + tail : "");
}
