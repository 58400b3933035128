/* edge_llmparse over edge_sse: recorded OpenAI, DeepSeek and Anthropic streams fed whole, split in
 * two at every byte offset and byte by byte; truncation, errors, limits, usage estimates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "edge_llmparse.h"
#include "edge_sse.h"

/* gpt-4o-mini, stream_options.include_usage, 1024 of 1200 prompt tokens cached. */
static const char OPENAI_STREAM[] =
    "data: {\"id\":\"chatcmpl-AZ1\",\"object\":\"chat.completion.chunk\",\"created\":1731000000,"
    "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_0ba0d124f1\",\"choices\":[{"
    "\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":"
    "null,\"finish_reason\":null}],\"usage\":null}\n\n"
    "data: {\"id\":\"chatcmpl-AZ1\",\"object\":\"chat.completion.chunk\",\"created\":1731000000,"
    "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
    "\"Hello\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
    "data: {\"id\":\"chatcmpl-AZ1\",\"object\":\"chat.completion.chunk\",\"created\":1731000000,"
    "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
    "\", w\xC3\xB6rld \\\"quoted\\\"\\n\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":"
    "null}\n\n"
    "data: {\"id\":\"chatcmpl-AZ1\",\"object\":\"chat.completion.chunk\",\"created\":1731000000,"
    "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
    "\" \xF0\x9F\x91\x8B \\ud83d\\ude00\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":"
    "null}\n\n"
    "data: {\"id\":\"chatcmpl-AZ1\",\"object\":\"chat.completion.chunk\",\"created\":1731000000,"
    "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,"
    "\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
    "data: {\"id\":\"chatcmpl-AZ1\",\"object\":\"chat.completion.chunk\",\"created\":1731000000,"
    "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[],\"usage\":{\"prompt_tokens\":1200,"
    "\"completion_tokens\":9,\"total_tokens\":1209,\"prompt_tokens_details\":{\"cached_tokens\":"
    "1024,"
    "\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
    "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n"
    "data: [DONE]\n\n";
#define OPENAI_TEXT "Hello, w\xC3\xB6rld \"quoted\"\n \xF0\x9F\x91\x8B \xF0\x9F\x98\x80"

/* deepseek-reasoner with CRLF line ends, keep-alive comments while it thinks, 64 cache hits. */
static const char DEEPSEEK_STREAM[] =
    ": keep-alive\r\n\r\n"
    ": keep-alive\r\n\r\n"
    "data: {\"id\":\"5f1c\",\"object\":\"chat.completion.chunk\",\"created\":1731000001,\"model\":"
    "\"deepseek-reasoner\",\"system_fingerprint\":\"fp_7e73fd9a08\",\"choices\":[{\"index\":0,"
    "\"delta\":{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"\"},\"logprobs\":"
    "null,\"finish_reason\":null}]}\r\n\r\n"
    "data: {\"id\":\"5f1c\",\"object\":\"chat.completion.chunk\",\"created\":1731000001,\"model\":"
    "\"deepseek-reasoner\",\"choices\":[{\"index\":0,\"delta\":{\"content\":null,"
    "\"reasoning_content\":\"\xD0\x9F\xD0\xBE\xD0\xBB\xD1\x8C\xD0\xB7\xD0\xBE\xD0\xB2\xD0\xB0\xD1"
    "\x82\xD0\xB5\xD0\xBB\xD1\x8C\"},\"logprobs\":null,\"finish_reason\":null}]}\r\n\r\n"
    ": keep-alive\r\n\r\n"
    "data: {\"id\":\"5f1c\",\"object\":\"chat.completion.chunk\",\"created\":1731000001,\"model\":"
    "\"deepseek-reasoner\",\"choices\":[{\"index\":0,\"delta\":{\"content\":null,"
    "\"reasoning_content\":\" \xD0\xBF\xD1\x80\xD0\xBE\xD1\x81\xD0\xB8\xD1\x82.\"},\"logprobs\":"
    "null,\"finish_reason\":null}]}\r\n\r\n"
    "data: {\"id\":\"5f1c\",\"object\":\"chat.completion.chunk\",\"created\":1731000001,\"model\":"
    "\"deepseek-reasoner\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\xD0\x9F\xD1\x80\xD0"
    "\xB8\xD0\xB2\xD0\xB5\xD1\x82\",\"reasoning_content\":null},\"logprobs\":null,"
    "\"finish_reason\":null}]}\r\n\r\n"
    "data: {\"id\":\"5f1c\",\"object\":\"chat.completion.chunk\",\"created\":1731000001,\"model\":"
    "\"deepseek-reasoner\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"! \xF0\x9F\x8E\x89\","
    "\"reasoning_content\":null},\"logprobs\":null,\"finish_reason\":null}]}\r\n\r\n"
    "data: {\"id\":\"5f1c\",\"object\":\"chat.completion.chunk\",\"created\":1731000001,\"model\":"
    "\"deepseek-reasoner\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\","
    "\"reasoning_content\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{"
    "\"prompt_tokens\":76,\"completion_tokens\":31,\"total_tokens\":107,\"prompt_tokens_details\":{"
    "\"cached_tokens\":64},\"completion_tokens_details\":{\"reasoning_tokens\":25},"
    "\"prompt_cache_hit_tokens\":64,\"prompt_cache_miss_tokens\":12}}\r\n\r\n"
    "data: [DONE]\r\n\r\n";
