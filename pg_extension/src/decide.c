/*
 * decide.c
 *	  The decision pipeline of rt.ingest: for each newly stored incoming message, in order,
 *	  moderation, playbooks, mention detection and the auto-reply decision; edits are only
 *	  moderated.  Effects are rows in rt.outbox (telegram.delete, telegram.send, llm.reply) and
 *	  rt.notifications, written in ingest's transaction (docs/decisions/008).
 *
 * The common message costs no SQL at all: mention detection reads the update's JSON in C,
 * the chat's switches are read once per chat per batch, and moderation and playbooks run only
 * when enabled rules exist, through the matcher's C entry points (moderation.h, playbook.h).
 * The rare paths (a rule hit, a reply to queue) are SQL helpers from sql/base/70_decide.sql
 * called through kept plans.
 *
 * The round table (sql/base/84_route.sql): after moderation and before playbooks,
 * a command of ours, a menu button's label, or any message to a chat with a session goes to
 * rt._roundtable_route; a consumed message ends its decision.  Commands and labels are
 * recognised in C; a chat's session is looked up only when some chat has one (read once per
 * batch), so the common message still costs no SQL.
 */
#include "postgres.h"

#include <errno.h>
#include <stdlib.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/resowner.h"

#include "decide.h"
#include "moderation.h"
#include "playbook.h"

PG_FUNCTION_INFO_V1(detect_mention);

/* bytes of the message text quoted in a notification */
#define NOTIFICATION_SNIPPET_BYTES 200

typedef enum DecidePlan
{
	DPLAN_CONFIG,
	DPLAN_CHAT,
	DPLAN_MUTED,
	DPLAN_MODERATE,
	DPLAN_PLAYBOOKS,
	DPLAN_NOTIFY,
	DPLAN_REPLY,
	DPLAN_REPLY_DEFAULTS,
	DPLAN_ERROR,
	DPLAN_RT_CONFIG,
	DPLAN_RT_CHAT,
	DPLAN_ROUTE,
	DPLAN_COUNT
} DecidePlan;

/* rt._reply_context($1 chat, $2 up to message, $6 count), inline (see DPLAN_REPLY) */
#define CONTEXT_SQL                                                                                \
	"(SELECT coalesce(jsonb_agg(x.j ORDER BY x.id), '[]') FROM (SELECT m.id, "                     \
	"jsonb_build_object('role', CASE WHEN m.direction = 'out' THEN 'assistant' ELSE 'user' "       \
	"END, 'name', CASE WHEN m.direction = 'out' THEN m.author_type ELSE coalesce(u.first_name, "   \
	"u.username, 'user ' || m.user_id, 'channel') END, 'text', m.text) AS j "                      \
	"FROM rt.messages m LEFT JOIN rt.users u ON u.id = m.user_id "                                 \
	"WHERE m.chat_id = $1 AND m.id <= $2 AND m.kind IN ('text', 'caption') "                       \
	"AND m.moderation IS DISTINCT FROM 'hidden' AND m.moderation IS DISTINCT FROM 'deleted' "      \
	"ORDER BY m.id DESC LIMIT greatest($6, 0)) x)"

typedef struct DecidePlanDef
{
	const char *sql;
	int nargs;
	Oid argtypes[8];
} DecidePlanDef;

