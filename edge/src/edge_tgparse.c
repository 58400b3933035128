/* Pure parsing for the Telegram poller (see edge_tgparse.h). */
#include <stdio.h>
#include <string.h>

#include "edge_tgparse.h"

void edge_tg_classify(const char *body, size_t len, long http_status, edge_tg_response *out)
{
    json_error_t jerr;
    json_t *root, *ok, *res;

    memset(out, 0, sizeof(*out));
    out->max_update_id = -1;
    out->kind = EDGE_TG_ERROR;
    if (http_status == 0) {
        snprintf(out->error, sizeof(out->error), "no HTTP response");
        return;
    }
    root = json_loadb(body ? body : "", body ? len : 0, 0, &jerr);
    if (!root) {
        out->error_code = (int)http_status;
        if (http_status == 200) {
            out->kind = EDGE_TG_UNPARSABLE;
            snprintf(out->error, sizeof(out->error), "%s (line %d column %d)", jerr.text, jerr.line,
                     jerr.column);
        } else {
            snprintf(out->error, sizeof(out->error), "HTTP %ld with a non-JSON body", http_status);
        }
        return;
    }
    ok = json_object_get(root, "ok");
    if (!json_is_object(root) || !json_is_boolean(ok)) {
        out->error_code = (int)http_status;
        snprintf(out->error, sizeof(out->error), "HTTP %ld: response has no boolean \"ok\"",
                 http_status);
        goto done;
    }
    if (json_is_true(ok)) {
        res = json_object_get(root, "result");
        if (!json_is_array(res)) {
            snprintf(out->error, sizeof(out->error), "\"result\" is not an array");
            goto done;
        }
        size_t i;
        json_t *u;
        json_array_foreach(res, i, u)
        {
            json_t *id = json_object_get(u, "update_id");
            if (json_is_integer(id) && json_integer_value(id) > out->max_update_id)
                out->max_update_id = json_integer_value(id);
        }
        out->kind = EDGE_TG_UPDATES;
        out->result = json_incref(res);
        goto done;
    }
    json_t *code = json_object_get(root, "error_code");
    json_t *desc = json_object_get(root, "description");
    json_t *params = json_object_get(root, "parameters");
    json_t *ra = json_object_get(params, "retry_after");
    out->error_code = json_is_integer(code) ? (int)json_integer_value(code) : (int)http_status;
    snprintf(out->error, sizeof(out->error), "%s",
             json_is_string(desc) ? json_string_value(desc) : "Telegram answered ok=false");
    if (json_is_integer(ra) && json_integer_value(ra) > 0) {
        long long v = json_integer_value(ra);
        out->kind = EDGE_TG_RETRY_AFTER;
        out->retry_after = v > 3600 ? 3600 : (int)v;
    }
done:
    json_decref(root);
}

/* Skips a JSON string starting at body[i] == '"'; returns the index after the closing quote.
 * Escapes are skipped without being judged, so invalid \u sequences do not matter. */
static size_t skip_string(const char *b, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (b[i] == '\\')
            i++;
        else if (b[i] == '"')
            return i + 1;
    }
    return len;
}

static size_t skip_ws(const char *b, size_t len, size_t i)
{
    while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) i++;
    return i;
}

size_t edge_tg_scan_update_ids(const char *body, size_t len, long long *ids, size_t max)
{
    static const char key[] = "\"update_id\"";
    const size_t keylen = sizeof(key) - 1;
    size_t found = 0, i = 0;
    int depth = 0;
    if (!body) return 0;
    while (i < len) {
        char ch = body[i];
        if (ch == '{' || ch == '[') {
            depth++;
            i++;
        } else if (ch == '}' || ch == ']') {
            depth--;
            i++;
        } else if (ch == '"') {
            size_t start = i, end = skip_string(body, len, i);
            i = end;
            if (depth != 3 || end - start != keylen || memcmp(body + start, key, keylen) != 0)
                continue;
            i = skip_ws(body, len, i);
            if (i >= len || body[i] != ':') continue;
            i = skip_ws(body, len, i + 1);
            long long v = 0;
            int digits = 0, neg = 0;
            if (i < len && body[i] == '-') {
                neg = 1;
                i++;
            }
            while (i < len && body[i] >= '0' && body[i] <= '9' && digits < 18) {
                v = v * 10 + (body[i] - '0');
                digits++;
                i++;
            }
            if (digits == 0 || neg) continue;
            if (found < max) ids[found] = v;
            found++;
        } else {
            i++;
        }
    }
    return found;
}

unsigned edge_tg_backoff_ms(unsigned attempt, unsigned rnd)
{
    unsigned base = 1000;
    if (attempt < 1) attempt = 1;
    for (unsigned i = 1; i < attempt && base < 60000; i++) base *= 2;
    if (base > 60000) base = 60000;
    unsigned jitter = rnd % (base / 4 + 1);
    unsigned ms = base - base / 8 + jitter; /* base +- 12.5 % */
    if (ms < 1000) ms = 1000;
    if (ms > 60000) ms = 60000;
    return ms;
}

size_t edge_tg_request_body(char *buf, size_t cap, long long offset, int timeout, int limit)
{
    int n =
        snprintf(buf, cap, "{\"offset\":%lld,\"timeout\":%d,\"limit\":%d}", offset, timeout, limit);
    if (n < 0 || (size_t)n >= cap) return 0;
    return (size_t)n;
}

void edge_tg_parse_result(const char *body, size_t len, long http_status, edge_tg_result *out)
{
    json_error_t jerr;
    json_t *root;

    memset(out, 0, sizeof(*out));
    if (http_status == 0) {
        snprintf(out->error, sizeof(out->error), "no HTTP response");
        return;
    }
    out->error_code = (int)http_status;
    root = json_loadb(body ? body : "", body ? len : 0, 0, &jerr);
    if (!json_is_object(root) || !json_is_boolean(json_object_get(root, "ok"))) {
        snprintf(out->error, sizeof(out->error), "HTTP %ld without a Bot API JSON body",
                 http_status);
        json_decref(root);
        return;
    }
    if (json_is_true(json_object_get(root, "ok"))) {
        out->ok = 1;
        out->result = json_incref(json_object_get(root, "result"));
        json_decref(root);
        return;
    }
    json_t *code = json_object_get(root, "error_code");
    json_t *desc = json_object_get(root, "description");
    json_t *ra = json_object_get(json_object_get(root, "parameters"), "retry_after");
    if (json_is_integer(code)) out->error_code = (int)json_integer_value(code);
    snprintf(out->error, sizeof(out->error), "%s",
             json_is_string(desc) ? json_string_value(desc) : "Telegram answered ok=false");
    if (json_is_integer(ra) && json_integer_value(ra) > 0) {
        long long v = json_integer_value(ra);
        out->retry_after = v > 3600 ? 3600 : (int)v;
    }
    out->permanent = out->error_code >= 400 && out->error_code < 500 && out->error_code != 408 &&
                     out->error_code != 429;
    json_decref(root);
}