#define DEEPSEEK_TEXT "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82! \xF0\x9F\x8E\x89"
#define DEEPSEEK_REASONING                                                                         \
    "\xD0\x9F\xD0\xBE\xD0\xBB\xD1\x8C\xD0\xB7\xD0\xBE\xD0\xB2\xD0\xB0\xD1\x82\xD0\xB5\xD0\xBB\xD1" \
    "\x8C \xD0\xBF\xD1\x80\xD0\xBE\xD1\x81\xD0\xB8\xD1\x82."

/* Claude Messages API with prompt caching: 25 new + 2048 read + 100 written input tokens. */
static const char ANTHROPIC_STREAM[] =
    "event: message_start\n"
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\","
    "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\","
    "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,"
    "\"cache_creation_input_tokens\":100,\"cache_read_input_tokens\":2048,\"output_tokens\":1}}}\n"
    "\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\","
    "\"text\":\"\"}}\n\n"
    "event: ping\n"
    "data: {\"type\": \"ping\"}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
    "\"text\":\"Hello\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
    "\"text\":\" there \xF0\x9F\x8C\x8D\\n\\u00e9t\xC3\xA9\"}}\n\n"
    "event: content_block_stop\n"
    "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
    "event: message_delta\n"
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":"
    "null},\"usage\":{\"output_tokens\":15}}\n\n"
    "event: message_stop\n"
    "data: {\"type\":\"message_stop\"}\n\n";
#define ANTHROPIC_TEXT "Hello there \xF0\x9F\x8C\x8D\n\xC3\xA9t\xC3\xA9"

/* What one decoding of a stream produced. */
typedef struct run {
    edge_sse sse;
    edge_llm_stream st;
    char text[1024], reasoning[1024];
    size_t text_len, reasoning_len;
    int deltas, feed_rc;
} run;

static void on_delta(const char *text, size_t len, int reasoning, void *ud)
{
    run *r = ud;
    char *buf = reasoning ? r->reasoning : r->text;
    size_t *n = reasoning ? &r->reasoning_len : &r->text_len;
    assert_true(len > 0);
    assert_true(*n + len < sizeof(r->text));
    memcpy(buf + *n, text, len);
    *n += len;
    buf[*n] = '\0';
    r->deltas++;
}

static int on_event(const char *event, const char *data, size_t len, void *ud)
{
    run *r = ud;
    return edge_llm_stream_event(&r->st, event, data, len, on_delta, r);
}

static void run_start(run *r, int anthropic, size_t max_event)
{
    memset(r, 0, sizeof(*r));
    edge_sse_init(&r->sse, max_event);
    edge_llm_stream_init(&r->st, anthropic);
}

static void run_feed(run *r, const char *buf, size_t len)
{
    if (r->feed_rc == EDGE_OK) r->feed_rc = edge_sse_feed(&r->sse, buf, len, on_event, r);
}

