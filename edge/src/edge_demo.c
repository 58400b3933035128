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

/* ---- round-table turns ---- */

enum { PERSONA_OPTIMIST, PERSONA_SKEPTIC, PERSONA_PRAGMATIST, PERSONA_HISTORIAN, PERSONAS };
#define OPENERS 5
#define ASPECTS 7

/* %s: the topic. Five per persona, one per round (mod 5). */
static const char *const ru_openers[PERSONAS][OPENERS] = {
    {"Я смотрю на тему «%s» с надеждой: здесь больше возможностей, чем кажется.",
     "Продолжу оптимистично: «%s» — это шанс, а не угроза.",
     "Вернусь к теме «%s»: хорошие примеры уже есть, и их становится больше.",
     "Ещё раз о «%s»: если действовать постепенно, выигрывают почти все.",
     "Подводя итог по теме «%s», я всё так же уверен в хорошем исходе."},
    {"Тема «%s» звучит заманчиво, но я сомневаюсь в лёгких ответах.",
     "Снова о «%s»: где доказательства, а не только обещания?",
     "По теме «%s» я вижу издержки, о которых обычно молчат.",
     "«%s» — вопрос, в котором цена ошибки выше, чем выгода от спешки.",
     "И в конце о «%s»: осторожность здесь не пессимизм, а здравый смысл."},
    {"Давайте приземлим тему «%s»: что можно сделать уже завтра?",
     "По «%s» предлагаю считать: затраты, сроки, ответственные.",
     "Тема «%s» решается маленькими шагами, а не манифестами.",
     "Для «%s» нужен план с проверкой результата через месяц.",
     "Итог по «%s»: выбрать один шаг и измерить, сработал ли он."},
    {"У темы «%s» есть история: похожие споры уже случались.",
     "Если вспомнить прошлое, «%s» повторяет знакомый сюжет.",
     "История подсказывает про «%s»: перемены идут медленнее прогнозов.",
     "В «%s» прошлые ошибки видны лучше всего задним числом.",
     "Напоследок о «%s»: уроки истории стоит читать до конца."},
};
static const char *const en_openers[PERSONAS][OPENERS] = {
    {"I look at \"%s\" with hope: there are more opportunities here than it seems.",
     "Staying optimistic: \"%s\" is a chance, not a threat.",
     "Back to \"%s\": good examples exist already, and there are more every year.",
     "Once more on \"%s\": done step by step, almost everyone gains.",
     "Summing up \"%s\", I still expect a good outcome."},
    {"\"%s\" sounds tempting, but I doubt the easy answers.",
     "Again on \"%s\": where is the evidence, not just the promises?",
     "On \"%s\" I see costs that people rarely mention.",
     "\"%s\" is a question where a mistake costs more than haste gains.",
     "Finally on \"%s\": caution here is common sense, not pessimism."},
    {"Let's make \"%s\" concrete: what can be done tomorrow?",
     "On \"%s\" I suggest we count: costs, deadlines, owners.",
     "\"%s\" is solved by small steps, not manifestos.",
     "\"%s\" needs a plan with a check of the results in a month.",
     "My conclusion on \"%s\": pick one step and measure whether it worked."},
    {"\"%s\" has a history: similar debates have happened before.",
     "Looking back, \"%s\" repeats a familiar story.",
     "History says about \"%s\": change comes slower than forecasts.",
     "In \"%s\" past mistakes are clearest in hindsight.",
     "Lastly on \"%s\": the lessons of history are worth reading to the end."},
};
/* %s: the previous speaker's words. */
static const char *const ru_reacts[PERSONAS] = {
    "Отвечу на слова «%s»: в них есть зерно, и его можно вырастить.",
    "На довод «%s» возражу: он опирается на допущения.",
    "Из слов «%s» я бы взял то, что можно проверить на практике.",
    "Слова «%s» напоминают мне давние споры с похожим финалом.",
};
static const char *const en_reacts[PERSONAS] = {
    "To \"%s\" I reply: there is a seed in it worth growing.",
    "I object to \"%s\": it rests on assumptions.",
    "From \"%s\" I would take what can be tested in practice.",
    "\"%s\" reminds me of old debates with a similar ending.",
};
static const char *const ru_aspects[ASPECTS] = {"Подумаем о людях",
                                                "Посмотрим на деньги",
                                                "Учтём время",
                                                "Не забудем о рисках",
                                                "Вспомним об обучении",
                                                "Взглянем на технологии",
                                                "Спросим мнение тех, кого это касается"};
static const char *const en_aspects[ASPECTS] = {
    "Think of the people", "Look at the money",      "Consider the timing", "Mind the risks",
    "Remember learning",   "Look at the technology", "Ask those it affects"};

