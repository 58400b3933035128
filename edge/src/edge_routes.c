/* Every /api route as data, declared here and nowhere else: a route is added by adding a row
 * (after adding it to openapi/openapi.yaml). Most rows are one SQL function call with typed
 * parameters; the few that need more name their handler in edge_api.c. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "edge_routes.h"

#define LIMIT(maxv)                                                                               \
    {                                                                                             \
        .name = "limit", .kind = EDGE_QP_INT, .has_min = 1, .has_max = 1, .min = 1, .max = (maxv) \
    }
#define CURSOR                                                   \
    {                                                            \
        .name = "cursor", .kind = EDGE_QP_STRING, .max_len = 200 \
    }
#define QTEXT                                               \
    {                                                       \
        .name = "q", .kind = EDGE_QP_STRING, .max_len = 200 \
    }
#define END_QP       \
    {                \
        .name = NULL \
    }

static const edge_qp_def q_search[] = {QTEXT, CURSOR, LIMIT(200), END_QP};
static const edge_qp_def q_chats[] = {
    QTEXT,
    {.name = "type", .kind = EDGE_QP_ENUM, .values = "private|group"},
    {.name = "autoreply", .kind = EDGE_QP_BOOL},
    {.name = "unread", .kind = EDGE_QP_BOOL},
    {.name = "mentions", .kind = EDGE_QP_BOOL},
    {.name = "flagged", .kind = EDGE_QP_BOOL},
    {.name = "roundtable", .kind = EDGE_QP_BOOL},
    CURSOR,
    LIMIT(200),
    END_QP};
static const edge_qp_def q_users[] = {
    QTEXT, {.name = "chat_id", .kind = EDGE_QP_INT}, CURSOR, LIMIT(200), END_QP};
static const edge_qp_def q_export[] = {{.name = "ids", .kind = EDGE_QP_INT_LIST}, END_QP};
static const edge_qp_def q_import[] = {
    {.name = "on_conflict", .kind = EDGE_QP_ENUM, .values = "error|skip|rename|overwrite"}, END_QP};
static const edge_qp_def q_bindings[] = {
    {.name = "scope", .kind = EDGE_QP_ENUM, .values = "global|chat|user|chat_user"},
    {.name = "chat_id", .kind = EDGE_QP_INT},
    {.name = "user_id", .kind = EDGE_QP_INT},
    {.name = "preset_id", .kind = EDGE_QP_INT},
    {.name = "active", .kind = EDGE_QP_BOOL},
    CURSOR,
    LIMIT(200),
    END_QP};
static const edge_qp_def q_notifications[] = {
    {.name = "unacked", .kind = EDGE_QP_BOOL},
    {.name = "kind", .kind = EDGE_QP_ENUM, .values = "mention|error|delivery_failed|moderation"},
    CURSOR,
    LIMIT(200),
    END_QP};
static const edge_qp_def q_providers[] = {
    QTEXT, {.name = "enabled", .kind = EDGE_QP_BOOL}, CURSOR, LIMIT(200), END_QP};
static const edge_qp_def q_sessions[] = {
    {.name = "status",
     .kind = EDGE_QP_ENUM,
     .values = "awaiting_topic|running|finished|stopped|failed"},
    {.name = "chat_id", .kind = EDGE_QP_INT},
    QTEXT,
    CURSOR,
    LIMIT(200),
    END_QP};
static const edge_qp_def q_jobs[] = {
    {.name = "state", .kind = EDGE_QP_ENUM, .values = "pending|dead|done"},
    {.name = "kind",
     .kind = EDGE_QP_ENUM,
     .values = "llm.reply|llm.draft|llm.turn|telegram.send|telegram.delete"},
    CURSOR,
    LIMIT(200),
    END_QP};
static const edge_qp_def q_usage[] = {
    {.name = "group_by", .kind = EDGE_QP_ENUM, .values = "day|provider|chat|user|session"},
    {.name = "from", .kind = EDGE_QP_DATETIME, .max_len = 64},
    {.name = "to", .kind = EDGE_QP_DATETIME, .max_len = 64},
    END_QP};
static const edge_qp_def q_audit[] = {{.name = "actor", .kind = EDGE_QP_STRING, .max_len = 200},
                                      {.name = "action", .kind = EDGE_QP_STRING, .max_len = 200},
                                      {.name = "target", .kind = EDGE_QP_STRING, .max_len = 200},
                                      {.name = "from", .kind = EDGE_QP_DATETIME, .max_len = 64},
                                      {.name = "to", .kind = EDGE_QP_DATETIME, .max_len = 64},
                                      CURSOR,
                                      LIMIT(200),
                                      END_QP};

#define A(...)                    \
    {                             \
        __VA_ARGS__, EDGE_ARG_END \
    }
#define NOARGS       \
    {                \
        EDGE_ARG_END \
    }
#define W EDGE_RT_CSRF

/* Literal paths before {id} ones with the same prefix is not required (matching prefers
 * literals), but keeps the table readable. */
