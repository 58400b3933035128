/* edge_fernet: the published spec vectors (github.com/fernet/spec generate.json, verify.json,
 * invalid.json), a token from Python's cryptography.fernet, tampering, TTL, keys and hints. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "edge_fernet.h"

#define SPEC_SECRET "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
#define SPEC_TOKEN                                              \
    "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_" \
    "5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4"                      \
    "IwqDA=="
#define T_012000 499162800LL /* 1985-10-26T01:20:00-07:00 */
#define T_012001 499162801LL /* 1985-10-26T01:20:01-07:00 */
#define T_012131 499162891LL /* 1985-10-26T01:21:31-07:00 */

/* Made by hand with Python 3.11.7 and cryptography 48.0.0:
 *   f = Fernet(PY_KEY); f.encrypt_at_time(PY_MSG.encode(), 1700000000)        -> PY_TOKEN
 *   f._encrypt_from_parts(PY_MSG.encode(), 1700000000, bytes(range(16, 32)))  -> PY_TOKEN_IV */
#define PY_KEY "CiQ49a6BtEZbLpe1Hsx0NjLsfiWDXdCcFIY8S3_3dWw="
#define PY_MSG \
    "sk-proj-Zq3\xC3\xA9 \xF0\x9F\x94\x91 rt-edge compat: more than one AES block, 0123456789"
#define PY_TIME 1700000000LL
#define PY_TOKEN                                                                       \
    "gAAAAABlU_EA1-"                                                                   \
    "f0EBjbjyPWUq4MjCLhBdaecG6YrXTnFdB8DlD5v6Z7SGbhRLF7gNscmrYLn4XnTxZgRXnzYwgQTZcGwt" \
    "brJb_MW3ggueTBz_-vbJWjdSM16cL7VR-C8s_jvcAB78ZYURy63OsUroV91PogFVztn_obqFKDUDai3-br9-pV-VE="
#define PY_TOKEN_IV                                                                    \
    "gAAAAABlU_EAEBESExQVFhcYGRobHB0eH4dtvoiEIZwqL7LNMVjBpLbFIZgJga-0zelA5cXHuM9_f6p_" \
    "EXSAbp56VQ0lwW"                                                                   \
    "_zDOXGrjIGgN8FsQfu5Z2UDLfsjvEk3TOeFmuTujcOOc7asV8Gv2XzEOMqoWBvD0iojajRqGL3KGWkS3JaJhO_OaI="

static edge_fernet_key key_of(const char *b64)
{
    edge_fernet_key k;
    char err[128];
    assert_int_equal(edge_fernet_key_parse(b64, &k, err, sizeof(err)), EDGE_OK);
    return k;
}

/* EDGE_OK/EDGE_ERR of decrypting a NUL-terminated token; frees the plaintext. */
static int try_decrypt(const edge_fernet_key *k, const char *tok, long long ttl, long long now)
{
    char *out = (char *)1, err[128] = "";
    size_t n = 99;
    int rc = edge_fernet_decrypt(k, tok, strlen(tok), ttl, now, &out, &n, err, sizeof(err));
    if (rc == EDGE_OK) {
        free(out);
    } else {
        assert_null(out);
        assert_int_equal(n, 0);
        assert_true(err[0] != '\0');
    }
    return rc;
}

/* Test-side urlsafe base64 through OpenSSL's standard codec. */
static size_t raw_of(const char *tok, unsigned char *raw)
{
    size_t len = strlen(tok), pad = 0;
    char *std = strdup(tok);
    for (size_t i = 0; i < len; i++) {
        if (std[i] == '-') std[i] = '+';
        if (std[i] == '_') std[i] = '/';
        if (std[i] == '=') pad++;
    }
    int n = EVP_DecodeBlock(raw, (unsigned char *)std, (int)len);
    free(std);
    assert_true(n > 0);
    return (size_t)n - pad;
}

static char *token_of(const unsigned char *raw, size_t n)
{
    char *tok = malloc(n / 3 * 4 + 8);
    int len = EVP_EncodeBlock((unsigned char *)tok, raw, (int)n);
    for (int i = 0; i < len; i++) {
        if (tok[i] == '+') tok[i] = '-';
        if (tok[i] == '/') tok[i] = '_';
    }
    return tok;
}

static void test_fernet_spec_generate(void **state)
{
    unsigned char iv[16];
    (void)state;
    for (int i = 0; i < 16; i++) iv[i] = (unsigned char)i;
    edge_fernet_key k = key_of(SPEC_SECRET);
    char *tok = edge_fernet_encrypt(&k, "hello", 5, T_012000, iv);
    assert_non_null(tok);
    assert_string_equal(tok, SPEC_TOKEN);
    free(tok);
}

