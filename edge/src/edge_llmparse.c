/* Streaming LLM answers, normalized (see edge_llmparse.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "edge_llmparse.h"

void edge_llm_stream_init(edge_llm_stream *st, int anthropic)
{
    memset(st, 0, sizeof(*st));
    st->anthropic = anthropic ? 1 : 0;
}

__attribute__((format(printf, 3, 4))) static int set_error(edge_llm_stream *st, int kind,
                                                           const char *fmt, ...)
{
    va_list ap;
    if (st->error == EDGE_LLM_ERR_NONE) {
        st->error = kind;
        va_start(ap, fmt);
        vsnprintf(st->error_message, sizeof(st->error_message), fmt, ap);
        va_end(ap);
    }
    return EDGE_ERR;
}

/* {"error":{"type":..,"message":..}} or {"error":"text"}: a provider error. */
static int provider_error(edge_llm_stream *st, json_t *err)
{
    const char *type = json_string_value(json_object_get(err, "type"));
    const char *msg = json_string_value(json_object_get(err, "message"));
    if (!type) type = json_string_value(json_object_get(err, "code"));
    if (json_is_string(err)) msg = json_string_value(err);
    if (!msg) msg = "provider error";
    if (type) return set_error(st, EDGE_LLM_ERR_PROVIDER, "%s: %s", type, msg);
    return set_error(st, EDGE_LLM_ERR_PROVIDER, "%s", msg);
}

static void emit(json_t *s, int reasoning, edge_llm_delta_cb on_delta, void *ud)
{
    if (on_delta && json_is_string(s) && json_string_length(s) > 0)
        on_delta(json_string_value(s), json_string_length(s), reasoning, ud);
}

static void set_finish(edge_llm_stream *st, json_t *reason)
{
    if (json_is_string(reason))
        snprintf(st->finish_reason, sizeof(st->finish_reason), "%s", json_string_value(reason));
}

/* Sets *v from an integer member; returns 1 when there was one. */
static int get_int(json_t *obj, const char *key, long long *v)
{
    json_t *n = json_object_get(obj, key);
    if (!json_is_integer(n)) return 0;
    *v = (long long)json_integer_value(n);
    return 1;
}

static void openai_usage(edge_llm_stream *st, json_t *u)
{
    long long v;
    if (!json_is_object(u)) return;
    if (get_int(u, "prompt_tokens", &st->usage.input)) st->usage.have |= EDGE_LLM_HAVE_INPUT;
    if (get_int(u, "completion_tokens", &st->usage.output)) st->usage.have |= EDGE_LLM_HAVE_OUTPUT;
    if (get_int(u, "prompt_cache_hit_tokens", &v) ||
        get_int(json_object_get(u, "prompt_tokens_details"), "cached_tokens", &v))
        st->usage.cached_input = v;
}

static int openai_event(edge_llm_stream *st, json_t *root, edge_llm_delta_cb on_delta, void *ud)
{
    json_t *err = json_object_get(root, "error"), *choices, *c0, *delta;
    if (err && !json_is_null(err)) return provider_error(st, err);
    choices = json_object_get(root, "choices");
    if (choices && !json_is_array(choices) && !json_is_null(choices))
        return set_error(st, EDGE_LLM_ERR_MALFORMED, "\"choices\" is not an array");
    c0 = json_array_get(choices, 0);
    delta = json_object_get(c0, "delta");
    emit(json_object_get(delta, "reasoning_content"), 1, on_delta, ud);
    emit(json_object_get(delta, "reasoning"), 1, on_delta, ud);
    emit(json_object_get(delta, "content"), 0, on_delta, ud);
    set_finish(st, json_object_get(c0, "finish_reason"));
    openai_usage(st, json_object_get(root, "usage"));
    return EDGE_OK;
}