static const DecidePlanDef dplan_defs[DPLAN_COUNT] = {
	[DPLAN_CONFIG] = {"SELECT bot_username, bot_id, context_messages, moderation, playbooks, "
					  "resolver FROM rt._decide_config()",
					  0,
					  {0}},
	[DPLAN_CHAT] = {"SELECT type, autoreply, reply_on_mention, "
					"coalesce(takeover_until > now(), false) FROM rt.chats WHERE id = $1",
					1,
					{INT8OID}},
	[DPLAN_MUTED] = {"SELECT muted FROM rt.users WHERE id = $1", 1, {INT8OID}},
	[DPLAN_MODERATE] = {"SELECT rt._decide_moderation($1, $2, $3, $4, $5, $6)",
						6,
						{INT8OID, TIMESTAMPTZOID, INT8OID, INT8OID, TEXTOID, JSONBOID}},
	[DPLAN_PLAYBOOKS] = {"SELECT rt._decide_playbooks($1, $2, $3, $4)",
						 4,
						 {INT8OID, INT8OID, INT8OID, JSONBOID}},
	[DPLAN_NOTIFY] = {"INSERT INTO rt.notifications (kind, chat_id, message_pk, payload) "
					  "VALUES ('mention', $1, $2, $3) RETURNING id",
					  3,
					  {INT8OID, INT8OID, JSONBOID}},
	/*
	 * the context query is spelled out here rather than calling rt._reply_context: a SQL
	 * function is planned again on every call, and planning over every partition of
	 * rt.messages costs more than the whole reply; this plan is kept
	 */
	[DPLAN_REPLY] = {"INSERT INTO rt.outbox (kind, payload) SELECT 'llm.reply', "
					 "jsonb_build_object('chat_id', $1, 'message_pk', $2, "
					 "'reply_to_message_id', $3, 'user_id', $4, "
					 "'params', rt.resolve_params($1, $4, now(), $5), 'context', " CONTEXT_SQL ")",
					 6,
					 {INT8OID, INT8OID, INT8OID, INT8OID, JSONBOID, INT4OID}},
	[DPLAN_REPLY_DEFAULTS] = {"INSERT INTO rt.outbox (kind, payload) SELECT 'llm.reply', "
							  "jsonb_build_object('chat_id', $1, 'message_pk', $2, "
							  "'reply_to_message_id', $3, 'user_id', $4, "
							  "'params', rt._default_params($5), 'context', " CONTEXT_SQL ")",
							  6,
							  {INT8OID, INT8OID, INT8OID, INT8OID, JSONBOID, INT4OID}},
	[DPLAN_ERROR] = {"INSERT INTO rt.notifications (kind, payload) VALUES ('error', $1) "
					 "RETURNING id",
					 1,
					 {JSONBOID}},
	/* the round table (0.5.0): only prepared when rt._roundtable_route is installed */
	[DPLAN_RT_CONFIG] = {"SELECT buttons, sessions FROM rt._roundtable_decide_config()", 0, {0}},
	[DPLAN_RT_CHAT] = {"SELECT type, autoreply, reply_on_mention, "
					   "coalesce(takeover_until > now(), false), session_id IS NOT NULL "
					   "FROM rt.chats WHERE id = $1",
					   1,
					   {INT8OID}},
	[DPLAN_ROUTE] = {"SELECT rt._roundtable_route($1, $2, $3, $4, $5, $6)",
					 6,
					 {INT8OID, INT8OID, INT8OID, INT8OID, TEXTOID, TEXTOID}},
};

/* the commands rt._roundtable_route answers (sql/base/84_route.sql) */
static const char *const roundtable_commands[] = {"start", "new", "stop", "donate", "help"};

/* prepared on first use (some need objects of other parts), kept across calls */
static SPIPlanPtr dplans[DPLAN_COUNT];

struct DecidePending
{
	int64 message_pk;
	TimestampTz created_at;
	int64 chat_id;
	int64 message_id;
	bool has_user;
	int64 user_id;
	bool private_chat;
	bool answerable; /* text or caption from a human: playbooks and replies apply */
	bool is_edit;
	char *text;
	char *chat_type;
	MentionKind mention;
};

typedef struct ChatState
{
	int64 chat_id;
	bool loaded;
	bool exists;
	bool autoreply;
	bool reply_on_mention;
	bool takeover;
	bool has_session; /* chats.session_id is set (the round table) */
} ChatState;

static SPIPlanPtr
GetPlan(DecidePlan which)
{
	if (dplans[which] == NULL)
	{
		SPIPlanPtr plan = SPI_prepare(dplan_defs[which].sql, dplan_defs[which].nargs,
									  (Oid *) dplan_defs[which].argtypes);

		if (plan == NULL)
			elog(ERROR, "rt.ingest decide: SPI_prepare failed: %s",
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "rt.ingest decide: SPI_keepplan failed");
		dplans[which] = plan;
	}
	return dplans[which];
}

static void
RunPlan(DecidePlan which, Datum *values, const char *nulls, long count)
{
	int rc = SPI_execute_plan(GetPlan(which), values, nulls, false, count);

	if (rc < 0)
		elog(ERROR, "rt.ingest decide: SPI_execute_plan failed: %s", SPI_result_code_string(rc));
}

static Datum
ResultValue(int col, bool *isnull)
{
	if (SPI_processed == 0)
	{
		*isnull = true;
		return (Datum) 0;
	}
	return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, isnull);
}

static void
ListPush(MemoryContext cxt, DecideList *list, int64 value)
{
	if (list->len == list->cap)
	{
		list->cap = list->cap == 0 ? 16 : list->cap * 2;
		if (list->items == NULL)
			list->items = MemoryContextAlloc(cxt, sizeof(int64) * list->cap);
		else
			list->items = repalloc(list->items, sizeof(int64) * list->cap);
	}
	list->items[list->len++] = value;
}

/* ---- mention detection (pure C) ------------------------------------------ */

const char *
MentionKindName(MentionKind kind)
{
	switch (kind)
	{
		case MENTION_USERNAME:
			return "username";
		case MENTION_REPLY:
			return "reply";
		case MENTION_TEXT_MENTION:
			return "text_mention";
		case MENTION_COMMAND:
			return "command";
		case MENTION_NONE:
			break;
	}
	return NULL;
}

static JsonbValue *
Field(JsonbContainer *obj, const char *key, JsonbValue *buf)
{
	JsonbValue *v;

	if (obj == NULL || !JsonContainerIsObject(obj))
		return NULL;
	v = getKeyJsonValueFromContainer(obj, key, strlen(key), buf);
	if (v == NULL || v->type == jbvNull)
		return NULL;
	return v;
}