static void test_fernet_spec_verify(void **state)
{
    char *out = NULL, err[128];
    size_t n = 0;
    (void)state;
    edge_fernet_key k = key_of(SPEC_SECRET);
    assert_int_equal(edge_fernet_decrypt(&k, SPEC_TOKEN, strlen(SPEC_TOKEN), 60, T_012001, &out, &n,
                                         err, sizeof(err)),
                     EDGE_OK);
    assert_int_equal(n, 5);
    assert_string_equal(out, "hello");
    free(out);
}

static void test_fernet_spec_invalid(void **state)
{
    static const struct {
        const char *desc, *token;
        long long now;
    } v[] = {
        {"incorrect mac",
         "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-"
         "szkFVzXTuGb4hR8AKtwcaX1YdykQUFBQU"
         "FBQUFBQQ==",
         T_012001},
        {"too short", "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPA==", T_012001},
        {"invalid base64",
         "%%%%%%%%%%%%%AECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-"
         "szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-"
         "p1YsUD2Q==",
         T_012001},
        {"payload size not multiple of block size",
         "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPOm73QeoCk9uGib28Xe5vz6oxq5nmxbx_"
         "v7mrf"
         "yudzUm",
         T_012001},
        {"payload padding error",
         "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0ODz4LEpdELGQAad7aNEHbf-"
         "JkLPIpuiYRLQ3RtXatOYREu2FWke6CnJNYIb"
         "kuKNqOhw==",
         T_012001},
        {"far-future TS (unacceptable clock skew)",
         "gAAAAAAdwStRAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAnja1xKYyhd-Y6mSkTOyTGJmw2Xc2a6kBd-"
         "iX"
         "9b_qXQcw==",
         T_012001},
        {"expired TTL",
         "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-"
         "szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-"
         "p1YsUD2Q==",
         T_012131},
        {"incorrect IV (causes padding error)",
         "gAAAAAAdwJ6xBQECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-"
         "fWPAkLhFLHpGtDBRLRTZeUfWgHSv49TF2AUEZ1TI"
         "vcZjK1zQ==",
         T_012001},
    };
    (void)state;
    edge_fernet_key k = key_of(SPEC_SECRET);
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        assert_int_equal(try_decrypt(&k, v[i].token, 60, v[i].now), EDGE_ERR);
    }
    /* the expired one is fine 90 s earlier: only its age is wrong */
    assert_int_equal(try_decrypt(&k, v[6].token, 60, T_012001), EDGE_OK);
}

static void test_fernet_python_token_verifies(void **state)
{
    char *out = NULL, err[128];
    size_t n = 0;
    (void)state;
    edge_fernet_key k = key_of(PY_KEY);
    assert_int_equal(edge_fernet_decrypt(&k, PY_TOKEN, strlen(PY_TOKEN), 0, PY_TIME + 86400, &out,
                                         &n, err, sizeof(err)),
                     EDGE_OK);
    assert_int_equal(n, strlen(PY_MSG));
    assert_string_equal(out, PY_MSG);
    free(out);
    assert_int_equal(try_decrypt(&k, PY_TOKEN, 3600, PY_TIME + 3600), EDGE_OK);
    assert_int_equal(try_decrypt(&k, PY_TOKEN, 3600, PY_TIME + 3601), EDGE_ERR);
}

static void test_fernet_encrypt_matches_python(void **state)
{
    unsigned char iv[16];
    (void)state;
    for (int i = 0; i < 16; i++) iv[i] = (unsigned char)(16 + i);
    edge_fernet_key k = key_of(PY_KEY);
    char *tok = edge_fernet_encrypt(&k, PY_MSG, strlen(PY_MSG), PY_TIME, iv);
    assert_string_equal(tok, PY_TOKEN_IV);
    free(tok);
}

static void test_fernet_round_trip(void **state)
{
    unsigned char msg[100];
    (void)state;
    edge_fernet_key k = key_of(PY_KEY);
    for (size_t i = 0; i < sizeof(msg); i++) msg[i] = (unsigned char)(i * 37 + 1);
    msg[10] = 0; /* binary-safe */
    for (size_t len = 0; len <= sizeof(msg); len++) {
        char *out = NULL, err[128];
        size_t n = 99;
        char *tok = edge_fernet_encrypt(&k, msg, len, 1700000000, NULL);
        assert_non_null(tok);
        assert_int_equal(strlen(tok) % 4, 0);
        assert_int_equal(
            edge_fernet_decrypt(&k, tok, strlen(tok), 60, 1700000000, &out, &n, err, sizeof(err)),
            EDGE_OK);
        assert_int_equal(n, len);
        assert_memory_equal(out, msg, len);
        assert_int_equal(out[len], '\0');
        free(out);
        free(tok);
    }
}