/* cut == len + 1 means byte by byte. The caller edge_sse_free's r->sse. */
static void run_stream(run *r, const char *in, size_t len, int anthropic, size_t cut)
{
    run_start(r, anthropic, 4096);
    if (cut <= len) {
        run_feed(r, in, cut);
        run_feed(r, in + cut, len - cut);
    } else {
        for (size_t i = 0; i < len; i++) run_feed(r, in + i, 1);
    }
}

/* Whole, split in two at every offset, byte by byte: identical text, usage, done, finish. */
static void check_every_split(const char *in, int anthropic, const char *text,
                              const char *reasoning, const edge_llm_usage *usage,
                              const char *finish)
{
    size_t len = strlen(in);
    for (size_t cut = 0; cut <= len + 1; cut++) {
        run r;
        run_stream(&r, in, len, anthropic, cut);
        assert_int_equal(r.feed_rc, EDGE_OK);
        assert_int_equal(r.st.error, EDGE_LLM_ERR_NONE);
        assert_int_equal(r.st.done, 1);
        assert_string_equal(r.text, text);
        assert_string_equal(r.reasoning, reasoning);
        assert_int_equal(r.st.usage.input, usage->input);
        assert_int_equal(r.st.usage.cached_input, usage->cached_input);
        assert_int_equal(r.st.usage.output, usage->output);
        assert_int_equal(r.st.usage.have, usage->have);
        assert_int_equal(r.st.usage.estimated, 0);
        assert_string_equal(r.st.finish_reason, finish);
        edge_sse_free(&r.sse);
    }
}

static void test_llmparse_openai_stream(void **state)
{
    const edge_llm_usage u = {1200, 1024, 9, EDGE_LLM_HAVE_INPUT | EDGE_LLM_HAVE_OUTPUT, 0};
    (void)state;
    check_every_split(OPENAI_STREAM, 0, OPENAI_TEXT, "", &u, "stop");
}

static void test_llmparse_deepseek_reasoning_and_cache(void **state)
{
    const edge_llm_usage u = {76, 64, 31, EDGE_LLM_HAVE_INPUT | EDGE_LLM_HAVE_OUTPUT, 0};
    (void)state;
    check_every_split(DEEPSEEK_STREAM, 0, DEEPSEEK_TEXT, DEEPSEEK_REASONING, &u, "stop");
}

static void test_llmparse_anthropic_stream(void **state)
{
    const edge_llm_usage u = {25 + 2048 + 100, 2048, 15, EDGE_LLM_HAVE_INPUT | EDGE_LLM_HAVE_OUTPUT,
                              0};
    (void)state;
    check_every_split(ANTHROPIC_STREAM, 1, ANTHROPIC_TEXT, "", &u, "end_turn");
}

static void test_llmparse_deepseek_cache_hit_without_details(void **state)
{
    run r;
    const char *ev = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":"
                     "5,\"prompt_cache_hit_tokens\":32,\"prompt_cache_miss_tokens\":18}}\n\n";
    (void)state;
    run_start(&r, 0, 0);
    run_feed(&r, ev, strlen(ev));
    assert_int_equal(r.feed_rc, EDGE_OK);
    assert_int_equal(r.st.usage.input, 50);
    assert_int_equal(r.st.usage.cached_input, 32);
    assert_int_equal(r.st.usage.output, 5);
    assert_int_equal(r.st.done, 0);
    edge_sse_free(&r.sse);
}

static void test_llmparse_keepalive_comments(void **state)
{
    run r;
    const char *in = ": keep-alive\n\n: keep-alive\n\n: OPENROUTER PROCESSING\n\n"
                     "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
                     ": keep-alive\n\ndata: [DONE]\n\n";
    (void)state;
    run_start(&r, 0, 0);
    run_feed(&r, in, strlen(in));
    assert_int_equal(r.feed_rc, EDGE_OK);
    assert_string_equal(r.text, "a");
    assert_int_equal(r.deltas, 1);
    assert_int_equal(r.st.done, 1);
    assert_int_equal(r.st.usage.have, 0);
    edge_sse_free(&r.sse);
}