static JsonbContainer *
ObjectField(JsonbContainer *obj, const char *key, bool array)
{
	JsonbValue buf;
	JsonbValue *v = Field(obj, key, &buf);

	if (v == NULL || v->type != jbvBinary)
		return NULL;
	if (array ? !JsonContainerIsArray(v->val.binary.data)
			  : !JsonContainerIsObject(v->val.binary.data))
		return NULL;
	return v->val.binary.data;
}

static bool
IntField(JsonbContainer *obj, const char *key, int64 *out)
{
	JsonbValue buf;
	JsonbValue *v = Field(obj, key, &buf);
	char *digits;
	char *end;
	long long value;

	if (v == NULL || v->type != jbvNumeric)
		return false;
	/* a fractional or out-of-range number is no id or offset: ignored, never an error */
	digits = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	errno = 0;
	value = strtoll(digits, &end, 10);
	if (errno != 0 || end == digits || *end != '\0')
		return false;
	*out = (int64) value;
	return true;
}

/* a string field as pointer + length into the jsonb (not terminated) */
static bool
StringField(JsonbContainer *obj, const char *key, const char **s, int *len)
{
	JsonbValue buf;
	JsonbValue *v = Field(obj, key, &buf);

	if (v == NULL || v->type != jbvString)
		return false;
	*s = v->val.string.val;
	*len = v->val.string.len;
	return true;
}

/*
 * Telegram gives entity offsets and lengths in UTF-16 code units; finds the byte range of
 * [off16, off16 + len16) in UTF-8 text, false when it lies outside.
 */
static bool
Utf16Slice(const char *s, int len, int64 off16, int64 len16, int *start, int *end)
{
	int64 units = 0;
	int i = 0;

	*start = -1;
	if (off16 < 0 || len16 < 0)
		return false;
	for (;;)
	{
		int clen;

		if (units == off16 && *start < 0)
			*start = i;
		if (units == off16 + len16 && *start >= 0)
		{
			*end = i;
			return true;
		}
		if (i >= len || units > off16 + len16)
			return false;
		clen = pg_utf_mblen((const unsigned char *) s + i);
		units += clen == 4 ? 2 : 1;
		i += clen;
	}
}

static bool
SameName(const char *a, int alen, const char *b)
{
	return b != NULL && alen == (int) strlen(b) && pg_strncasecmp(a, b, alen) == 0;
}

static bool
IsWordByte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* "/cmd", "/cmd@name": does it address this bot */
static bool
CommandCounts(const char *s, int len, bool private_chat, const char *bot_username)
{
	const char *at = memchr(s, '@', len);

	if (private_chat || at == NULL)
		return true;
	return SameName(at + 1, len - (int) (at + 1 - s), bot_username);
}

/* without entities (simulator, hand-made updates): "@name" as a word, or a leading "/" */
static MentionKind
ScanPlainText(const char *text, bool private_chat, const char *bot_username)
{
	int len = strlen(text);
	int ulen = bot_username ? strlen(bot_username) : 0;

	if (len > 1 && text[0] == '/' && IsWordByte((unsigned char) text[1]))
	{
		int n = 1;

		while (n < len && (IsWordByte((unsigned char) text[n]) || text[n] == '@'))
			n++;
		if (CommandCounts(text, n, private_chat, bot_username))
			return MENTION_COMMAND;
	}
	if (ulen == 0)
		return MENTION_NONE;
	for (int i = 0; i + ulen < len; i++)
	{
		if (text[i] == '@' && (i == 0 || !IsWordByte((unsigned char) text[i - 1])) &&
			pg_strncasecmp(text + i + 1, bot_username, ulen) == 0 &&
			(i + 1 + ulen == len || !IsWordByte((unsigned char) text[i + 1 + ulen])))
			return MENTION_USERNAME;
	}
	return MENTION_NONE;
}