static int persona_of(const char *speaker)
{
    unsigned long h = 5381;
    if (!speaker) speaker = "";
    if (strstr(speaker, "Оптимист") || strstr(speaker, "ptimist")) return PERSONA_OPTIMIST;
    if (strstr(speaker, "Скептик") || strstr(speaker, "keptic") || strstr(speaker, "ceptic"))
        return PERSONA_SKEPTIC;
    if (strstr(speaker, "Прагматик") || strstr(speaker, "ragmatist")) return PERSONA_PRAGMATIST;
    for (const unsigned char *p = (const unsigned char *)speaker; *p; p++) h = h * 33 + *p;
    return (int)(h % PERSONAS);
}

/* The first user message (the topic) and the last user message after it (the previous
 * speaker's turn, "<speaker>: <text>"), or NULL. */
static void turn_context(json_t *req, const char **topic, const char **prev)
{
    json_t *msgs = json_object_get(req, "messages");
    size_t first = (size_t)-1;
    *topic = *prev = NULL;
    for (size_t i = 0; i < json_array_size(msgs); i++) {
        json_t *m = json_array_get(msgs, i);
        const char *role = json_string_value(json_object_get(m, "role"));
        const char *c = json_string_value(json_object_get(m, "content"));
        if (!role || !c || strcmp(role, "user") != 0) continue;
        if (first == (size_t)-1) {
            first = i;
            *topic = c;
        } else {
            *prev = c;
        }
    }
}

/* Skips a leading "[демо] " / "[demo] " label and a topic prefix ("Тема: ", "Topic: "). */
static const char *strip_prefix(const char *s)
{
    static const char *const pre[] = {
        "[демо] ", "[demo] ", "Тема: ", "Topic: ", "Тема обсуждения: ", NULL};
    for (int again = 1; again;) {
        again = 0;
        for (const char *const *p = pre; *p; p++)
            if (strncmp(s, *p, strlen(*p)) == 0) {
                s += strlen(*p);
                again = 1;
            }
    }
    return s;
}

static char *append(char *out, size_t *len, const char *fmt, const char *arg)
{
    int n = snprintf(NULL, 0, fmt, arg);
    char *p = n >= 0 ? realloc(out, *len + (size_t)n + 1) : NULL;
    if (!p) {
        free(out);
        return NULL;
    }
    snprintf(p + *len, (size_t)n + 1, fmt, arg);
    *len += (size_t)n;
    return p;
}

char *edge_demo_turn_reply(const char *request_json, size_t len, const char *speaker, int round)
{
    json_error_t jerr;
    json_t *req = json_loadb(request_json ? request_json : "", request_json ? len : 0, 0, &jerr);
    const char *topic, *prev;
    char tsnip[SNIPPET_CHARS * 4 + 8], psnip[SNIPPET_CHARS * 4 + 8];
    int persona = persona_of(speaker);
    unsigned r = round > 0 ? (unsigned)(round - 1) : 0;
    size_t n = 0;
    char *out = NULL;
    turn_context(req, &topic, &prev);
    snippet(strip_prefix(topic ? topic : ""), tsnip, sizeof(tsnip));
    if (!tsnip[0]) snprintf(tsnip, sizeof(tsnip), "…");
    int ru = has_cyrillic(tsnip);
    out = append(out, &n, "%s", ru ? "[демо] " : "[demo] ");
    if (out && speaker && (strcmp(speaker, "Итог") == 0 || strcmp(speaker, "Summary") == 0)) {
        /* the closing summary, or the summary of older rounds that replaces them in context */
        out = append(out, &n,
                     ru ? "Итог обсуждения темы «%s»: участники сошлись в том, что вопрос "
                          "важен, но разошлись в оценке рисков и выгод; решать стоит по шагам, "
                          "проверяя результат."
                        : "Summary of the debate on \"%s\": the participants agreed the question "
                          "matters but disagreed on its risks and benefits; decide step by step "
                          "and check the results.",
                     tsnip);
        json_decref(req);
        return out;
    }
    if (out)
        out =
            append(out, &n,
                   ru ? ru_openers[persona][r % OPENERS] : en_openers[persona][r % OPENERS], tsnip);
    if (out && prev) {
        /* "<speaker>: <text>": the words, without the name and the other's demo label */
        const char *colon = strstr(prev, ": ");
        snippet(strip_prefix(colon ? colon + 2 : prev), psnip, sizeof(psnip));
        if (psnip[0]) {
            out = append(out, &n, "%s", " ");
            if (out) out = append(out, &n, ru ? ru_reacts[persona] : en_reacts[persona], psnip);
        }
    } else if (out) {
        out = append(out, &n, "%s", ru ? " Я открываю обсуждение." : " I open the debate.");
    }
    if (out)
        out = append(out, &n, " %s",
                     ru ? ru_aspects[(r * 3 + (unsigned)persona) % ASPECTS]
                        : en_aspects[(r * 3 + (unsigned)persona) % ASPECTS]);
    if (out) {
        char tail[48];
        snprintf(tail, sizeof(tail), ru ? " (раунд %d)." : " (round %d).", round > 0 ? round : 1);
        out = append(out, &n, "%s", tail);
    }
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
