/* libFuzzer harness: the request headers rt-edge interprets before routing — the session cookie
 * (edge_cookie_get, edge_token_is_valid), the WebSocket Origin against Host, the client address
 * from X-Forwarded-For through the trusted-proxy list (edge_client_addr, edge_ip_in_list,
 * edge_ip_list_is_valid), and the session record read back from Redis (edge_session_from_json /
 * _to_json). The login limiter is left out: its fixed 2 x 4096-slot tables make one input cost
 * milliseconds, and its keys are only compared and copied (tests/unit cover it).
 *
 * Input: lines "PEER\nX-FORWARDED-FOR\nTRUSTED\nCOOKIE\nORIGIN\nHOST\nSESSION-JSON...". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_auth.h"
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
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *p = buf, *end = buf + size;
    char *peer = field(&p, end);
    char *xff = field(&p, end);
    char *trusted = field(&p, end);
    char *cookie = field(&p, end);
    char *origin = field(&p, end);
    char *host = field(&p, end);
    const char *json = p;
    size_t json_len = (size_t)(end - p);

    /* the session cookie */
    char tok[EDGE_TOKEN_HEX + 1] = "";
    if (edge_cookie_get(cookie, EDGE_SESSION_COOKIE, tok, sizeof(tok)) == 0) {
        CHECK(tok[0] != '\0' && strlen(tok) < sizeof(tok));
        if (edge_token_is_valid(tok)) CHECK(strlen(tok) == EDGE_TOKEN_HEX);
    }
    char small[4];
    if (edge_cookie_get(cookie, "a", small, sizeof(small)) == 0) CHECK(strlen(small) < 4);
    (void)edge_ct_equal(tok, cookie);

    (void)edge_origin_matches_host(origin, host);

    /* the client address: the peer, or one of the forwarded hops */
    int valid = edge_ip_list_is_valid(trusted);
    char addr[64];
    edge_client_addr(peer, xff, valid ? trusted : "", addr, sizeof(addr));
    CHECK(memchr(addr, '\0', sizeof(addr)) != NULL);
    if (strlen(peer) < sizeof(addr) && strcmp(addr, peer) != 0) {
        CHECK(valid && trusted[0] && addr[0]);
        CHECK(strstr(xff, addr) != NULL);
    }
    if (valid) (void)edge_ip_in_list(peer, trusted);

    /* the session record: what parses writes back the same */
    edge_session s;
    memset(&s, 0, sizeof(s));
    if (edge_session_from_json(json, json_len, &s) == 0) {
        CHECK(memchr(s.login, '\0', sizeof(s.login)) && memchr(s.role, '\0', sizeof(s.role)) &&
              memchr(s.csrf_token, '\0', sizeof(s.csrf_token)));
        char *again = edge_session_to_json(&s);
        if (again) {
            edge_session s2;
            memset(&s2, 0, sizeof(s2));
            CHECK(edge_session_from_json(again, strlen(again), &s2) == 0);
            CHECK(memcmp(&s, &s2, sizeof(s)) == 0);
            free(again);
        }
    }
    free(buf);
    return 0;
}