MentionKind
DetectMention(JsonbContainer *message, const char *text, bool private_chat,
			  const char *bot_username, bool has_bot_id, int64 bot_id)
{
	JsonbContainer *reply = ObjectField(message, "reply_to_message", false);
	JsonbContainer *entities;
	int textlen = text ? strlen(text) : 0;

	/* a reply to one of the bot's messages */
	if (reply != NULL)
	{
		JsonbContainer *from = ObjectField(reply, "from", false);
		int64 id;
		const char *name;
		int namelen;

		if (from != NULL && has_bot_id && IntField(from, "id", &id) && id == bot_id)
			return MENTION_REPLY;
		if (from != NULL && !has_bot_id && StringField(from, "username", &name, &namelen) &&
			SameName(name, namelen, bot_username))
			return MENTION_REPLY;
	}

	entities = ObjectField(message, "entities", true);
	if (entities == NULL)
		entities = ObjectField(message, "caption_entities", true);
	if (entities == NULL)
		return text ? ScanPlainText(text, private_chat, bot_username) : MENTION_NONE;

	for (int i = 0; i < (int) JsonContainerSize(entities); i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(entities, i);
		JsonbContainer *ent;
		const char *type;
		int typelen;
		int64 off16 = 0;
		int64 len16 = 0;
		int start;
		int end;

		if (e->type != jbvBinary || !JsonContainerIsObject(e->val.binary.data))
			continue;
		ent = e->val.binary.data;
		if (!StringField(ent, "type", &type, &typelen))
			continue;
		if (typelen == 12 && strncmp(type, "text_mention", 12) == 0)
		{
			JsonbContainer *user = ObjectField(ent, "user", false);
			int64 id;

			if (has_bot_id && user != NULL && IntField(user, "id", &id) && id == bot_id)
				return MENTION_TEXT_MENTION;
			continue;
		}
		if (text == NULL || !IntField(ent, "offset", &off16) || !IntField(ent, "length", &len16) ||
			!Utf16Slice(text, textlen, off16, len16, &start, &end) || end - start < 2)
			continue;
		if (typelen == 7 && strncmp(type, "mention", 7) == 0)
		{
			if (text[start] == '@' && SameName(text + start + 1, end - start - 1, bot_username))
				return MENTION_USERNAME;
		}
		else if (typelen == 11 && strncmp(type, "bot_command", 11) == 0)
		{
			if (text[start] == '/' &&
				CommandCounts(text + start, end - start, private_chat, bot_username))
				return MENTION_COMMAND;
		}
	}
	return MENTION_NONE;
}

/*
 * rt.detect_mention(message jsonb, chat_type text, bot_username text, bot_id bigint) → text:
 * the mention kind (username, reply, text_mention, command) or null; for tests and the UI.
 */
Datum
detect_mention(PG_FUNCTION_ARGS)
{
	Jsonb *message;
	const char *chat_type;
	char *username = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	JsonbValue buf;
	JsonbValue *t;
	char *msgtext = NULL;
	MentionKind kind;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	message = PG_GETARG_JSONB_P(0);
	chat_type = text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (!JB_ROOT_IS_OBJECT(message))
		ereport(ERROR, errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				errmsg("message must be a json object"));
	t = Field(&message->root, "text", &buf);
	if (t == NULL)
		t = Field(&message->root, "caption", &buf);
	if (t != NULL && t->type == jbvString)
		msgtext = pnstrdup(t->val.string.val, t->val.string.len);
	kind = DetectMention(&message->root, msgtext, strcmp(chat_type, "private") == 0, username,
						 !PG_ARGISNULL(3), PG_ARGISNULL(3) ? 0 : PG_GETARG_INT64(3));
	if (kind == MENTION_NONE)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(MentionKindName(kind)));
}

/* ---- the round table ----------------------------------------------------- */

/*
 * Is rt._roundtable_route(bigint, bigint, bigint, bigint, text, text) installed?  The library
 * may be newer than the extension's SQL in a database not yet updated (ALTER EXTENSION UPDATE):
 * then there is no round table to route to.  A catalog lookup, no SQL.
 */
static bool
RoundtableInstalled(void)
{
	Oid argtypes[6] = {INT8OID, INT8OID, INT8OID, INT8OID, TEXTOID, TEXTOID};
	List *name = list_make1(makeString(pstrdup("rt")));

	name = lappend(name, makeString(pstrdup("_roundtable_route")));
	return OidIsValid(LookupFuncName(name, 6, argtypes, true));
}

static void
LoadRoundtableConfig(DecideBatch *d)
{
	bool isnull;
	Datum v;

	d->roundtable = RoundtableInstalled();
	if (!d->roundtable)
		return;
	RunPlan(DPLAN_RT_CONFIG, NULL, NULL, 1);
	v = ResultValue(1, &isnull);
	if (!isnull)
	{
		ArrayType *arr = DatumGetArrayTypeP(v);
		Datum *elems;
		bool *elemnulls;
		int n;

		deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &elemnulls, &n);
		for (int i = 0; i < n && i < 3; i++)
			if (!elemnulls[i])
				d->rt_buttons[i] = MemoryContextStrdup(d->cxt, TextDatumGetCString(elems[i]));
	}
	v = ResultValue(2, &isnull);
	d->rt_sessions = !isnull && DatumGetBool(v);
	SPI_freetuptable(SPI_tuptable);
}

/*
 * "/start", "/new", "/stop", "/donate", "/help" at the very start of the text, optionally
 * "@<the bot's username>" (case-insensitive), then the end or a blank: the same rule as
 * rt._roundtable_command.  A command addressed to another bot is not ours.
 */
static bool
IsRoundtableCommand(const char *text, const char *bot_username)
{
	int n = 1;

	if (text[0] != '/')
		return false;
	while (IsWordByte((unsigned char) text[n]))
		n++;
	if (n == 1)
		return false;
	for (int i = 0; i < (int) lengthof(roundtable_commands); i++)
	{
		if (SameName(text + 1, n - 1, roundtable_commands[i]))
		{
			if (text[n] == '@')
			{
				int m = n + 1;

				while (IsWordByte((unsigned char) text[m]))
					m++;
				if (m == n + 1 || !SameName(text + n + 1, m - n - 1, bot_username))
					return false;
				n = m;
			}
			return text[n] == '\0' || text[n] == ' ' || text[n] == '\t' || text[n] == '\n' ||
				   text[n] == '\r';
		}
	}
	return false;
}