const edge_api_route edge_api_routes[] = {
    /* session: login is the one route answered without a session (and so without CSRF) */
    {"POST", "/api/auth/login", "login", "SELECT rt.admin_login($1, $2)", NOARGS, NULL, 200,
     EDGE_RT_NO_SESSION, EDGE_HANDLER_LOGIN, edge_schema_login},
    {"POST", "/api/auth/logout", "logout", NULL, NOARGS, NULL, 204, W, EDGE_HANDLER_LOGOUT, NULL},
    {"GET", "/api/auth/me", "getMe", "SELECT rt.admin_get($1::bigint)", NOARGS, NULL, 200, 0,
     EDGE_HANDLER_ME, NULL},
    /* the served contract (edge_apidocs.c): any role; the session is checked by the database */
    {"GET", "/api/openapi.yaml", "getOpenApiSpec", "SELECT rt.admin_get($1::bigint)", NOARGS, NULL,
     200, 0, EDGE_HANDLER_API_SPEC, NULL},
    {"GET", "/api/docs", "getApiDocs", "SELECT rt.admin_get($1::bigint)", NOARGS, NULL, 200, 0,
     EDGE_HANDLER_API_DOCS, NULL},
    /* history: chats and messages, each with its own query parser (edge_json.c) */
    {"GET", "/api/chats", "listChats", "SELECT rt.list_chats($1::jsonb)", A(EDGE_ARG_FILTER),
     q_chats, 200, 0, EDGE_HANDLER_SQL, NULL},
    {"GET", "/api/messages", "listMessages", "SELECT rt.list_messages($1::jsonb)", NOARGS, NULL,
     200, 0, EDGE_HANDLER_LIST_MESSAGES, NULL},
    /* the chat simulator (off when a bot token is configured): an Update into {rt}:in */
    {"POST", "/api/simulator/messages", "simulateMessage", "SELECT rt.sim_next_id()", NOARGS, NULL,
     202, W, EDGE_HANDLER_SIMULATE, edge_schema_sim_message},
    /* Telegram's webhook: no session; X-Telegram-Bot-Api-Secret-Token is the credential */
    {"POST", "/api/telegram/webhook", "telegramWebhook", NULL, NOARGS, NULL, 200,
     EDGE_RT_NO_SESSION | EDGE_RT_RAW_BODY, EDGE_HANDLER_TG_WEBHOOK, NULL},
    /* presets */
    {"GET", "/api/presets", "listPresets", "SELECT rt.list_presets($1::jsonb)", A(EDGE_ARG_FILTER),
     q_search, 200, 0, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/presets", "createPreset", "SELECT rt.create_preset($1::jsonb)", A(EDGE_ARG_BODY),
     NULL, 201, W, EDGE_HANDLER_SQL, NULL},
    {"GET", "/api/presets/export", "exportPresets", "SELECT rt.export_presets($1::jsonb)",
     A(EDGE_ARG_FILTER), q_export, 200, EDGE_RT_ATTACHMENT, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/presets/import", "importPresets", "SELECT rt.import_presets($1::jsonb, $2)",
     A(EDGE_ARG_BODY, EDGE_ARG_ON_CONFLICT), q_import, 200, W, EDGE_HANDLER_SQL, NULL},
    {"GET", "/api/presets/{id}", "getPreset", "SELECT rt.get_preset($1::bigint)", A(EDGE_ARG_ID),
     NULL, 200, 0, EDGE_HANDLER_SQL, NULL},
    {"PUT", "/api/presets/{id}", "updatePreset", "SELECT rt.update_preset($1::bigint, $2::jsonb)",
     A(EDGE_ARG_ID, EDGE_ARG_BODY), NULL, 200, W, EDGE_HANDLER_SQL, NULL},
    {"DELETE", "/api/presets/{id}", "deletePreset", "SELECT rt.delete_preset($1::bigint)",
     A(EDGE_ARG_ID), NULL, 204, W, EDGE_HANDLER_SQL, NULL},
    /* bindings, explain */
    {"GET", "/api/bindings", "listBindings", "SELECT rt.list_bindings($1::jsonb)",
     A(EDGE_ARG_FILTER), q_bindings, 200, 0, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/bindings", "createBinding", "SELECT rt.create_binding($1::jsonb)",
     A(EDGE_ARG_BODY), NULL, 201, W, EDGE_HANDLER_SQL, NULL},
    {"DELETE", "/api/bindings/{id}", "deleteBinding", "SELECT rt.delete_binding($1::bigint)",
     A(EDGE_ARG_ID), NULL, 204, W, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/params/explain", "explainParams", "SELECT rt.explain_params($1::jsonb)",
     A(EDGE_ARG_BODY), NULL, 200, W, EDGE_HANDLER_SQL, NULL},
    /* chat and user switches, sending by hand */
    {"PATCH", "/api/chats/{id}", "updateChat", "SELECT rt.update_chat($1::bigint, $2::jsonb)",
     A(EDGE_ARG_ID, EDGE_ARG_BODY), NULL, 200, W, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/chats/{id}/takeover", "takeoverChat",
     "SELECT rt.takeover_chat($1::bigint, $2::jsonb)", A(EDGE_ARG_ID, EDGE_ARG_BODY), NULL, 200,
     W | EDGE_RT_BODY_OPTIONAL, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/chats/{id}/read", "markChatRead", "SELECT rt.mark_chat_read($1::bigint)",
     A(EDGE_ARG_ID), NULL, 204, W, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/chats/{id}/resume", "resumeChat", "SELECT rt.resume_chat($1::bigint)",
     A(EDGE_ARG_ID), NULL, 200, W, EDGE_HANDLER_SQL, NULL},
    {"GET", "/api/users", "listUsers", "SELECT rt.list_users($1::jsonb)", A(EDGE_ARG_FILTER),
     q_users, 200, 0, EDGE_HANDLER_SQL, NULL},
    {"PATCH", "/api/users/{id}", "updateUser", "SELECT rt.update_user($1::bigint, $2::jsonb)",
     A(EDGE_ARG_ID, EDGE_ARG_BODY), NULL, 200, W, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/messages", "sendMessage", "SELECT rt.send_message($1::jsonb)", A(EDGE_ARG_BODY),
     NULL, 202, W, EDGE_HANDLER_SQL, NULL},
    /* moderation of single messages, rule testing */
    {"POST", "/api/messages/{id}/flag", "flagMessage",
     "SELECT rt.flag_message($1::bigint, $2::jsonb)", A(EDGE_ARG_ID, EDGE_ARG_BODY), NULL, 200,
     W | EDGE_RT_BODY_OPTIONAL, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/messages/{id}/unflag", "unflagMessage", "SELECT rt.unflag_message($1::bigint)",
     A(EDGE_ARG_ID), NULL, 200, W, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/messages/{id}/delete", "deleteMessage", "SELECT rt.delete_message($1::bigint)",
     A(EDGE_ARG_ID), NULL, 200, W, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/rules/test", "testRules", "SELECT rt.test_rules($1::jsonb)", A(EDGE_ARG_BODY),
     NULL, 200, W, EDGE_HANDLER_SQL, NULL},
    /* playbooks */
    {"GET", "/api/playbooks", "listPlaybooks", "SELECT rt.list_playbooks($1::jsonb)",
     A(EDGE_ARG_FILTER), q_search, 200, 0, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/playbooks", "createPlaybook", "SELECT rt.create_playbook($1::jsonb)",
     A(EDGE_ARG_BODY), NULL, 201, W, EDGE_HANDLER_SQL, NULL},
    {"GET", "/api/playbooks/{id}", "getPlaybook", "SELECT rt.get_playbook($1::bigint)",
     A(EDGE_ARG_ID), NULL, 200, 0, EDGE_HANDLER_SQL, NULL},
    {"PUT", "/api/playbooks/{id}", "updatePlaybook",
     "SELECT rt.update_playbook($1::bigint, $2::jsonb)", A(EDGE_ARG_ID, EDGE_ARG_BODY), NULL, 200,
     W, EDGE_HANDLER_SQL, NULL},
    {"DELETE", "/api/playbooks/{id}", "deletePlaybook", "SELECT rt.delete_playbook($1::bigint)",
     A(EDGE_ARG_ID), NULL, 204, W, EDGE_HANDLER_SQL, NULL},
    /* moderation rules */
    {"GET", "/api/moderation/rules", "listModerationRules",
     "SELECT rt.list_moderation_rules($1::jsonb)", A(EDGE_ARG_FILTER), q_search, 200, 0,
     EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/moderation/rules", "createModerationRule",
     "SELECT rt.create_moderation_rule($1::jsonb)", A(EDGE_ARG_BODY), NULL, 201, W,
     EDGE_HANDLER_SQL, NULL},
    {"GET", "/api/moderation/rules/{id}", "getModerationRule",
     "SELECT rt.get_moderation_rule($1::bigint)", A(EDGE_ARG_ID), NULL, 200, 0, EDGE_HANDLER_SQL,
     NULL},
    {"PUT", "/api/moderation/rules/{id}", "updateModerationRule",
     "SELECT rt.update_moderation_rule($1::bigint, $2::jsonb)", A(EDGE_ARG_ID, EDGE_ARG_BODY), NULL,
     200, W, EDGE_HANDLER_SQL, NULL},
    {"DELETE", "/api/moderation/rules/{id}", "deleteModerationRule",
     "SELECT rt.delete_moderation_rule($1::bigint)", A(EDGE_ARG_ID), NULL, 204, W, EDGE_HANDLER_SQL,
     NULL},
    /* notifications, audit */
    {"GET", "/api/notifications", "listNotifications", "SELECT rt.list_notifications($1::jsonb)",
     A(EDGE_ARG_FILTER), q_notifications, 200, 0, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/notifications/ack", "ackAllNotifications", "SELECT rt.ack_all_notifications()",
     NOARGS, NULL, 200, W, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/notifications/{id}/ack", "ackNotification",
     "SELECT rt.ack_notification($1::bigint)", A(EDGE_ARG_ID), NULL, 200, W, EDGE_HANDLER_SQL,
     NULL},
    {"GET", "/api/audit", "listAudit", "SELECT rt.list_audit($1::jsonb)", A(EDGE_ARG_FILTER),
     q_audit, 200, 0, EDGE_HANDLER_SQL, NULL},
    /* admins, settings */
    {"GET", "/api/admins", "listAdmins", "SELECT rt.list_admins()", NOARGS, NULL, 200, 0,
     EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/admins", "createAdmin", "SELECT rt.create_admin_api($1::jsonb)",
     A(EDGE_ARG_BODY), NULL, 201, W, EDGE_HANDLER_SQL, NULL},
    {"PATCH", "/api/admins/{id}", "updateAdmin", "SELECT rt.update_admin($1::bigint, $2::jsonb)",
     A(EDGE_ARG_ID, EDGE_ARG_BODY), NULL, 200, W, EDGE_HANDLER_SQL, NULL},
    {"GET", "/api/settings", "listSettings", "SELECT rt.list_settings()", NOARGS, NULL, 200, 0,
     EDGE_HANDLER_SQL, NULL},
    {"PUT", "/api/settings/{key}", "updateSetting", "SELECT rt.update_setting($1, $2::jsonb)",
     A(EDGE_ARG_KEY, EDGE_ARG_BODY), NULL, 200, W, EDGE_HANDLER_SQL, NULL},
    /* LLM providers: the edge seals "api_key" with Fernet before SQL sees the body */
    {"GET", "/api/providers", "listProviders", "SELECT rt.list_providers($1::jsonb)",
     A(EDGE_ARG_FILTER), q_providers, 200, 0, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/providers", "createProvider", "SELECT rt.create_provider($1::jsonb)",
     A(EDGE_ARG_BODY), NULL, 201, W | EDGE_RT_SEAL_KEY, EDGE_HANDLER_SQL, NULL},
    {"GET", "/api/providers/{id}", "getProvider", "SELECT rt.get_provider($1::bigint)",
     A(EDGE_ARG_ID), NULL, 200, 0, EDGE_HANDLER_SQL, NULL},
    {"PUT", "/api/providers/{id}", "updateProvider",
     "SELECT rt.update_provider($1::bigint, $2::jsonb)", A(EDGE_ARG_ID, EDGE_ARG_BODY), NULL, 200,
     W | EDGE_RT_SEAL_KEY, EDGE_HANDLER_SQL, NULL},
    {"DELETE", "/api/providers/{id}", "deleteProvider", "SELECT rt.delete_provider($1::bigint)",
     A(EDGE_ARG_ID), NULL, 204, W, EDGE_HANDLER_SQL, NULL},
    {"PUT", "/api/providers/order", "reorderProviders", "SELECT rt.reorder_providers($1::jsonb)",
     A(EDGE_ARG_BODY), NULL, 200, W, EDGE_HANDLER_SQL, NULL},
    /* edge_provtest.c reads the provider (rt.provider_test_target checks the admin role), then
     * calls it once */
    {"POST", "/api/providers/{id}/test", "testProvider", NULL, NOARGS, NULL, 200, W,
     EDGE_HANDLER_PROVIDER_TEST, NULL},
    /* tokens and cost of the model calls, grouped (the console's Usage screen) */
    {"GET", "/api/usage", "getUsage", "SELECT rt.usage_report($1::jsonb)", A(EDGE_ARG_FILTER),
     q_usage, 200, 0, EDGE_HANDLER_SQL, NULL},
    /* the round table: sessions (debates in turns) and the personalities providers speak as */
    {"GET", "/api/sessions", "listSessions", "SELECT rt.list_sessions($1::jsonb)",
     A(EDGE_ARG_FILTER), q_sessions, 200, 0, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/sessions", "createSession", "SELECT rt.create_session($1::jsonb)",
     A(EDGE_ARG_BODY), NULL, 201, W, EDGE_HANDLER_SQL, NULL},
    {"GET", "/api/sessions/{id}", "getSession", "SELECT rt.get_session($1::bigint)", A(EDGE_ARG_ID),
     NULL, 200, 0, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/sessions/{id}/start", "startSession",
     "SELECT rt.start_session($1::bigint, $2::jsonb)", A(EDGE_ARG_ID, EDGE_ARG_BODY), NULL, 200,
     W | EDGE_RT_BODY_OPTIONAL, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/sessions/{id}/stop", "stopSession", "SELECT rt.stop_session($1::bigint)",
     A(EDGE_ARG_ID), NULL, 200, W, EDGE_HANDLER_SQL, NULL},
    {"GET", "/api/personalities", "listPersonalities", "SELECT rt.list_personalities($1::jsonb)",
     A(EDGE_ARG_FILTER), q_search, 200, 0, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/personalities", "createPersonality", "SELECT rt.create_personality($1::jsonb)",
     A(EDGE_ARG_BODY), NULL, 201, W, EDGE_HANDLER_SQL, NULL},
    {"GET", "/api/personalities/{id}", "getPersonality", "SELECT rt.get_personality($1::bigint)",
     A(EDGE_ARG_ID), NULL, 200, 0, EDGE_HANDLER_SQL, NULL},
    {"PATCH", "/api/personalities/{id}", "updatePersonality",
     "SELECT rt.update_personality($1::bigint, $2::jsonb)", A(EDGE_ARG_ID, EDGE_ARG_BODY), NULL,
     200, W, EDGE_HANDLER_SQL, NULL},
    {"DELETE", "/api/personalities/{id}", "deletePersonality",
     "SELECT rt.delete_personality($1::bigint)", A(EDGE_ARG_ID), NULL, 204, W, EDGE_HANDLER_SQL,
     NULL},
    /* the outbox as admins see it: dead letters, retry, discard */
    {"GET", "/api/jobs", "listJobs", "SELECT rt.list_jobs($1::jsonb)", A(EDGE_ARG_FILTER), q_jobs,
     200, 0, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/jobs/{id}/retry", "retryJob", "SELECT rt.retry_job($1::bigint)", A(EDGE_ARG_ID),
     NULL, 200, W, EDGE_HANDLER_SQL, NULL},
    {"POST", "/api/jobs/{id}/discard", "discardJob", "SELECT rt.discard_job($1::bigint)",
     A(EDGE_ARG_ID), NULL, 200, W, EDGE_HANDLER_SQL, NULL},
    /* reply as bot: a model draft the admin edits before sending */
    {"POST", "/api/chats/{id}/draft", "createDraft",
     "SELECT rt.create_draft($1::bigint, $2::jsonb)", A(EDGE_ARG_ID, EDGE_ARG_BODY), NULL, 202,
     W | EDGE_RT_BODY_OPTIONAL, EDGE_HANDLER_SQL, NULL},
    {"GET", "/api/drafts/{id}", "getDraft", "SELECT rt.get_draft($1::bigint)", A(EDGE_ARG_ID), NULL,
     200, 0, EDGE_HANDLER_SQL, NULL},
};