static void test_fernet_random_iv_differs(void **state)
{
    (void)state;
    edge_fernet_key k = key_of(PY_KEY);
    char *a = edge_fernet_encrypt(&k, "same", 4, 1, NULL);
    char *b = edge_fernet_encrypt(&k, "same", 4, 1, NULL);
    assert_string_not_equal(a, b);
    free(a);
    free(b);
}

static void test_fernet_tampered_bytes_rejected(void **state)
{
    unsigned char raw[256];
    (void)state;
    edge_fernet_key k = key_of(SPEC_SECRET);
    size_t n = raw_of(SPEC_TOKEN, raw);
    assert_int_equal(n, 25 + 16 + 32);
    for (size_t i = 0; i < n; i++) {
        for (int bit = 0; bit < 8; bit++) {
            raw[i] ^= (unsigned char)(1u << bit);
            char *tok = token_of(raw, n);
            /* no TTL: a changed timestamp must fail on the HMAC, not on the clock */
            assert_int_equal(try_decrypt(&k, tok, 0, T_012001), EDGE_ERR);
            free(tok);
            raw[i] ^= (unsigned char)(1u << bit);
        }
    }
    char *tok = token_of(raw, n); /* untouched again */
    assert_int_equal(try_decrypt(&k, tok, 0, T_012001), EDGE_OK);
    free(tok);
}

static void test_fernet_tampered_characters_rejected(void **state)
{
    char tok[] = SPEC_TOKEN;
    static const char repl[] = "Aa0-_=g";
    (void)state;
    edge_fernet_key k = key_of(SPEC_SECRET);
    for (size_t i = 0; i < strlen(tok); i++) {
        char orig = tok[i];
        for (const char *r = repl; *r; r++) {
            if (*r == orig) continue;
            tok[i] = *r;
            assert_int_equal(try_decrypt(&k, tok, 0, T_012001), EDGE_ERR);
        }
        tok[i] = orig;
    }
    assert_int_equal(try_decrypt(&k, tok, 0, T_012001), EDGE_OK);
}

static void test_fernet_wrong_key_rejected(void **state)
{
    (void)state;
    edge_fernet_key k = key_of(PY_KEY);
    assert_int_equal(try_decrypt(&k, SPEC_TOKEN, 0, T_012001), EDGE_ERR);
    /* right signing key, wrong encryption key: the HMAC passes, the padding does not */
    edge_fernet_key spec = key_of(SPEC_SECRET);
    spec.enc[0] ^= 1;
    assert_int_equal(try_decrypt(&spec, SPEC_TOKEN, 0, T_012001), EDGE_ERR);
}

static void test_fernet_ttl_expiry(void **state)
{
    (void)state;
    edge_fernet_key k = key_of(PY_KEY);
    char *tok = edge_fernet_encrypt(&k, "x", 1, 1000000, NULL);
    assert_int_equal(try_decrypt(&k, tok, 30, 1000000), EDGE_OK);
    assert_int_equal(try_decrypt(&k, tok, 30, 1000030), EDGE_OK);
    assert_int_equal(try_decrypt(&k, tok, 30, 1000031), EDGE_ERR);
    assert_int_equal(try_decrypt(&k, tok, 0, 999999999), EDGE_OK); /* no TTL: no age limit */
    /* stamped in the future: 60 s of clock skew are tolerated, 61 s are not */
    assert_int_equal(try_decrypt(&k, tok, 30, 1000000 - 60), EDGE_OK);
    assert_int_equal(try_decrypt(&k, tok, 30, 1000000 - 61), EDGE_ERR);
    assert_int_equal(try_decrypt(&k, tok, 0, 1000000 - 61), EDGE_OK);
    free(tok);
}

static void test_fernet_non_base64_rejected(void **state)
{
    char tok[] = SPEC_TOKEN;
    static const char bad[] = "+/ .\n%\x80";
    (void)state;
    edge_fernet_key k = key_of(SPEC_SECRET);
    for (const char *b = bad; *b; b++) {
        tok[20] = *b;
        assert_int_equal(try_decrypt(&k, tok, 0, T_012001), EDGE_ERR);
    }
    assert_int_equal(try_decrypt(&k, "", 0, T_012001), EDGE_ERR);
    assert_int_equal(try_decrypt(&k, "====", 0, T_012001), EDGE_ERR);
    assert_int_equal(try_decrypt(&k, "gA=A", 0, T_012001), EDGE_ERR);
}