static bool
IsMenuButton(const DecideBatch *d, const char *text)
{
	for (int i = 0; i < 3; i++)
		if (d->rt_buttons[i] != NULL && strcmp(text, d->rt_buttons[i]) == 0)
			return true;
	return false;
}

/* ---- the batch ----------------------------------------------------------- */

DecideBatch *
DecideBegin(MemoryContext cxt)
{
	DecideBatch *d = MemoryContextAllocZero(cxt, sizeof(DecideBatch));
	HASHCTL ctl;
	bool isnull;
	Datum v;

	d->cxt = cxt;
	RunPlan(DPLAN_CONFIG, NULL, NULL, 1);
	v = ResultValue(1, &isnull);
	if (!isnull)
		d->bot_username = MemoryContextStrdup(cxt, TextDatumGetCString(v));
	v = ResultValue(2, &isnull);
	d->has_bot_id = !isnull;
	d->bot_id = isnull ? 0 : DatumGetInt64(v);
	v = ResultValue(3, &isnull);
	d->context_messages = isnull ? 20 : DatumGetInt32(v);
	v = ResultValue(4, &isnull);
	d->moderation = !isnull && DatumGetBool(v);
	v = ResultValue(5, &isnull);
	d->playbooks = !isnull && DatumGetBool(v);
	v = ResultValue(6, &isnull);
	d->resolver = !isnull && DatumGetBool(v);
	SPI_freetuptable(SPI_tuptable);
	LoadRoundtableConfig(d);

	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(ChatState);
	ctl.hcxt = cxt;
	d->chats =
		hash_create("rt.ingest decide chats", 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	return d;
}

void
DecideCollect(DecideBatch *d, const DecideInput *in)
{
	DecidePending *p;
	bool textual =
		in->text != NULL && (strcmp(in->kind, "text") == 0 || strcmp(in->kind, "caption") == 0);

	/* nothing to moderate, nothing to answer: service messages, media, bots' own posts */
	if (!textual || (in->from_bot && !d->moderation))
		return;
	if (in->is_edit && !d->moderation)
		return;

	if (d->npending == d->cappending)
	{
		d->cappending = d->cappending == 0 ? 64 : d->cappending * 2;
		if (d->pending == NULL)
			d->pending = MemoryContextAlloc(d->cxt, sizeof(DecidePending) * d->cappending);
		else
			d->pending = repalloc(d->pending, sizeof(DecidePending) * d->cappending);
	}
	/* filled in completely before it counts: detection must not leave half an entry */
	p = &d->pending[d->npending];
	p->message_pk = in->message_pk;
	p->created_at = in->created_at;
	p->chat_id = in->chat_id;
	p->message_id = in->message_id;
	p->has_user = in->has_user;
	p->user_id = in->user_id;
	p->private_chat = strcmp(in->chat_type, "private") == 0;
	p->answerable = !in->from_bot;
	p->is_edit = in->is_edit;
	p->text = MemoryContextStrdup(d->cxt, in->text);
	p->chat_type = MemoryContextStrdup(d->cxt, in->chat_type ? in->chat_type : "");
	p->mention = (in->is_edit || in->from_bot)
					 ? MENTION_NONE
					 : DetectMention(in->message, in->text, p->private_chat, d->bot_username,
									 d->has_bot_id, d->bot_id);
	d->npending++;
}

/* the batch's writes were rolled back (ingest's fast path gave up): collect again */
void
DecideForget(DecideBatch *d)
{
	d->npending = 0;
}

/* ,"notifications":[ids] for the rt_events payload; the SPA refetches beyond the first 200 */
void
DecideAppendNotifications(DecideBatch *d, StringInfo buf)
{
	if (d->notifications.len == 0)
		return;
	appendStringInfoString(buf, ",\"notifications\":[");
	for (int i = 0; i < Min(d->notifications.len, 200); i++)
		appendStringInfo(buf, "%s" INT64_FORMAT, i > 0 ? "," : "", d->notifications.items[i]);
	appendStringInfoChar(buf, ']');
}

static ChatState *
LoadChat(DecideBatch *d, int64 chat_id)
{
	bool found;
	ChatState *c = hash_search(d->chats, &chat_id, HASH_ENTER, &found);

	if (!found || !c->loaded)
	{
		Datum values[1] = {Int64GetDatum(chat_id)};
		bool isnull;

		RunPlan(d->roundtable ? DPLAN_RT_CHAT : DPLAN_CHAT, values, NULL, 1);
		c->loaded = true;
		c->exists = SPI_processed == 1;
		c->autoreply = c->exists && DatumGetBool(ResultValue(2, &isnull));
		c->reply_on_mention = c->exists && DatumGetBool(ResultValue(3, &isnull));
		c->takeover = c->exists && DatumGetBool(ResultValue(4, &isnull));
		c->has_session = c->exists && d->roundtable && DatumGetBool(ResultValue(5, &isnull));
		SPI_freetuptable(SPI_tuptable);
	}
	return c;
}

static bool
UserMuted(const DecidePending *p)
{
	Datum values[1];
	bool isnull;
	bool muted;

	if (!p->has_user)
		return false;
	values[0] = Int64GetDatum(p->user_id);
	RunPlan(DPLAN_MUTED, values, NULL, 1);
	muted = SPI_processed == 1 && DatumGetBool(ResultValue(1, &isnull)) && !isnull;
	SPI_freetuptable(SPI_tuptable);
	return muted;
}

static Jsonb *
JsonbFromCString(const char *s)
{
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(s)));
}

