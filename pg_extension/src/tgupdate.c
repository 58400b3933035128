/*
 * tgupdate.c
 *	  The parsing phase of rt.ingest: one Telegram Update read into a TgUpdate and checked,
 *	  with no SPI and no writes (see tgupdate.h for the phase split).
 *
 * Errors name the field at fault ("field \"message.chat.id\" must be an integer"); rt.ingest
 * turns them into the update's rt.ingest_rejects row and the result's "errors".
 */
#include "postgres.h"

#include <errno.h>
#include <stdlib.h>

#include "access/xact.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "roundtable.h"
#include "tgupdate.h"

/* latest Telegram "date" accepted: 9999-12-31, keeps timestamp arithmetic in range */
#define MAX_UNIX_SECONDS INT64CONST(253402300799)
/* longest unsupported update type name echoed back in an error */
#define MAX_TYPE_NAME_BYTES 64
/* bytes of a pinned message quoted in the service text */
#define PINNED_SNIPPET_BYTES 100

const char *const tg_message_types[TG_MESSAGE_TYPES] = {"message", "edited_message", "channel_post",
														"edited_channel_post"};

typedef struct ServiceText
{
	const char *key;
	const char *text;
} ServiceText;

/* service messages whose text needs no data from the message */
static const ServiceText service_texts[] = {
	{"new_chat_photo", "chat photo changed"},
	{"delete_chat_photo", "chat photo removed"},
	{"group_chat_created", "group created"},
	{"supergroup_chat_created", "supergroup created"},
	{"channel_chat_created", "channel created"},
	{"message_auto_delete_timer_changed", "auto-delete timer changed"},
	{"forum_topic_created", "forum topic created"},
	{"forum_topic_edited", "forum topic edited"},
	{"forum_topic_closed", "forum topic closed"},
	{"forum_topic_reopened", "forum topic reopened"},
	{"general_forum_topic_hidden", "general forum topic hidden"},
	{"general_forum_topic_unhidden", "general forum topic shown"},
	{"video_chat_scheduled", "video chat scheduled"},
	{"video_chat_started", "video chat started"},
	{"video_chat_ended", "video chat ended"},
	{"video_chat_participants_invited", "invited to the video chat"},
	{"write_access_allowed", "allowed the bot to write"},
	{"users_shared", "shared users"},
	{"chat_shared", "shared a chat"},
	{"proximity_alert_triggered", "proximity alert"},
	{"boost_added", "boosted the chat"},
	{"chat_background_set", "chat background changed"},
	{"connected_website", "logged in on a website"},
	{"successful_payment", "payment received"},
	{"giveaway_created", "giveaway created"},
	{"giveaway_completed", "giveaway completed"},
	{"giveaway_winners", "giveaway winners"},
	{"web_app_data", "sent web app data"},
};

/* content Telegram sends that we do not render yet: stored as kind 'unsupported' */
static const char *const media_keys[] = {
	"photo",   "video",    "animation", "audio", "document", "sticker", "voice",   "video_note",
	"contact", "location", "venue",     "poll",  "dice",     "game",    "invoice", "story"};

static const char *const chat_types[] = {"private", "group", "supergroup", "channel"};

static void FieldError(int sqlstate, const char *path, const char *key, const char *what)
	pg_attribute_noreturn();

static void
FieldError(int sqlstate, const char *path, const char *key, const char *what)
{
	ereport(ERROR, errcode(sqlstate),
			errmsg("field \"%s%s%s\" %s", path, *path ? "." : "", key, what));
}

/* the value of key, or NULL when absent or JSON null */
static JsonbValue *
GetValue(JsonbContainer *obj, const char *key, JsonbValue *buf)
{
	JsonbValue *v = getKeyJsonValueFromContainer(obj, key, strlen(key), buf);

	if (v == NULL || v->type == jbvNull)
		return NULL;
	return v;
}

static bool
NumericToInt64(Numeric num, int64 *out)
{
	char *s = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num)));
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return false;
	*out = (int64) v;
	return true;
}

