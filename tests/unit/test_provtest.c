/* edge_provtest: the key is masked out of whatever a provider says back; the detail of a model
 * list (the model listed or not) and of an error body (OpenAI and Anthropic shapes). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "edge_provtest.h"

static void mask_every_occurrence(void **state)
{
    (void)state;
    char s[128] = "key sk-abcdef1234 then sk-abcdef1234!";
    assert_int_equal(edge_provtest_mask(s, "sk-abcdef1234"), 2);
    assert_string_equal(s, "key *** then ***!");
    char t[32] = "abc";
    assert_int_equal(edge_provtest_mask(t, "ab"), 0); /* too short to be a key: left alone */
    assert_int_equal(edge_provtest_mask(t, NULL), 0);
    assert_string_equal(t, "abc");
}

static void detail_of_answers(void **state)
{
    (void)state;
    char out[300];
    const char *list =
        "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\"},{\"id\":\"gpt-4o\"}]}";
    edge_provtest_detail(200, list, strlen(list), "gpt-4o", out, sizeof(out));
    assert_string_equal(out, "HTTP 200: the provider answered; model gpt-4o is available");
    edge_provtest_detail(200, list, strlen(list), "o3", out, sizeof(out));
    assert_string_equal(out,
                        "HTTP 200: the provider answered, but model o3 is not among the 2 models "
                        "it lists");
    edge_provtest_detail(204, "", 0, "m", out, sizeof(out));
    assert_string_equal(out, "HTTP 204: the provider answered");
    const char *oa = "{\"error\":{\"message\":\"Incorrect API key provided\",\"type\":\"x\"}}";
    edge_provtest_detail(401, oa, strlen(oa), "m", out, sizeof(out));
    assert_string_equal(out, "HTTP 401: Incorrect API key provided");
    const char *an = "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":"
                     "\"invalid x-api-key\"}}";
    edge_provtest_detail(401, an, strlen(an), "m", out, sizeof(out));
    assert_string_equal(out, "HTTP 401: invalid x-api-key");
    edge_provtest_detail(502, "<html>bad gateway</html>", 24, "m", out, sizeof(out));
    assert_string_equal(out, "HTTP 502 from the provider");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mask_every_occurrence),
        cmocka_unit_test(detail_of_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