static void test_fernet_truncated_rejected(void **state)
{
    const char *tok = SPEC_TOKEN;
    char *out = NULL, err[128];
    size_t n;
    (void)state;
    edge_fernet_key k = key_of(SPEC_SECRET);
    for (size_t len = 0; len < strlen(tok); len++) {
        if (len == strlen(tok) - 2) continue; /* "==" dropped: the same token, see below */
        assert_int_equal(edge_fernet_decrypt(&k, tok, len, 0, T_012001, &out, &n, err, sizeof(err)),
                         EDGE_ERR);
        assert_null(out);
    }
    /* the unpadded form of the whole token is accepted */
    assert_int_equal(
        edge_fernet_decrypt(&k, tok, strlen(tok) - 2, 0, T_012001, &out, &n, err, sizeof(err)),
        EDGE_OK);
    assert_string_equal(out, "hello");
    free(out);
}

static void test_fernet_key_parse_errors(void **state)
{
    edge_fernet_key k;
    char err[128];
    (void)state;
    assert_int_equal(edge_fernet_key_parse(NULL, &k, err, sizeof(err)), EDGE_ERR);
    assert_int_equal(edge_fernet_key_parse("", &k, err, sizeof(err)), EDGE_ERR);
    assert_non_null(strstr(err, "empty"));
    assert_int_equal(edge_fernet_key_parse("c2hvcnQ=", &k, err, sizeof(err)), EDGE_ERR);
    assert_non_null(strstr(err, "44"));
    assert_non_null(strstr(err, "got 8"));
    assert_int_equal(
        edge_fernet_key_parse("cw+0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=", &k, err, sizeof(err)),
        EDGE_ERR);
    assert_non_null(strstr(err, "character 3"));
    assert_null(strstr(err, "cw")); /* the key is never echoed */
    assert_int_equal(
        edge_fernet_key_parse("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4A", &k, err, sizeof(err)),
        EDGE_ERR);
    assert_int_equal(
        edge_fernet_key_parse("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e5=", &k, err, sizeof(err)),
        EDGE_ERR); /* non-canonical last character */
    assert_int_equal(
        edge_fernet_key_parse("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4", &k, err, sizeof(err)),
        EDGE_OK);
    edge_fernet_key spec = key_of(SPEC_SECRET);
    assert_memory_equal(&k, &spec, sizeof(k));
    assert_int_equal(edge_fernet_key_parse("x", &k, NULL, 0), EDGE_ERR); /* err is optional */
}

static void test_fernet_hint_shows_little(void **state)
{
    char h[EDGE_FERNET_HINT_MAX];
    (void)state;
    edge_fernet_hint("sk-proj-abcdefgh1234", h, sizeof(h));
    assert_string_equal(h, "sk-\xE2\x80\xA6"
                           "1234");
    edge_fernet_hint("123456789012", h, sizeof(h));
    assert_string_equal(h, "123\xE2\x80\xA6"
                           "9012");
    edge_fernet_hint("12345678901", h, sizeof(h));
    assert_string_equal(h, "\xE2\x80\xA6"
                           "01");
    edge_fernet_hint("abcd", h, sizeof(h));
    assert_string_equal(h, "\xE2\x80\xA6"
                           "cd");
    edge_fernet_hint("abc", h, sizeof(h));
    assert_string_equal(h, "\xE2\x80\xA6");
    edge_fernet_hint("", h, sizeof(h));
    assert_string_equal(h, "\xE2\x80\xA6");
    edge_fernet_hint(NULL, h, sizeof(h));
    assert_string_equal(h, "\xE2\x80\xA6");
    /* code points, not bytes: the 4-byte key emoji is one character */
    edge_fernet_hint("\xC3\xA9\xC3\xA9\xC3\xA9-middle-\xF0\x9F\x94\x91xyz", h, sizeof(h));
    assert_string_equal(h, "\xC3\xA9\xC3\xA9\xC3\xA9\xE2\x80\xA6\xF0\x9F\x94\x91xyz");
    char tiny[4];
    edge_fernet_hint("sk-proj-abcdefgh1234", tiny, sizeof(tiny));
    assert_string_equal(tiny, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fernet_spec_generate),
        cmocka_unit_test(test_fernet_spec_verify),
        cmocka_unit_test(test_fernet_spec_invalid),
        cmocka_unit_test(test_fernet_python_token_verifies),
        cmocka_unit_test(test_fernet_encrypt_matches_python),
        cmocka_unit_test(test_fernet_round_trip),
        cmocka_unit_test(test_fernet_random_iv_differs),
        cmocka_unit_test(test_fernet_tampered_bytes_rejected),
        cmocka_unit_test(test_fernet_tampered_characters_rejected),
        cmocka_unit_test(test_fernet_wrong_key_rejected),
        cmocka_unit_test(test_fernet_ttl_expiry),
        cmocka_unit_test(test_fernet_non_base64_rejected),
        cmocka_unit_test(test_fernet_truncated_rejected),
        cmocka_unit_test(test_fernet_key_parse_errors),
        cmocka_unit_test(test_fernet_hint_shows_little),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
