/* POST /api/providers/{id}/test (row testProvider of edge_routes.c): the row's sql reads the
 * provider as the admin (rt.provider_test_target checks the role), then one small real HTTP call
 * goes to it through libcurl's multi interface on the edge's loop: GET {base_url}/models with
 * its key (Bearer, or Anthropic's x-api-key), bounded by a short timeout. The answer is
 * {ok, status, latency_ms, model, detail}; the key is decrypted only for the call, never
 * logged, and masked out of whatever the provider says back. The demo provider answers ok at
 * once without any network call.
 *
 * Usage: edge_api.c dispatches the row to edge_provtest_handle; main.c calls edge_provtest_stop
 * at shutdown (tests still running are cancelled and their requests let go). */
#ifndef EDGE_PROVTEST_H
#define EDGE_PROVTEST_H

#include <stddef.h>

struct edge_req;

#define EDGE_PROVTEST_TIMEOUT_MS 5000L
#define EDGE_PROVTEST_CONNECT_TIMEOUT_MS 3000L

void edge_provtest_handle(struct edge_req *r);
void edge_provtest_stop(void);

/* Pure helpers (unit-tested): every occurrence of secret (len >= 4) in s becomes "***", in place;
 * returns how many were masked. */
int edge_provtest_mask(char *s, const char *secret);
/* What a provider's answer means, for people, into out: "HTTP 401: <the provider's error
 * message>" or, for a 2xx model list, whether model is in it. */
void edge_provtest_detail(long status, const char *body, size_t body_len, const char *model,
                          char *out, size_t cap);

#endif