static void test_llmparse_truncated_stream_not_done(void **state)
{
    static const struct {
        const char *stream;
        int anthropic;
        const char *before; /* cut just before this text */
    } cases[] = {
        {OPENAI_STREAM, 0, "data: [DONE]"},
        {DEEPSEEK_STREAM, 0, "data: [DONE]"},
        {ANTHROPIC_STREAM, 1, "event: message_stop"},
        {ANTHROPIC_STREAM, 1, "event: message_delta"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run r;
        size_t len = (size_t)(strstr(cases[i].stream, cases[i].before) - cases[i].stream);
        run_stream(&r, cases[i].stream, len, cases[i].anthropic, len / 2);
        assert_int_equal(r.feed_rc, EDGE_OK);
        assert_int_equal(r.st.done, 0);
        assert_true(r.text_len > 0);
        edge_sse_free(&r.sse);
    }
    /* cut before message_delta: input is known, output is estimated from the text */
    run r;
    size_t len = (size_t)(strstr(ANTHROPIC_STREAM, "event: message_delta") - ANTHROPIC_STREAM);
    run_stream(&r, ANTHROPIC_STREAM, len, 1, len + 1);
    assert_int_equal(r.st.usage.have, EDGE_LLM_HAVE_INPUT);
    edge_llm_estimate_usage(&r.st.usage, 4000, r.text_len);
    assert_int_equal(r.st.usage.input, 2173);
    assert_int_equal(r.st.usage.cached_input, 2048);
    assert_int_equal(r.st.usage.output, (long long)(r.text_len + 3) / 4);
    assert_int_equal(r.st.usage.estimated, 1);
    edge_sse_free(&r.sse);
}

static void test_llmparse_estimate_usage(void **state)
{
    edge_llm_usage u = {0};
    (void)state;
    edge_llm_estimate_usage(&u, 4000, 401);
    assert_int_equal(u.input, 1000);
    assert_int_equal(u.cached_input, 0);
    assert_int_equal(u.output, 101);
    assert_int_equal(u.have, EDGE_LLM_HAVE_INPUT | EDGE_LLM_HAVE_OUTPUT);
    assert_int_equal(u.estimated, 1);
    /* reported usage is kept as it is */
    edge_llm_usage full = {10, 2, 3, EDGE_LLM_HAVE_INPUT | EDGE_LLM_HAVE_OUTPUT, 0};
    edge_llm_estimate_usage(&full, 4000, 4000);
    assert_int_equal(full.input, 10);
    assert_int_equal(full.output, 3);
    assert_int_equal(full.estimated, 0);
}

static void test_llmparse_malformed_json_error(void **state)
{
    static const char *bad[] = {
        "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]\n\n", /* unbalanced */
        "data: not json\n\n",
        "data: [1,2]\n\n",
        "data: {\"choices\":{\"delta\":1}}\n\n",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        run r;
        run_start(&r, 0, 0);
        run_feed(&r, bad[i], strlen(bad[i]));
        assert_int_equal(r.feed_rc, EDGE_ERR); /* the callback's EDGE_ERR stops the decoder */
        assert_int_equal(r.st.error, EDGE_LLM_ERR_MALFORMED);
        assert_true(r.st.error_message[0] != '\0');
        assert_int_equal(r.st.done, 0);
        edge_sse_free(&r.sse);
    }
    run r;
    run_start(&r, 1, 0);
    const char *cut = "event: content_block_delta\ndata: {\"type\":\n\n";
    run_feed(&r, cut, strlen(cut));
    assert_int_equal(r.st.error, EDGE_LLM_ERR_MALFORMED);
    edge_sse_free(&r.sse);
}

static void test_llmparse_openai_error_object(void **state)
{
    run r;
    const char *in = "data: {\"choices\":[{\"delta\":{\"content\":\"par\"}}]}\n\n"
                     "data: {\"error\":{\"message\":\"The server had an error while processing "
                     "your request.\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n"
                     "data: [DONE]\n\n";
    (void)state;
    run_start(&r, 0, 0);
    run_feed(&r, in, strlen(in));
    assert_int_equal(r.feed_rc, EDGE_ERR);
    assert_int_equal(r.st.error, EDGE_LLM_ERR_PROVIDER);
    assert_string_equal(r.st.error_message,
                        "server_error: The server had an error while processing your request.");
    assert_string_equal(r.text, "par");
    assert_int_equal(r.st.done, 0);
    edge_sse_free(&r.sse);
}

static void test_llmparse_anthropic_error_event(void **state)
{
    run r;
    const char *in = "event: ping\ndata: {\"type\": \"ping\"}\n\n"
                     "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":"
                     "\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
    (void)state;
    run_start(&r, 1, 0);
    run_feed(&r, in, strlen(in));
    assert_int_equal(r.feed_rc, EDGE_ERR);
    assert_int_equal(r.st.error, EDGE_LLM_ERR_PROVIDER);
    assert_string_equal(r.st.error_message, "overloaded_error: Overloaded");
    assert_int_equal(r.st.done, 0);
    edge_sse_free(&r.sse);
}

static void test_llmparse_anthropic_thinking_is_reasoning(void **state)
{
    run r;
    const char *in =
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
        "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}\n\n"
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
        "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"hmm\"}}\n\n"
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
        "\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQB\"}}\n\n"
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,"
        "\"delta\":{\"type\":\"text_delta\",\"text\":\"ok\"}}\n\n";
    (void)state;
    run_start(&r, 1, 0);
    run_feed(&r, in, strlen(in));
    assert_int_equal(r.feed_rc, EDGE_OK);
    assert_string_equal(r.reasoning, "hmm");
    assert_string_equal(r.text, "ok");
    edge_sse_free(&r.sse);
}

static void test_llmparse_oversized_event(void **state)
{
    run r;
    char big[600];
    (void)state;
    snprintf(big, sizeof(big), "data: {\"choices\":[{\"delta\":{\"content\":\"%0400d\"}}]}\n\n", 7);
    run_start(&r, 0, 256);
    run_feed(&r, big, strlen(big));
    assert_int_equal(r.feed_rc, EDGE_ERR);
    assert_int_equal(r.st.error, EDGE_LLM_ERR_NONE); /* the decoder refused it, not the parser */
    assert_int_equal(r.deltas, 0);
    edge_sse_free(&r.sse);
}

static void test_llmparse_emoji_split_across_feeds(void **state)
{
    const char *in = "data: {\"choices\":[{\"delta\":{\"content\":\"\xF0\x9F\x98\x80\"}}]}\n\n";
    const char *emoji = strstr(in, "\xF0");
    (void)state;
    for (size_t k = 1; k < 4; k++) {
        run r;
        size_t cut = (size_t)(emoji - in) + k;
        run_stream(&r, in, strlen(in), 0, cut);
        assert_int_equal(r.feed_rc, EDGE_OK);
        assert_string_equal(r.text, "\xF0\x9F\x98\x80");
        assert_int_equal(r.deltas, 1);
        edge_sse_free(&r.sse);
    }
}

static void test_llmparse_events_after_done_ignored(void **state)
{
    run r;
    const char *in = "data: [DONE]\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"late\"}}]}\n\n"
                     "data: garbage\n\n";
    (void)state;
    run_start(&r, 0, 0);
    run_feed(&r, in, strlen(in));
    assert_int_equal(r.feed_rc, EDGE_OK);
    assert_int_equal(r.st.done, 1);
    assert_int_equal(r.deltas, 0);
    edge_sse_free(&r.sse);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_llmparse_openai_stream),
        cmocka_unit_test(test_llmparse_deepseek_reasoning_and_cache),
        cmocka_unit_test(test_llmparse_anthropic_stream),
        cmocka_unit_test(test_llmparse_deepseek_cache_hit_without_details),
        cmocka_unit_test(test_llmparse_keepalive_comments),
        cmocka_unit_test(test_llmparse_truncated_stream_not_done),
        cmocka_unit_test(test_llmparse_estimate_usage),
        cmocka_unit_test(test_llmparse_malformed_json_error),
        cmocka_unit_test(test_llmparse_openai_error_object),
        cmocka_unit_test(test_llmparse_anthropic_error_event),
        cmocka_unit_test(test_llmparse_anthropic_thinking_is_reasoning),
        cmocka_unit_test(test_llmparse_oversized_event),
        cmocka_unit_test(test_llmparse_emoji_split_across_feeds),
        cmocka_unit_test(test_llmparse_events_after_done_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
