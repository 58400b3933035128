/* The offline demo model (see edge_demo.h): a template picked by a hash of the user's text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "edge_demo.h"

#define SNIPPET_CHARS 80

static const char *const ru_templates[] = {
    "[демо-модель] Вы написали: «%s». Я офлайн-модель roundtable: ключей LLM нет, поэтому "
    "отвечаю по шаблону. Добавьте провайдера в консоли, и здесь ответит настоящая модель.",
    "[демо-модель] Интересная мысль: «%s». Настоящая модель учла бы тон, длину и "
    "эмоциональность из пресета этого чата; я лишь показываю, как ответ идёт по конвейеру.",
    "[демо-модель] Получил: «%s». Ответ прошёл путь outbox → Redis → воркер → Telegram, как "
    "ответил бы ChatGPT или DeepSeek.",
};

static const char *const en_templates[] = {
    "[demo model] You wrote: \"%s\". I am roundtable's offline model: there are no LLM keys, so "
    "I answer from a template. Add a provider in the console and a real model answers here.",
    "[demo model] Interesting point: \"%s\". A real model would follow this chat's preset "
    "(tone, length, emotional intensity); I only show the reply travelling the pipeline.",
    "[demo model] Got it: \"%s\". This reply went outbox -> Redis -> worker -> Telegram, just as "
    "one from ChatGPT or DeepSeek would.",
};

static int has_cyrillic(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p == 0xD0 || *p == 0xD1) && (p[1] & 0xC0) == 0x80) return 1;
    return 0;
}

/* Copies at most max code points of s, and "…" when cut; newlines become spaces. */
static void snippet(const char *s, char *out, size_t cap)
{
    size_t o = 0, chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = (*p < 0x80) ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : 4;
        if (chars == SNIPPET_CHARS) {
            if (o + 4 < cap) memcpy(out + o, "\xE2\x80\xA6", 3), o += 3;
            break;
        }
        if (o + n + 4 >= cap) break;
        for (size_t i = 0; i < n; i++) {
            if (!p[i]) {
                n = i;
                break;
            }
            out[o + i] = (p[i] == '\n' || p[i] == '\r') ? ' ' : (char)p[i];
        }
        if (n == 0) break;
        o += n;
        p += n;
        chars++;
    }
    out[o] = '\0';
}

static const char *last_user_text(json_t *req)
{
    json_t *msgs = json_object_get(req, "messages");
    for (size_t i = json_array_size(msgs); i > 0; i--) {
        json_t *m = json_array_get(msgs, i - 1);
        json_t *c = json_object_get(m, "content");
        const char *role = json_string_value(json_object_get(m, "role"));
        if (role && strcmp(role, "user") == 0 && json_is_string(c)) return json_string_value(c);
    }
    return "";
}

char *edge_demo_reply(const char *request_json, size_t len)
{
    json_error_t jerr;
    json_t *req = json_loadb(request_json ? request_json : "", request_json ? len : 0, 0, &jerr);
    const char *text = last_user_text(req);
    char snip[SNIPPET_CHARS * 4 + 8];
    unsigned long h = 5381;
    const char *tpl;
    char *out;
    int n;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) h = h * 33 + *p;
    snippet(text, snip, sizeof(snip));
    if (!snip[0]) snprintf(snip, sizeof(snip), "…");
    tpl = has_cyrillic(text) ? ru_templates[h % 3] : en_templates[h % 3];
    n = snprintf(NULL, 0, tpl, snip);
    out = malloc((size_t)n + 1); /* caller frees */
    if (out) snprintf(out, (size_t)n + 1, tpl, snip);
    json_decref(req);
    return out;
}

size_t edge_demo_next_piece(const char *text, size_t len, size_t pos)
{
    size_t i = pos;
    if (pos >= len) return 0;
    while (i < len && text[i] != ' ') i++;
    while (i < len && text[i] == ' ') i++;
    return i - pos; /* ends at a space or the end: never inside a UTF-8 sequence */
}