const size_t edge_api_nroutes = sizeof(edge_api_routes) / sizeof(edge_api_routes[0]);

static int pattern_is_literal(const char *pattern)
{
    return strchr(pattern, '{') == NULL;
}

/* Matches path against pattern segment by segment; a "{...}" segment takes any non-empty
 * segment, copied to param. */
static int pattern_match(const char *pattern, const char *path, char *param, size_t param_len)
{
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p == '{') {
            const char *pend = strchr(p, '}');
            size_t n = strcspn(s, "/");
            if (!pend || n == 0) return 0;
            if (param) snprintf(param, param_len, "%.*s", (int)n, s);
            p = pend + 1;
            s += n;
            continue;
        }
        if (*p != *s) return 0;
        p++;
        s++;
    }
    return *p == '\0' && *s == '\0';
}

static void allow_add(char *allow, size_t allow_len, const char *method)
{
    size_t n = strlen(allow);
    if (strstr(allow, method)) return;
    snprintf(allow + n, allow_len - n, "%s%s", n ? ", " : "", method);
}

int edge_routes_match(const char *method, const char *path, const edge_api_route **route,
                      char *param, size_t param_len, char *allow, size_t allow_len)
{
    const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
    *route = NULL;
    if (param_len) param[0] = '\0';
    if (allow_len) allow[0] = '\0';
    /* Pass 0: literal patterns; pass 1 (only when no literal path matched): {id}/{key}. */
    for (int pass = 0; pass < 2; pass++) {
        int path_known = 0;
        for (size_t i = 0; i < edge_api_nroutes; i++) {
            const edge_api_route *rt = &edge_api_routes[i];
            if (pattern_is_literal(rt->pattern) != (pass == 0)) continue;
            if (!pattern_match(rt->pattern, path, NULL, 0)) continue;
            path_known = 1;
            allow_add(allow, allow_len, rt->method);
            if (strcmp(rt->method, want) == 0 && !*route) *route = rt;
        }
        if (*route) {
            if (param_len) pattern_match((*route)->pattern, path, param, param_len);
            return 0;
        }
        if (path_known) return 405;
    }
    return 404;
}