static bool
GetInt64(JsonbContainer *obj, const char *path, const char *key, bool required, int64 *out)
{
	JsonbValue buf;
	JsonbValue *v = GetValue(obj, key, &buf);

	if (v == NULL)
	{
		if (required)
			FieldError(ERRCODE_INVALID_PARAMETER_VALUE, path, key, "is required");
		return false;
	}
	if (v->type != jbvNumeric || !NumericToInt64(v->val.numeric, out))
		FieldError(ERRCODE_INVALID_PARAMETER_VALUE, path, key, "must be an integer");
	return true;
}

static TimestampTz
GetUnixTime(JsonbContainer *obj, const char *path, const char *key, bool required, bool *found)
{
	int64 secs = 0;
	bool present = GetInt64(obj, path, key, required, &secs);

	if (found)
		*found = present;
	if (present && (secs < 0 || secs > MAX_UNIX_SECONDS))
		FieldError(ERRCODE_INVALID_PARAMETER_VALUE, path, key,
				   "must be a unix time between 0 and 253402300799");
	return present ? time_t_to_timestamptz((pg_time_t) secs) : 0;
}

static bool
GetBool(JsonbContainer *obj, const char *path, const char *key, bool *out)
{
	JsonbValue buf;
	JsonbValue *v = GetValue(obj, key, &buf);

	if (v == NULL)
		return false;
	if (v->type != jbvBool)
		FieldError(ERRCODE_INVALID_PARAMETER_VALUE, path, key, "must be a boolean");
	*out = v->val.boolean;
	return true;
}

/* a palloc'd copy of the string at key, NULL when absent; max_bytes 0 means no cap */
static char *
GetString(JsonbContainer *obj, const char *path, const char *key, bool required, int max_bytes)
{
	JsonbValue buf;
	JsonbValue *v = GetValue(obj, key, &buf);

	if (v == NULL)
	{
		if (required)
			FieldError(ERRCODE_INVALID_PARAMETER_VALUE, path, key, "is required");
		return NULL;
	}
	if (v->type != jbvString)
		FieldError(ERRCODE_INVALID_PARAMETER_VALUE, path, key, "must be a string");
	if (max_bytes > 0 && v->val.string.len > max_bytes)
		ereport(ERROR, errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				errmsg("field \"%s%s%s\" is longer than %d bytes", path, *path ? "." : "", key,
					   max_bytes),
				errdetail("It has %d bytes; see setting roundtable.max_text_bytes.",
						  v->val.string.len));
	return pnstrdup(v->val.string.val, v->val.string.len);
}

static JsonbContainer *
GetContainer(JsonbContainer *obj, const char *path, const char *key, bool required, bool array)
{
	JsonbValue buf;
	JsonbValue *v = GetValue(obj, key, &buf);

	if (v == NULL)
	{
		if (required)
			FieldError(ERRCODE_INVALID_PARAMETER_VALUE, path, key, "is required");
		return NULL;
	}
	if (v->type != jbvBinary || (array ? !JsonContainerIsArray(v->val.binary.data)
									   : !JsonContainerIsObject(v->val.binary.data)))
		FieldError(ERRCODE_INVALID_PARAMETER_VALUE, path, key,
				   array ? "must be an array" : "must be an object");
	return v->val.binary.data;
}

static bool
HasKey(JsonbContainer *obj, const char *key)
{
	JsonbValue buf;

	return GetValue(obj, key, &buf) != NULL;
}

static char *
JoinPath(const char *path, const char *key)
{
	return psprintf("%s%s%s", path, *path ? "." : "", key);
}

static void
ParseUser(JsonbContainer *obj, const char *path, TgUser *u)
{
	memset(u, 0, sizeof(*u));
	GetInt64(obj, path, "id", true, &u->id);
	GetBool(obj, path, "is_bot", &u->is_bot);
	u->first_name = GetString(obj, path, "first_name", false, 0);
	u->last_name = GetString(obj, path, "last_name", false, 0);
	u->username = GetString(obj, path, "username", false, 0);
	u->language_code = GetString(obj, path, "language_code", false, 0);
}

/* "Ada Lovelace", else "@ada", else "user 42" */
static char *
DisplayName(const char *first, const char *last, const char *username, int64 id)
{
	if (first && last)
		return psprintf("%s %s", first, last);
	if (first || last)
		return pstrdup(first ? first : last);
	if (username)
		return psprintf("@%s", username);
	return psprintf("user " INT64_FORMAT, id);
}