/* Anthropic usage objects are cumulative; message_start's output_tokens is a placeholder. */
static void anthropic_usage(edge_llm_stream *st, json_t *u, int with_output)
{
    if (!json_is_object(u)) return;
    if (get_int(u, "input_tokens", &st->a_input)) st->usage.have |= EDGE_LLM_HAVE_INPUT;
    get_int(u, "cache_read_input_tokens", &st->a_read);
    get_int(u, "cache_creation_input_tokens", &st->a_create);
    st->usage.input = st->a_input + st->a_read + st->a_create;
    st->usage.cached_input = st->a_read;
    if (with_output && get_int(u, "output_tokens", &st->usage.output))
        st->usage.have |= EDGE_LLM_HAVE_OUTPUT;
}

static int anthropic_event(edge_llm_stream *st, const char *event, json_t *root,
                           edge_llm_delta_cb on_delta, void *ud)
{
    const char *type = json_string_value(json_object_get(root, "type"));
    if (!type) type = event;
    if (strcmp(type, "content_block_delta") == 0) {
        json_t *delta = json_object_get(root, "delta");
        const char *dt = json_string_value(json_object_get(delta, "type"));
        if (dt && strcmp(dt, "text_delta") == 0)
            emit(json_object_get(delta, "text"), 0, on_delta, ud);
        else if (dt && strcmp(dt, "thinking_delta") == 0)
            emit(json_object_get(delta, "thinking"), 1, on_delta, ud);
    } else if (strcmp(type, "content_block_start") == 0) {
        json_t *block = json_object_get(root, "content_block");
        const char *bt = json_string_value(json_object_get(block, "type"));
        if (bt && strcmp(bt, "text") == 0)
            emit(json_object_get(block, "text"), 0, on_delta, ud);
        else if (bt && strcmp(bt, "thinking") == 0)
            emit(json_object_get(block, "thinking"), 1, on_delta, ud);
    } else if (strcmp(type, "message_start") == 0) {
        anthropic_usage(st, json_object_get(json_object_get(root, "message"), "usage"), 0);
    } else if (strcmp(type, "message_delta") == 0) {
        set_finish(st, json_object_get(json_object_get(root, "delta"), "stop_reason"));
        anthropic_usage(st, json_object_get(root, "usage"), 1);
    } else if (strcmp(type, "message_stop") == 0) {
        st->done = 1;
    } else if (strcmp(type, "error") == 0) {
        json_t *err = json_object_get(root, "error");
        return provider_error(st, err ? err : root);
    }
    /* ping, content_block_stop and event types added later are ignored */
    return EDGE_OK;
}

int edge_llm_stream_event(edge_llm_stream *st, const char *event, const char *data, size_t len,
                          edge_llm_delta_cb on_delta, void *ud)
{
    json_error_t jerr;
    json_t *root;
    int rc;

    if (st->done) return EDGE_OK;
    while (len > 0 && (data[0] == ' ' || data[0] == '\t' || data[0] == '\n' || data[0] == '\r')) {
        data++;
        len--;
    }
    while (len > 0 && (data[len - 1] == ' ' || data[len - 1] == '\t' || data[len - 1] == '\n' ||
                       data[len - 1] == '\r'))
        len--;
    if (!event) event = "";
    if (len == 0) return EDGE_OK; /* an empty data line: nothing to say */
    if (!st->anthropic && len == 6 && memcmp(data, "[DONE]", 6) == 0) {
        st->done = 1;
        return EDGE_OK;
    }
    root = json_loadb(data, len, 0, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        return set_error(st, EDGE_LLM_ERR_MALFORMED, "malformed event data: %s",
                         root ? "not a JSON object" : jerr.text);
    }
    rc = st->anthropic ? anthropic_event(st, event, root, on_delta, ud)
                       : openai_event(st, root, on_delta, ud);
    json_decref(root);
    return rc;
}

void edge_llm_estimate_usage(edge_llm_usage *u, size_t prompt_bytes, size_t output_bytes)
{
    if (!(u->have & EDGE_LLM_HAVE_INPUT)) {
        u->input = (long long)((prompt_bytes + 3) / 4);
        u->cached_input = 0;
        u->have |= EDGE_LLM_HAVE_INPUT;
        u->estimated = 1;
    }
    if (!(u->have & EDGE_LLM_HAVE_OUTPUT)) {
        u->output = (long long)((output_bytes + 3) / 4);
        u->have |= EDGE_LLM_HAVE_OUTPUT;
        u->estimated = 1;
    }
}