int edge_route_takes_body(const edge_api_route *rt)
{
    if (rt->body || (rt->flags & EDGE_RT_RAW_BODY)) return 1;
    for (const edge_arg_kind *a = rt->args; *a != EDGE_ARG_END; a++)
        if (*a == EDGE_ARG_BODY) return 1;
    return 0;
}

static void set_err(edge_verr *e, int status, const char *field, const char *detail)
{
    e->status = status;
    snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
    snprintf(e->detail, sizeof(e->detail), "%s", detail);
}

/* Any int64: Telegram group chat ids are negative; unknown ids are the database's 404. */
static int valid_id(const char *s)
{
    long long v;
    return edge_parse_int64(s, &v) == 0;
}

static int valid_key(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64) return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_' || *s == '.'))
            return 0;
    return 1;
}

static const char *query_value(const edge_query *q, const char *name)
{
    for (size_t i = 0; i < q->n; i++)
        if (strcmp(q->p[i].name, name) == 0) return q->p[i].value;
    return NULL;
}

static char *body_arg(const edge_api_route *rt, const char *content_type, const char *body,
                      size_t body_len, edge_verr *e)
{
    if (body_len == 0 && (rt->flags & EDGE_RT_BODY_OPTIONAL)) return strdup("{}");
    if (!edge_content_type_is_json(content_type)) {
        set_err(e, 415, NULL, "Content-Type must be application/json");
        return NULL;
    }
    json_t *j = edge_json_parse_body(body ? body : "", body_len, e);
    if (!j) return NULL;
    json_decref(j);
    /* The text as sent (valid UTF-8, one JSON object): PostgreSQL parses it again as jsonb. */
    char *copy = malloc(body_len + 1);
    if (!copy) {
        set_err(e, 500, NULL, "out of memory");
        return NULL;
    }
    memcpy(copy, body, body_len);
    copy[body_len] = '\0';
    return copy;
}