static char *
UserName(const TgUser *u)
{
	return DisplayName(u->first_name, u->last_name, u->username, u->id);
}

/* the first key of the update other than update_id: its type, e.g. "callback_query" */
static char *
UpdateTypeName(JsonbContainer *upd)
{
	JsonbIterator *it = JsonbIteratorInit(upd);
	JsonbValue v;
	JsonbIteratorToken tok;
	char *name = NULL;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY && name == NULL &&
			!(v.val.string.len == 9 && strncmp(v.val.string.val, "update_id", 9) == 0))
		{
			int len = pg_mbcliplen(v.val.string.val, v.val.string.len, MAX_TYPE_NAME_BYTES);

			name = pnstrdup(v.val.string.val, len);
		}
	}
	return name;
}

/* text and kind of a service message, or false when msg is not one */
static bool
ParseService(JsonbContainer *msg, const char *path, TgMessage *m)
{
	JsonbContainer *c;
	JsonbValue buf;
	char *s;
	int64 id;

	if ((c = GetContainer(msg, path, "new_chat_members", false, true)) != NULL)
	{
		char *mpath = JoinPath(path, "new_chat_members");
		int n = JsonContainerSize(c);
		StringInfoData text;

		initStringInfo(&text);
		appendStringInfoString(&text, "joined: ");
		m->others = palloc0(sizeof(TgUser) * Max(n, 1));
		for (int i = 0; i < n; i++)
		{
			JsonbValue *e = getIthJsonbValueFromContainer(c, i);
			char *epath = psprintf("%s[%d]", mpath, i);

			if (e->type != jbvBinary || !JsonContainerIsObject(e->val.binary.data))
				ereport(ERROR, errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("field \"%s\" must be an object", epath));
			ParseUser(e->val.binary.data, epath, &m->others[m->nothers]);
			appendStringInfo(&text, "%s%s", i > 0 ? ", " : "", UserName(&m->others[m->nothers]));
			m->nothers++;
		}
		m->text = text.data;
		return true;
	}
	if ((c = GetContainer(msg, path, "left_chat_member", false, false)) != NULL)
	{
		m->others = palloc0(sizeof(TgUser));
		ParseUser(c, JoinPath(path, "left_chat_member"), m->others);
		m->nothers = 1;
		m->text = psprintf("left: %s", UserName(m->others));
		return true;
	}
	if ((s = GetString(msg, path, "new_chat_title", false, 0)) != NULL)
	{
		m->text = psprintf("title changed: %s", s);
		return true;
	}
	if ((c = GetContainer(msg, path, "pinned_message", false, false)) != NULL)
	{
		char *ppath = JoinPath(path, "pinned_message");
		char *quoted = GetString(c, ppath, "text", false, 0);

		if (quoted == NULL)
			quoted = GetString(c, ppath, "caption", false, 0);
		if (quoted != NULL)
		{
			int len = strlen(quoted);
			int clip = pg_mbcliplen(quoted, len, PINNED_SNIPPET_BYTES);

			m->text = psprintf("pinned: %.*s%s", clip, quoted, clip < len ? "..." : "");
		}
		else
			m->text = pstrdup("pinned a message");
		return true;
	}
	if (GetInt64(msg, path, "migrate_to_chat_id", false, &id))
	{
		m->text = psprintf("migrated to supergroup " INT64_FORMAT, id);
		return true;
	}
	if (GetInt64(msg, path, "migrate_from_chat_id", false, &id))
	{
		m->text = psprintf("migrated from group " INT64_FORMAT, id);
		return true;
	}
	for (int i = 0; i < (int) lengthof(service_texts); i++)
	{
		if (GetValue(msg, service_texts[i].key, &buf) != NULL)
		{
			m->text = pstrdup(service_texts[i].text);
			return true;
		}
	}
	return false;
}