static Jsonb *
ResultJsonb(int col)
{
	bool isnull;
	Datum v = ResultValue(col, &isnull);

	return isnull ? NULL : DatumGetJsonbPCopy(v);
}

static bool
JsonbBool(Jsonb *j, const char *key)
{
	JsonbValue buf;
	JsonbValue *v = j ? Field(&j->root, key, &buf) : NULL;

	return v != NULL && v->type == jbvBool && v->val.boolean;
}

static int64
JsonbInt(Jsonb *j, const char *key)
{
	int64 out = 0;

	if (j != NULL)
		IntField(&j->root, key, &out);
	return out;
}

/* appends the ids of the jsonb array at key to list */
static void
JsonbIds(DecideBatch *d, Jsonb *j, const char *key, DecideList *list)
{
	JsonbContainer *arr = j ? ObjectField(&j->root, key, true) : NULL;

	if (arr == NULL)
		return;
	for (int i = 0; i < (int) JsonContainerSize(arr); i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(arr, i);

		if (e->type == jbvNumeric)
			ListPush(
				d->cxt, list,
				DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(e->val.numeric))));
	}
}

static void
AppendSnippet(StringInfo buf, const char *text)
{
	int len = strlen(text);
	int clip = pg_mbcliplen(text, len, NOTIFICATION_SNIPPET_BYTES);
	char *snippet = pnstrdup(text, clip);

	escape_json(buf, snippet);
	pfree(snippet);
}

static void
NotifyMention(DecideBatch *d, const DecidePending *p, const char *reason)
{
	StringInfoData payload;
	Datum values[3];
	bool isnull;
	Datum id;

	initStringInfo(&payload);
	appendStringInfo(&payload,
					 "{\"mention\":\"%s\",\"reason\":\"%s\",\"message_id\":" INT64_FORMAT
					 ",\"user_id\":",
					 MentionKindName(p->mention), reason, p->message_id);
	if (p->has_user)
		appendStringInfo(&payload, INT64_FORMAT, p->user_id);
	else
		appendStringInfoString(&payload, "null");
	appendStringInfoString(&payload, ",\"text\":");
	AppendSnippet(&payload, p->text);
	appendStringInfoChar(&payload, '}');

	values[0] = Int64GetDatum(p->chat_id);
	values[1] = Int64GetDatum(p->message_pk);
	values[2] = JsonbPGetDatum(JsonbFromCString(payload.data));
	RunPlan(DPLAN_NOTIFY, values, NULL, 1);
	id = ResultValue(1, &isnull);
	if (!isnull)
		ListPush(d->cxt, &d->notifications, DatumGetInt64(id));
	SPI_freetuptable(SPI_tuptable);
}

static void
QueueReply(DecideBatch *d, const DecidePending *p, Jsonb *override)
{
	Datum values[6];
	char nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};

	values[0] = Int64GetDatum(p->chat_id);
	values[1] = Int64GetDatum(p->message_pk);
	values[2] = Int64GetDatum(p->message_id);
	values[3] = Int64GetDatum(p->user_id);
	nulls[3] = p->has_user ? ' ' : 'n';
	values[4] = override ? JsonbPGetDatum(override) : (Datum) 0;
	nulls[4] = override ? ' ' : 'n';
	values[5] = Int32GetDatum(d->context_messages);
	RunPlan(d->resolver ? DPLAN_REPLY : DPLAN_REPLY_DEFAULTS, values, nulls, 0);
	d->jobs += SPI_processed;
}

/* the moderation verdict as rt.moderation_verdict spells it, or NULL when no rule hit */
static Jsonb *
ModerationVerdict(const DecidePending *p)
{
	RtVerdict v;
	StringInfoData buf;

	RtModerationVerdict(p->chat_id, true, p->text, strlen(p->text), &v);
	if (v.action == RT_ACTION_NONE && v.nlabels == 0)
		return NULL;
	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"labels\":[");
	for (int i = 0; i < v.nlabels; i++)
	{
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		escape_json(&buf, v.labels[i]);
	}
	appendStringInfoString(&buf, "],\"action\":");
	if (v.action == RT_ACTION_NONE)
		appendStringInfoString(&buf, "null");
	else
		escape_json(&buf, RtActionName(v.action));
	appendStringInfoString(&buf, ",\"rule_ids\":[");
	for (int i = 0; i < v.nrules; i++)
		appendStringInfo(&buf, "%s" INT64_FORMAT, i > 0 ? "," : "", v.rules[i]->id);
	appendStringInfoString(&buf, "]}");
	return JsonbFromCString(buf.data);
}