int edge_route_build_args(const edge_api_route *rt, const char *param, const edge_query *q,
                          const char *content_type, const char *body, size_t body_len,
                          edge_route_args *out, edge_verr *e)
{
    static const edge_qp_def none[] = {{.name = NULL}};
    memset(out, 0, sizeof(*out));
    /* Query parameters are checked for every route, also those that take none. */
    json_t *filter = edge_query_filter(q, rt->query ? rt->query : none, e);
    if (!filter) return -1;
    for (const edge_arg_kind *a = rt->args; *a != EDGE_ARG_END; a++) {
        char *v = NULL;
        switch (*a) {
        case EDGE_ARG_ID:
            if (!valid_id(param)) {
                set_err(e, 400, "id", "id must be an integer");
                goto err;
            }
            v = strdup(param);
            break;
        case EDGE_ARG_KEY:
            if (!valid_key(param)) {
                set_err(e, 400, "key", "key must be 1-64 characters of a-z, 0-9, '_' and '.'");
                goto err;
            }
            v = strdup(param);
            break;
        case EDGE_ARG_FILTER:
            v = json_dumps(filter, JSON_COMPACT);
            break;
        case EDGE_ARG_ON_CONFLICT: {
            const char *c = query_value(q, "on_conflict");
            v = strdup(c ? c : "error");
            break;
        }
        case EDGE_ARG_BODY:
            v = body_arg(rt, content_type, body, body_len, e);
            if (!v) goto err;
            break;
        case EDGE_ARG_END:
            break;
        }
        if (!v) {
            set_err(e, 500, NULL, "out of memory");
            goto err;
        }
        out->v[out->n++] = v;
    }
    json_decref(filter);
    return 0;
err:
    json_decref(filter);
    edge_route_args_free(out);
    return -1;
}

void edge_route_args_free(edge_route_args *a)
{
    for (int i = 0; i < a->n; i++) free(a->v[i]);
    a->n = 0;
}