static void
ParseMessage(JsonbContainer *msg, const char *path, bool is_edit, TgMessage *m)
{
	JsonbContainer *chat;
	JsonbContainer *from;
	char *chat_path = JoinPath(path, "chat");
	bool valid_type = false;
	bool has_edit_date = false;

	memset(m, 0, sizeof(*m));
	GetInt64(msg, path, "message_id", true, &m->message_id);
	m->created_at = GetUnixTime(msg, path, "date", true, NULL);
	if (is_edit)
	{
		m->edited_at = GetUnixTime(msg, path, "edit_date", false, &has_edit_date);
		if (!has_edit_date)
			m->edited_at = GetCurrentTransactionStartTimestamp();
	}

	chat = GetContainer(msg, path, "chat", true, false);
	GetInt64(chat, chat_path, "id", true, &m->chat_id);
	m->chat_type = GetString(chat, chat_path, "type", true, 0);
	for (int i = 0; i < (int) lengthof(chat_types); i++)
		valid_type |= strcmp(m->chat_type, chat_types[i]) == 0;
	if (!valid_type)
		FieldError(ERRCODE_INVALID_PARAMETER_VALUE, chat_path, "type",
				   "must be one of private, group, supergroup, channel");
	m->chat_title = GetString(chat, chat_path, "title", false, 0);
	m->chat_username = GetString(chat, chat_path, "username", false, 0);
	if (m->chat_title == NULL)
	{
		char *first = GetString(chat, chat_path, "first_name", false, 0);
		char *last = GetString(chat, chat_path, "last_name", false, 0);

		if (first || last)
			m->chat_title = DisplayName(first, last, NULL, m->chat_id);
	}

	from = GetContainer(msg, path, "from", false, false);
	if (from != NULL)
	{
		m->from = palloc(sizeof(TgUser));
		ParseUser(from, JoinPath(path, "from"), m->from);
	}
	m->author_type = (m->from && m->from->is_bot) ? "bot" : "user";

	if ((m->text = GetString(msg, path, "text", false, rt_max_text_bytes)) != NULL)
		m->kind = "text";
	else if ((m->text = GetString(msg, path, "caption", false, rt_max_text_bytes)) != NULL)
		m->kind = "caption";
	else if (ParseService(msg, path, m))
	{
		m->kind = "service";
		m->author_type = "system";
	}
	else
	{
		m->kind = "unsupported";
		for (int i = 0; i < (int) lengthof(media_keys) && m->text == NULL; i++)
			if (HasKey(msg, media_keys[i]))
				m->text = psprintf("[%s]", media_keys[i]);
		if (m->text == NULL)
			m->text = pstrdup("[unsupported message]");
	}
}

/*
 * Pure checks, no SPI: reads the update into p, raising exactly the errors the update would
 * raise before anything of it is written.  Sets *update_id as soon as it is known, for
 * the error message.
 */
void
TgParseUpdate(JsonbValue *element, TgUpdate *p, int64 *update_id, bool *has_update_id)
{
	JsonbContainer *upd;
	JsonbContainer *msg = NULL;
	const char *type = NULL;
	TgMessage *m = &p->m;

	p->element = element;
	if (element->type != jbvBinary || !JsonContainerIsObject(element->val.binary.data))
		ereport(ERROR, errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				errmsg("update must be a json object"));
	upd = element->val.binary.data;
	GetInt64(upd, "", "update_id", true, update_id);
	*has_update_id = true;
	p->has_update_id = true;
	p->update_id = *update_id;

	for (int i = 0; i < (int) lengthof(tg_message_types) && type == NULL; i++)
	{
		msg = GetContainer(upd, "", tg_message_types[i], false, false);
		if (msg != NULL)
			type = tg_message_types[i];
	}

	if (type == NULL)
	{
		p->type_name = UpdateTypeName(upd);
		if (p->type_name == NULL)
			ereport(ERROR, errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					errmsg("update has no content besides \"update_id\""));
		p->unsupported = true;
		return;
	}

	p->is_edit = strncmp(type, "edited_", 7) == 0;
	ParseMessage(msg, type, p->is_edit, m);
	if (strcmp(m->chat_type, "private") == 0 && m->from && m->from->id == m->chat_id &&
		m->chat_title == NULL)
		m->chat_title = UserName(m->from);
}