/* the rows of rt.playbook_matches as a jsonb array, or NULL when none fires */
static Jsonb *
PlaybookMatches(const DecidePending *p)
{
	const RtRule **hits;
	int n = RtPlaybookMatches(p->chat_id, true, p->text, strlen(p->text), &hits);
	StringInfoData buf;

	if (n == 0)
		return NULL;
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	for (int i = 0; i < n; i++)
	{
		const RtRule *r = hits[i];

		appendStringInfo(
			&buf, "%s{\"playbook_id\":" INT64_FORMAT ",\"preset_id\":", i > 0 ? "," : "", r->id);
		if (r->has_preset)
			appendStringInfo(&buf, INT64_FORMAT, r->preset_id);
		else
			appendStringInfoString(&buf, "null");
		appendStringInfoString(&buf, ",\"preset_hours\":");
		if (r->has_hours)
			appendStringInfoString(
				&buf, DatumGetCString(DirectFunctionCall1(numeric_out, r->preset_hours)));
		else
			appendStringInfoString(&buf, "null");
		appendStringInfoString(&buf, ",\"reply_text\":");
		if (r->reply_text != NULL)
			escape_json(&buf, r->reply_text);
		else
			appendStringInfoString(&buf, "null");
		appendStringInfo(&buf, ",\"stop\":%s}", r->stop ? "true" : "false");
	}
	appendStringInfoChar(&buf, ']');
	return JsonbFromCString(buf.data);
}

/*
 * The round table: a command of ours, a menu button, or a message to a chat with a session
 * goes to rt._roundtable_route.  Returns whether it consumed the message (the decision ends).
 */
static bool
RouteRoundtable(DecideBatch *d, const DecidePending *p)
{
	Datum values[6];
	char nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
	Jsonb *r;
	ChatState *c;

	if (!IsRoundtableCommand(p->text, d->bot_username) && !IsMenuButton(d, p->text) &&
		!(d->rt_sessions && LoadChat(d, p->chat_id)->has_session))
		return false;
	values[0] = Int64GetDatum(p->chat_id);
	values[1] = Int64GetDatum(p->user_id);
	nulls[1] = p->has_user ? ' ' : 'n';
	values[2] = Int64GetDatum(p->message_pk);
	values[3] = Int64GetDatum(p->message_id);
	values[4] = CStringGetTextDatum(p->text);
	values[5] = CStringGetTextDatum(p->chat_type);
	RunPlan(DPLAN_ROUTE, values, nulls, 1);
	r = ResultJsonb(1);
	SPI_freetuptable(SPI_tuptable);
	d->jobs += JsonbInt(r, "jobs");
	JsonbIds(d, r, "out_messages", &d->out_messages);
	JsonbIds(d, r, "notifications", &d->notifications);
	/* it may have opened or ended the chat's session: the next message reads the chat again */
	c = hash_search(d->chats, &p->chat_id, HASH_FIND, NULL);
	if (c != NULL)
		c->loaded = false;
	d->rt_sessions = true;
	return JsonbBool(r, "consumed");
}

static void
DecideOne(DecideBatch *d, const DecidePending *p)
{
	Jsonb *override = NULL;
	bool fixed_reply = false;
	ChatState *chat;
	bool want;
	const char *blocked = NULL;

	/* 1. moderation: labels, action; hide and delete end the decision */
	if (d->moderation)
	{
		Jsonb *verdict = ModerationVerdict(p);

		if (verdict != NULL)
		{
			Datum values[6];
			Jsonb *r;

			values[0] = Int64GetDatum(p->message_pk);
			values[1] = TimestampTzGetDatum(p->created_at);
			values[2] = Int64GetDatum(p->chat_id);
			values[3] = Int64GetDatum(p->message_id);
			values[4] = CStringGetTextDatum(p->text);
			values[5] = JsonbPGetDatum(verdict);
			RunPlan(DPLAN_MODERATE, values, NULL, 1);
			r = ResultJsonb(1);
			SPI_freetuptable(SPI_tuptable);
			d->jobs += JsonbInt(r, "jobs");
			JsonbIds(d, r, "notifications", &d->notifications);
			if (JsonbBool(r, "stop"))
				return;
		}
	}
	if (p->is_edit || !p->answerable)
		return;

	/* 1b. the round table: commands, menu buttons, the topic, interjections */
	if (d->roundtable && RouteRoundtable(d, p))
		return;

	/* 2. playbooks by priority: bindings, a one-reply override, fixed replies, stop */
	if (d->playbooks)
	{
		Jsonb *matches = PlaybookMatches(p);

		if (matches != NULL)
		{
			Datum values[4];
			Jsonb *r;
			JsonbValue buf;
			JsonbValue *ov;

			values[0] = Int64GetDatum(p->chat_id);
			values[1] = Int64GetDatum(p->message_pk);
			values[2] = Int64GetDatum(p->message_id);
			values[3] = JsonbPGetDatum(matches);
			RunPlan(DPLAN_PLAYBOOKS, values, NULL, 1);
			r = ResultJsonb(1);
			SPI_freetuptable(SPI_tuptable);
			d->jobs += JsonbInt(r, "jobs");
			JsonbIds(d, r, "out_messages", &d->out_messages);
			fixed_reply = JsonbBool(r, "replied");
			ov = r ? Field(&r->root, "override", &buf) : NULL;
			if (ov != NULL && ov->type == jbvBinary)
				override = JsonbValueToJsonb(ov);
		}
	}

	/* 3. mention (detected at collect time); 4. the decision */
	if (!p->private_chat && p->mention == MENTION_NONE)
		return; /* a group message not addressed to the bot: nothing to decide */
	chat = LoadChat(d, p->chat_id);
	if (p->private_chat)
		want = chat->autoreply;
	else
		want = chat->autoreply && chat->reply_on_mention;
	if (!chat->autoreply)
		blocked = "autoreply_off";
	else if (!want)
		blocked = "reply_on_mention_off";
	else if (chat->takeover)
		blocked = "takeover";
	else if (fixed_reply)
		blocked = "fixed_reply";
	else if (UserMuted(p))
		blocked = "muted";

	if (blocked == NULL)
	{
		QueueReply(d, p, override);
		return;
	}
	/* an unanswered mention goes to the admins, unless the bot did answer or must ignore */
	if (p->mention != MENTION_NONE && strcmp(blocked, "fixed_reply") != 0 &&
		strcmp(blocked, "muted") != 0)
		NotifyMention(d, p, blocked);
}

static bool
IsTransient(int sqlerrcode)
{
	int category = ERRCODE_TO_CATEGORY(sqlerrcode);

	return category == ERRCODE_TO_CATEGORY(ERRCODE_T_R_SERIALIZATION_FAILURE) ||
		   category == ERRCODE_TO_CATEGORY(ERRCODE_INSUFFICIENT_RESOURCES) ||
		   category == ERRCODE_TO_CATEGORY(ERRCODE_OPERATOR_INTERVENTION) ||
		   category == ERRCODE_TO_CATEGORY(ERRCODE_SYSTEM_ERROR) ||
		   sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE || sqlerrcode == ERRCODE_QUERY_CANCELED;
}

static void
RecordFailure(DecideBatch *d, ErrorData *edata)
{
	StringInfoData payload;
	Datum values[1];
	bool isnull;
	Datum id;

	d->failure = MemoryContextStrdup(d->cxt, edata->message ? edata->message : "unknown error");
	initStringInfo(&payload);
	appendStringInfoString(&payload, "{\"source\":\"rt.ingest\",\"error\":");
	escape_json(&payload, d->failure);
	appendStringInfo(&payload, ",\"sqlstate\":\"%s\",\"messages\":%d}",
					 unpack_sql_state(edata->sqlerrcode), d->npending);
	values[0] = JsonbPGetDatum(JsonbFromCString(payload.data));
	RunPlan(DPLAN_ERROR, values, NULL, 1);
	id = ResultValue(1, &isnull);
	if (!isnull)
		ListPush(d->cxt, &d->notifications, DatumGetInt64(id));
	SPI_freetuptable(SPI_tuptable);
}

/*
 * Decides for every collected message.  The phase runs in one subtransaction: a failure
 * (a broken rule, a bug) rolls back the decisions only, never the stored messages, and leaves
 * an "error" notification instead.  Errors a retry may cure are re-raised like ingest's own.
 */
void
DecideRun(DecideBatch *d)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	MemoryContext loopcxt;

	if (d->npending == 0)
		return;
	loopcxt = AllocSetContextCreate(d->cxt, "rt.ingest decide", ALLOCSET_DEFAULT_SIZES);
	BeginInternalSubTransaction(NULL);
	PG_TRY();
	{
		for (int i = 0; i < d->npending; i++)
		{
			CHECK_FOR_INTERRUPTS();
			MemoryContextSwitchTo(loopcxt);
			DecideOne(d, &d->pending[i]);
			MemoryContextReset(loopcxt);
		}
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData *edata;

		MemoryContextSwitchTo(d->cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		if (IsTransient(edata->sqlerrcode))
			ReThrowError(edata);
		d->jobs = 0;
		d->notifications.len = 0;
		d->out_messages.len = 0;
		RecordFailure(d, edata);
	}
	PG_END_TRY();
	MemoryContextDelete(loopcxt);
}

void
DecideFinish(DecideBatch *d)
{
	if (d->jobs > 0)
	{
		char payload[64];

		snprintf(payload, sizeof(payload), "{\"jobs\":" INT64_FORMAT "}", d->jobs);
		Async_Notify(RT_OUTBOX_CHANNEL, payload);
	}
}
