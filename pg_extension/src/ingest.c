/*
 * ingest.c
 *	  rt.ingest(jsonb): stores a batch of Telegram updates idempotently and writes
 *	  one rt_events journal row per call (rt._journal_append, which rings NOTIFY).
 *
 * The fast path checks every update in C, then writes the whole batch in one
 * subtransaction, new rt.messages rows with one INSERT.  If a write fails
 * anyway, that subtransaction is rolled back and the batch is stored again
 * with one subtransaction per update.  Either way a bad update never aborts
 * the batch: the raw update goes to rt.ingest_rejects and the result's
 * "errors" names the field at fault.  Idempotency rests on rt.update_keys and
 * rt.message_keys (see docs/decisions/001-idempotency-keys.md).
 *
 * Reading and checking an update is the parsing phase, in tgupdate.c; this file is the
 * writing phase, and decide.c decides what to do about the stored messages.
 */
#include "postgres.h"

#include <errno.h>
#include <stdlib.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "decide.h"
#include "ingest.h"
#include "roundtable.h"
#include "tgupdate.h"

PG_FUNCTION_INFO_V1(ingest);

typedef enum IngestPlan
{
	PLAN_REQUIRE_ROLE,
	PLAN_UPDATE_KEY,
	PLAN_USER,
	PLAN_USER_REFRESH,
	PLAN_CHAT,
	PLAN_CHAT_REFRESH,
	PLAN_INSERT_MESSAGE,
	PLAN_FIND_MESSAGE,
	PLAN_EDIT_MESSAGE,
	PLAN_REJECT,
	PLAN_CHAT_LAST,
	PLAN_MESSAGE_KEY,
	PLAN_INSERT_MESSAGES,
	PLAN_COUNT
} IngestPlan;

typedef struct PlanDef
{
	const char *sql;
	int nargs;
	Oid argtypes[11];
} PlanDef;

static const PlanDef plan_defs[PLAN_COUNT] = {
	/* a worker function: rt_edge calls it without rt.actor (rt._require_worker, sql/base/25_admins.sql) */
	[PLAN_REQUIRE_ROLE] = {"SELECT rt._require_worker('admin')", 0, {0}},
	[PLAN_UPDATE_KEY] =
		{"INSERT INTO rt.update_keys (update_id) VALUES ($1) ON CONFLICT DO NOTHING", 1, {INT8OID}},
	[PLAN_USER] = {"INSERT INTO rt.users (id, is_bot, first_name, last_name, username, "
				   "language_code) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
				   6,
				   {INT8OID, BOOLOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID}},
	[PLAN_USER_REFRESH] = {"UPDATE rt.users SET is_bot = $2, "
						   "first_name = coalesce($3, first_name), "
						   "last_name = coalesce($4, last_name), "
						   "username = coalesce($5, username), "
						   "language_code = coalesce($6, language_code), last_seen_at = now() "
						   "WHERE id = $1 AND (last_seen_at < now() - interval '1 minute' "
						   "OR is_bot <> $2 "
						   "OR first_name IS DISTINCT FROM coalesce($3, first_name) "
						   "OR last_name IS DISTINCT FROM coalesce($4, last_name) "
						   "OR username IS DISTINCT FROM coalesce($5, username) "
						   "OR language_code IS DISTINCT FROM coalesce($6, language_code))",
						   6,
						   {INT8OID, BOOLOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID}},
	[PLAN_CHAT] = {"INSERT INTO rt.chats (id, type, title, username) VALUES ($1, $2, $3, $4) "
				   "ON CONFLICT (id) DO NOTHING",
				   4,
				   {INT8OID, TEXTOID, TEXTOID, TEXTOID}},
	[PLAN_CHAT_REFRESH] = {"UPDATE rt.chats SET type = $2, title = coalesce($3, title), "
						   "username = coalesce($4, username) "
						   "WHERE id = $1 AND (type <> $2 "
						   "OR title IS DISTINCT FROM coalesce($3, title) "
						   "OR username IS DISTINCT FROM coalesce($4, username))",
						   4,
						   {INT8OID, TEXTOID, TEXTOID, TEXTOID}},
	[PLAN_INSERT_MESSAGE] = {"WITH k AS (INSERT INTO rt.message_keys (chat_id, message_id, "
							 "message_pk, created_at) VALUES ($1, $2, "
							 "nextval('rt.messages_id_seq'), $6) ON CONFLICT DO NOTHING "
							 "RETURNING message_pk, created_at) "
							 "INSERT INTO rt.messages (id, chat_id, message_id, user_id, "
							 "update_id, direction, author_type, kind, text, edited_at, raw, "
							 "created_at) SELECT k.message_pk, $1, $2, $3, $4, 'in', $5, $7, $8, "
							 "$9, $10, k.created_at FROM k RETURNING id",
							 10,
							 {INT8OID, INT8OID, INT8OID, INT8OID, TEXTOID, TIMESTAMPTZOID, TEXTOID,
							  TEXTOID, TIMESTAMPTZOID, JSONBOID}},
	[PLAN_FIND_MESSAGE] = {"SELECT message_pk, created_at FROM rt.message_keys "
						   "WHERE chat_id = $1 AND message_id = $2",
						   2,
						   {INT8OID, INT8OID}},
	[PLAN_EDIT_MESSAGE] = {"UPDATE rt.messages SET edit_history = edit_history || "
						   "jsonb_build_array(jsonb_build_object('text', text, 'edited_at', "
						   "coalesce(edited_at, created_at))), text = $3, edited_at = $4 "
						   "WHERE id = $1 AND created_at = $2 AND (edited_at IS NULL "
						   "OR edited_at < $4 OR (edited_at = $4 AND text IS DISTINCT FROM $3)) "
						   "RETURNING id",
						   4,
						   {INT8OID, TIMESTAMPTZOID, TEXTOID, TIMESTAMPTZOID}},
	[PLAN_REJECT] = {"INSERT INTO rt.ingest_rejects (update_id, raw, error, sqlstate) "
					 "VALUES ($1, $2, $3, $4)",
					 4,
					 {INT8OID, TEXTOID, TEXTOID, TEXTOID}},
	[PLAN_CHAT_LAST] = {"UPDATE rt.chats SET last_message_at = $2, last_message_id = $3 "
						"WHERE id = $1 AND (last_message_at IS NULL "
						"OR (last_message_at, last_message_id) < ($2, $3))",
						3,
						{INT8OID, TIMESTAMPTZOID, INT8OID}},
	/* the fast path: the key now, the row later with the rest of the batch (MessageBuffer) */
	[PLAN_MESSAGE_KEY] = {"INSERT INTO rt.message_keys (chat_id, message_id, message_pk, "
						  "created_at) VALUES ($1, $2, nextval('rt.messages_id_seq'), $3) "
						  "ON CONFLICT DO NOTHING RETURNING message_pk",
						  3,
						  {INT8OID, INT8OID, TIMESTAMPTZOID}},
	[PLAN_INSERT_MESSAGES] = {"INSERT INTO rt.messages (id, chat_id, message_id, user_id, "
							  "update_id, direction, author_type, kind, text, edited_at, raw, "
							  "created_at) SELECT u.id, u.chat_id, u.message_id, u.user_id, "
							  "u.update_id, 'in', u.author_type, u.kind, u.text, u.edited_at, "
							  "u.raw, u.created_at FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, "
							  "$9, $10, $11) AS u(id, chat_id, message_id, user_id, update_id, "
							  "author_type, kind, text, edited_at, raw, created_at)",
							  11,
							  {INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID,
							   TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID,
							   JSONBARRAYOID, TIMESTAMPTZARRAYOID}},
};

/* columns of PLAN_INSERT_MESSAGES, in order */
typedef enum BufferColumn
{
	BUF_ID,
	BUF_CHAT_ID,
	BUF_MESSAGE_ID,
	BUF_USER_ID,
	BUF_UPDATE_ID,
	BUF_AUTHOR_TYPE,
	BUF_KIND,
	BUF_TEXT,
	BUF_EDITED_AT,
	BUF_RAW,
	BUF_CREATED_AT,
	BUF_COLUMNS
} BufferColumn;

static const Oid buffer_types[BUF_COLUMNS] = {INT8OID,        INT8OID,  INT8OID,       INT8OID,
											  INT8OID,        TEXTOID,  TEXTOID,       TEXTOID,
											  TIMESTAMPTZOID, JSONBOID, TIMESTAMPTZOID};

/*
 * rt.messages rows of the fast path, written by one INSERT ... SELECT FROM unnest() instead of
 * one INSERT each: a single-row INSERT into the partitioned, FK- and CHECK-constrained table
 * sets up partition routing and constraint expressions every time (about 5x the cost of a
 * row of a multi-row INSERT).  Flushed before an edit (which must find the row) and at the
 * end of the batch, inside the batch's subtransaction.
 */
typedef struct MessageBuffer
{
	MemoryContext cxt; /* holds the datums; reset by every flush */
	int len;
	int cap;
	Datum *values[BUF_COLUMNS];
	bool *nulls[BUF_COLUMNS];
} MessageBuffer;

/* prepared once per backend, kept across calls (SPI_keepplan) */
static SPIPlanPtr plans[PLAN_COUNT];

typedef enum Outcome
{
	OUTCOME_STORED,
	OUTCOME_DUPLICATE,
	OUTCOME_EDITED,
	OUTCOME_UNSUPPORTED
} Outcome;

typedef struct ElementResult
{
	Outcome outcome;
	int64 message_pk;
	int64 chat_id;
	TimestampTz created_at;
	char *error; /* OUTCOME_UNSUPPORTED: what went to rt.ingest_rejects */
} ElementResult;

typedef struct Int64List
{
	int64 *items;
	int len;
	int cap;
} Int64List;

/*
 * A user or chat this call has met.  Rows are inserted as soon as they are met (ON CONFLICT DO
 * NOTHING, which takes no row lock); changed profiles, last_seen_at and last_message_* are
 * written once at the end of the batch in id order, so concurrent ingest calls lock the same
 * rows in the same order and do not deadlock.
 */
typedef struct UserEntry
{
	int64 id;
	uint32 hash;  /* of the profile last met */
	bool known;   /* the row exists (inserted by a released subtransaction, or before) */
	bool refresh; /* the row existed: bring its profile and last_seen_at up to date */
	TgUser profile;
} UserEntry;

typedef struct ChatEntry
{
	int64 chat_id;
	uint32 hash;
	bool known;
	bool refresh;
	char *type;
	char *title;
	char *username;
	bool listed;  /* in chat_order, i.e. named by the NOTIFY payload */
	bool has_new; /* a message was stored: last_at/last_pk are the newest */
	TimestampTz last_at;
	int64 last_pk;
} ChatEntry;

typedef struct IngestState
{
	MemoryContext batchcxt; /* lives for the call */
	MemoryContext elemcxt;  /* reset before every update */
	HTAB *users;
	HTAB *chats;
	Int64List chat_order; /* touched chat ids, first touch first */
	Int64List new_ids;
	Int64List edited_ids;
	int64 stored;
	int64 duplicates;
	int64 edited;
	int64 rejected;
	StringInfoData errors; /* body of the result's "errors" array */
	DecideBatch *decide;   /* moderation, playbooks, mentions, replies (decide.c) */
	MessageBuffer *buffer; /* fast path: rt.messages rows not written yet; NULL otherwise */
	/* the update being processed */
	int index;
	bool has_update_id;
	int64 update_id;
} IngestState;

static void
ListAppend(MemoryContext cxt, Int64List *list, int64 value)
{
	if (list->len == list->cap)
	{
		list->cap = list->cap == 0 ? 64 : list->cap * 2;
		if (list->items == NULL)
			list->items = MemoryContextAlloc(cxt, sizeof(int64) * list->cap);
		else
			list->items = repalloc(list->items, sizeof(int64) * list->cap);
	}
	list->items[list->len++] = value;
}

static int
CompareInt64(const void *a, const void *b)
{
	int64 x = *(const int64 *) a;
	int64 y = *(const int64 *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/* sorts and removes duplicates in place */
static void
ListSortUnique(Int64List *list)
{
	int out = 0;

	if (list->len < 2)
		return;
	qsort(list->items, list->len, sizeof(int64), CompareInt64);
	for (int i = 1; i < list->len; i++)
		if (list->items[i] != list->items[out])
			list->items[++out] = list->items[i];
	list->len = out + 1;
}

static HTAB *
CreateIdTable(IngestState *st, const char *name, Size entrysize)
{
	HASHCTL ctl;

	ctl.keysize = sizeof(int64);
	ctl.entrysize = entrysize;
	ctl.hcxt = st->batchcxt;
	return hash_create(name, 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/* after a rollback, rows inserted by the aborted subtransaction are gone again */
static void
ForgetInsertedRows(IngestState *st)
{
	HASH_SEQ_STATUS status;
	UserEntry *u;
	ChatEntry *c;

	hash_seq_init(&status, st->users);
	while ((u = hash_seq_search(&status)) != NULL)
	{
		u->known = false;
		u->hash = 0;
	}
	hash_seq_init(&status, st->chats);
	while ((c = hash_seq_search(&status)) != NULL)
	{
		c->known = false;
		c->hash = 0;
	}
}

static void
PreparePlans(void)
{
	for (int i = 0; i < PLAN_COUNT; i++)
	{
		SPIPlanPtr plan;

		if (plans[i] != NULL)
			continue;
		plan = SPI_prepare(plan_defs[i].sql, plan_defs[i].nargs, (Oid *) plan_defs[i].argtypes);
		if (plan == NULL)
			elog(ERROR, "rt.ingest: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "rt.ingest: SPI_keepplan failed");
		plans[i] = plan;
	}
}

static int
ExecPlan(IngestPlan which, Datum *values, const char *nulls, long count)
{
	int rc = SPI_execute_plan(plans[which], values, nulls, false, count);

	if (rc < 0)
		elog(ERROR, "rt.ingest: SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	return rc;
}

static Datum
TextOrNull(const char *s, char *null_flag)
{
	*null_flag = s ? ' ' : 'n';
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

/* ---- writing ------------------------------------------------------------- */

static uint32
ProfileHash(const char *const *fields, int nfields, bool flag)
{
	uint32 h = flag ? 0x9e3779b9 : 0;

	for (int i = 0; i < nfields; i++)
	{
		uint32 fh = fields[i] ? hash_bytes((const unsigned char *) fields[i], strlen(fields[i]))
							  : 0x5bd1e995;

		h = hash_combine(h, fh);
	}
	return h;
}

/* a field of a pending refresh: the newest value met wins, an absent one keeps the older */
static char *
MergeField(IngestState *st, char *pending, const char *met)
{
	return met ? MemoryContextStrdup(st->batchcxt, met) : pending;
}

static void
MeetUser(IngestState *st, const TgUser *u)
{
	const char *fields[] = {u->first_name, u->last_name, u->username, u->language_code};
	uint32 hash = ProfileHash(fields, 4, u->is_bot);
	bool found;
	UserEntry *e = hash_search(st->users, &u->id, HASH_ENTER, &found);

	if (!found)
	{
		e->known = false;
		e->refresh = false;
	}
	else if (e->known && e->hash == hash)
		return;
	e->hash = hash;

	if (!e->known)
	{
		Datum values[6];
		char nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};

		values[0] = Int64GetDatum(u->id);
		values[1] = BoolGetDatum(u->is_bot);
		values[2] = TextOrNull(u->first_name, &nulls[2]);
		values[3] = TextOrNull(u->last_name, &nulls[3]);
		values[4] = TextOrNull(u->username, &nulls[4]);
		values[5] = TextOrNull(u->language_code, &nulls[5]);
		ExecPlan(PLAN_USER, values, nulls, 0);
		e->known = true;
		if (SPI_processed == 1 && !e->refresh)
			return; /* brand-new row, nothing to refresh */
	}
	if (!e->refresh)
		memset(&e->profile, 0, sizeof(e->profile));
	e->refresh = true;
	e->profile.id = u->id;
	e->profile.is_bot = u->is_bot;
	e->profile.first_name = MergeField(st, e->profile.first_name, u->first_name);
	e->profile.last_name = MergeField(st, e->profile.last_name, u->last_name);
	e->profile.username = MergeField(st, e->profile.username, u->username);
	e->profile.language_code = MergeField(st, e->profile.language_code, u->language_code);
}

static ChatEntry *
FindChat(IngestState *st, int64 chat_id)
{
	bool found;
	ChatEntry *e = hash_search(st->chats, &chat_id, HASH_ENTER, &found);

	if (!found)
	{
		e->known = false;
		e->refresh = false;
		e->listed = false;
		e->has_new = false;
		e->hash = 0;
	}
	return e;
}

static void
MeetChat(IngestState *st, const TgMessage *m)
{
	const char *fields[] = {m->chat_type, m->chat_title, m->chat_username};
	uint32 hash = ProfileHash(fields, 3, false);
	ChatEntry *e = FindChat(st, m->chat_id);

	if (e->known && e->hash == hash)
		return;
	e->hash = hash;
	if (!e->known)
	{
		Datum values[4];
		char nulls[4] = {' ', ' ', ' ', ' '};

		values[0] = Int64GetDatum(m->chat_id);
		values[1] = CStringGetTextDatum(m->chat_type);
		values[2] = TextOrNull(m->chat_title, &nulls[2]);
		values[3] = TextOrNull(m->chat_username, &nulls[3]);
		ExecPlan(PLAN_CHAT, values, nulls, 0);
		e->known = true;
		if (SPI_processed == 1 && !e->refresh)
			return;
	}
	if (!e->refresh)
		e->title = e->username = NULL;
	e->refresh = true;
	e->type = MemoryContextStrdup(st->batchcxt, m->chat_type);
	e->title = MergeField(st, e->title, m->chat_title);
	e->username = MergeField(st, e->username, m->chat_username);
}

/* false when this update_id was ingested before */
static bool
ClaimUpdateId(int64 update_id)
{
	Datum values[1] = {Int64GetDatum(update_id)};

	ExecPlan(PLAN_UPDATE_KEY, values, NULL, 0);
	return SPI_processed == 1;
}

static int64
GetInt64Result(int col)
{
	bool isnull;
	Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, &isnull);

	return isnull ? 0 : DatumGetInt64(d);
}

/* the new message's id, or 0 when (chat_id, message_id) is stored already */
static int64
InsertMessage(IngestState *st, const TgMessage *m, JsonbValue *raw, bool is_edit)
{
	Datum values[10];
	char nulls[10] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
	int64 pk = 0;

	values[0] = Int64GetDatum(m->chat_id);
	values[1] = Int64GetDatum(m->message_id);
	values[2] = Int64GetDatum(m->from ? m->from->id : 0);
	nulls[2] = m->from ? ' ' : 'n';
	values[3] = Int64GetDatum(st->update_id);
	values[4] = CStringGetTextDatum(m->author_type);
	values[5] = TimestampTzGetDatum(m->created_at);
	values[6] = CStringGetTextDatum(m->kind);
	values[7] = TextOrNull(m->text, &nulls[7]);
	values[8] = TimestampTzGetDatum(m->edited_at);
	nulls[8] = is_edit ? ' ' : 'n';
	values[9] = JsonbPGetDatum(JsonbValueToJsonb(raw));
	ExecPlan(PLAN_INSERT_MESSAGE, values, nulls, 1);
	if (SPI_processed == 1)
		pk = GetInt64Result(1);
	SPI_freetuptable(SPI_tuptable);
	return pk;
}

static MessageBuffer *
CreateMessageBuffer(MemoryContext parent)
{
	MessageBuffer *buf = MemoryContextAllocZero(parent, sizeof(MessageBuffer));

	buf->cxt = AllocSetContextCreate(parent, "rt.ingest messages", ALLOCSET_DEFAULT_SIZES);
	return buf;
}

/*
 * The fast path's InsertMessage: claims (chat_id, message_id) now and queues the row for
 * FlushMessages.  Returns the new message's id, or 0 when the key is stored already.
 */
static int64
BufferMessage(IngestState *st, const TgMessage *m, JsonbValue *raw, bool is_edit)
{
	MessageBuffer *buf = st->buffer;
	Datum key[3];
	int64 pk;
	MemoryContext oldcxt;
	int i;

	key[0] = Int64GetDatum(m->chat_id);
	key[1] = Int64GetDatum(m->message_id);
	key[2] = TimestampTzGetDatum(m->created_at);
	ExecPlan(PLAN_MESSAGE_KEY, key, NULL, 1);
	pk = SPI_processed == 1 ? GetInt64Result(1) : 0;
	SPI_freetuptable(SPI_tuptable);
	if (pk == 0)
		return 0;

	oldcxt = MemoryContextSwitchTo(buf->cxt);
	if (buf->len == buf->cap)
	{
		buf->cap = buf->cap == 0 ? 64 : buf->cap * 2;
		for (int c = 0; c < BUF_COLUMNS; c++)
		{
			if (buf->values[c] == NULL)
			{
				buf->values[c] = palloc(sizeof(Datum) * buf->cap);
				buf->nulls[c] = palloc(sizeof(bool) * buf->cap);
			}
			else
			{
				buf->values[c] = repalloc(buf->values[c], sizeof(Datum) * buf->cap);
				buf->nulls[c] = repalloc(buf->nulls[c], sizeof(bool) * buf->cap);
			}
		}
	}
	i = buf->len++;
	for (int c = 0; c < BUF_COLUMNS; c++)
		buf->nulls[c][i] = false;
	buf->values[BUF_ID][i] = Int64GetDatum(pk);
	buf->values[BUF_CHAT_ID][i] = Int64GetDatum(m->chat_id);
	buf->values[BUF_MESSAGE_ID][i] = Int64GetDatum(m->message_id);
	buf->values[BUF_USER_ID][i] = Int64GetDatum(m->from ? m->from->id : 0);
	buf->nulls[BUF_USER_ID][i] = m->from == NULL;
	buf->values[BUF_UPDATE_ID][i] = Int64GetDatum(st->update_id);
	buf->values[BUF_AUTHOR_TYPE][i] = CStringGetTextDatum(m->author_type);
	buf->values[BUF_KIND][i] = CStringGetTextDatum(m->kind);
	buf->values[BUF_TEXT][i] = m->text ? CStringGetTextDatum(m->text) : (Datum) 0;
	buf->nulls[BUF_TEXT][i] = m->text == NULL;
	buf->values[BUF_EDITED_AT][i] = TimestampTzGetDatum(m->edited_at);
	buf->nulls[BUF_EDITED_AT][i] = !is_edit;
	buf->values[BUF_RAW][i] = JsonbPGetDatum(JsonbValueToJsonb(raw));
	buf->values[BUF_CREATED_AT][i] = TimestampTzGetDatum(m->created_at);
	MemoryContextSwitchTo(oldcxt);
	return pk;
}

/* writes the queued rows with one INSERT, in the order they were queued */
static void
FlushMessages(IngestState *st)
{
	MessageBuffer *buf = st->buffer;
	Datum arrays[BUF_COLUMNS];
	int dims[1];
	int lbs[1] = {1};
	MemoryContext oldcxt;

	if (buf == NULL || buf->len == 0)
		return;
	oldcxt = MemoryContextSwitchTo(buf->cxt);
	dims[0] = buf->len;
	for (int c = 0; c < BUF_COLUMNS; c++)
	{
		int16 typlen;
		bool typbyval;
		char typalign;

		get_typlenbyvalalign(buffer_types[c], &typlen, &typbyval, &typalign);
		arrays[c] =
			PointerGetDatum(construct_md_array(buf->values[c], buf->nulls[c], 1, dims, lbs,
											   buffer_types[c], typlen, typbyval, typalign));
	}
	MemoryContextSwitchTo(oldcxt);
	ExecPlan(PLAN_INSERT_MESSAGES, arrays, NULL, 0);
	if (SPI_processed != (uint64) buf->len)
		elog(ERROR, "rt.ingest: stored %llu of %d messages", (unsigned long long) SPI_processed,
			 buf->len);
	MemoryContextReset(buf->cxt);
	buf->len = buf->cap = 0;
	memset(buf->values, 0, sizeof(buf->values));
	memset(buf->nulls, 0, sizeof(buf->nulls));
}

/* applies an edit; sets *pk to the stored message, 0 when the original is unknown */
static bool
EditMessage(const TgMessage *m, int64 *pk, TimestampTz *created_at)
{
	Datum values[4];
	char nulls[4] = {' ', ' ', ' ', ' '};
	bool isnull;
	bool applied;

	values[0] = Int64GetDatum(m->chat_id);
	values[1] = Int64GetDatum(m->message_id);
	ExecPlan(PLAN_FIND_MESSAGE, values, NULL, 1);
	if (SPI_processed == 0)
	{
		SPI_freetuptable(SPI_tuptable);
		*pk = 0;
		return false;
	}
	*pk = GetInt64Result(1);
	*created_at = DatumGetTimestampTz(
		SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	SPI_freetuptable(SPI_tuptable);

	values[0] = Int64GetDatum(*pk);
	values[1] = TimestampTzGetDatum(*created_at);
	values[2] = TextOrNull(m->text, &nulls[2]);
	values[3] = TimestampTzGetDatum(m->edited_at);
	ExecPlan(PLAN_EDIT_MESSAGE, values, nulls, 1);
	applied = SPI_processed == 1;
	SPI_freetuptable(SPI_tuptable);
	return applied;
}

static void
InsertReject(bool has_update_id, int64 update_id, const char *raw, const char *error,
			 const char *sqlstate)
{
	Datum values[4];
	char nulls[4] = {' ', ' ', ' ', ' '};

	values[0] = Int64GetDatum(update_id);
	nulls[0] = has_update_id ? ' ' : 'n';
	values[1] = TextOrNull(raw, &nulls[1]);
	values[2] = CStringGetTextDatum(error);
	values[3] = TextOrNull(sqlstate, &nulls[3]);
	ExecPlan(PLAN_REJECT, values, nulls, 0);
}

static char *
RawText(JsonbValue *element)
{
	if (element->type == jbvBinary)
		return JsonbToCString(NULL, element->val.binary.data, element->val.binary.len);
	return JsonbToCString(NULL, &JsonbValueToJsonb(element)->root, 0);
}

/* ---- one update ---------------------------------------------------------- */

/* an update read and checked (tgupdate.c), and what the fast path's checks concluded */
typedef struct ParsedUpdate
{
	TgUpdate tg;
	/* fast path only: the checks failed, the update becomes a reject */
	bool bad;
	char *error;
	int sqlerrcode;
} ParsedUpdate;

/* reads the update into p; st->update_id names it in errors as soon as it is known */
static void
ParseUpdate(IngestState *st, JsonbValue *element, ParsedUpdate *p)
{
	TgParseUpdate(element, &p->tg, &st->update_id, &st->has_update_id);
}

/* hands a stored or edited message to the decision pipeline (decide.c), which copies it */
static void
CollectDecision(IngestState *st, ParsedUpdate *p, int64 pk, TimestampTz created_at)
{
	JsonbContainer *upd = p->tg.element->val.binary.data;
	DecideInput in;
	JsonbValue buf;

	in.message = NULL;
	for (int i = 0; i < (int) lengthof(tg_message_types) && in.message == NULL; i++)
	{
		JsonbValue *v = getKeyJsonValueFromContainer(upd, tg_message_types[i],
													 strlen(tg_message_types[i]), &buf);

		if (v != NULL && v->type == jbvBinary)
			in.message = v->val.binary.data;
	}
	in.message_pk = pk;
	in.created_at = created_at;
	in.chat_id = p->tg.m.chat_id;
	in.chat_type = p->tg.m.chat_type;
	in.message_id = p->tg.m.message_id;
	in.has_user = p->tg.m.from != NULL;
	in.user_id = p->tg.m.from ? p->tg.m.from->id : 0;
	in.from_bot = p->tg.m.from != NULL && p->tg.m.from->is_bot;
	in.kind = p->tg.m.kind;
	in.text = p->tg.m.text;
	in.is_edit = p->tg.is_edit;
	DecideCollect(st->decide, &in);
}

/* writes a checked update; st->update_id must be p's */
static void
WriteUpdate(IngestState *st, ParsedUpdate *p, ElementResult *res)
{
	TgMessage *m = &p->tg.m;

	if (p->tg.unsupported)
	{
		if (!ClaimUpdateId(p->tg.update_id))
		{
			res->outcome = OUTCOME_DUPLICATE;
			return;
		}
		res->outcome = OUTCOME_UNSUPPORTED;
		res->error = psprintf("unsupported update type: %s", p->tg.type_name);
		InsertReject(true, p->tg.update_id, RawText(p->tg.element), res->error, NULL);
		return;
	}

	if (!ClaimUpdateId(p->tg.update_id))
	{
		res->outcome = OUTCOME_DUPLICATE;
		return;
	}
	if (m->from)
		MeetUser(st, m->from);
	for (int i = 0; i < m->nothers; i++)
		MeetUser(st, &m->others[i]);
	MeetChat(st, m);

	res->chat_id = m->chat_id;
	res->created_at = m->created_at;
	if (p->tg.is_edit)
	{
		TimestampTz created_at;

		FlushMessages(st); /* the original may still be queued */
		if (EditMessage(m, &res->message_pk, &created_at))
		{
			res->outcome = OUTCOME_EDITED;
			CollectDecision(st, p, res->message_pk, created_at);
			return;
		}
		if (res->message_pk != 0)
		{
			res->outcome = OUTCOME_DUPLICATE; /* stale or repeated edit */
			return;
		}
	}
	if (st->buffer)
		res->message_pk = BufferMessage(st, m, p->tg.element, p->tg.is_edit);
	else
		res->message_pk = InsertMessage(st, m, p->tg.element, p->tg.is_edit);
	res->outcome = res->message_pk != 0 ? OUTCOME_STORED : OUTCOME_DUPLICATE;
	if (res->message_pk != 0)
		CollectDecision(st, p, res->message_pk, m->created_at);
}

static void
ProcessUpdate(IngestState *st, JsonbValue *element, ElementResult *res)
{
	ParsedUpdate p;

	memset(&p, 0, sizeof(p));
	ParseUpdate(st, element, &p);
	WriteUpdate(st, &p, res);
}

/* errors a retry of the whole batch may cure: never turn them into rejects */
static bool
IsTransientError(int sqlerrcode)
{
	int category = ERRCODE_TO_CATEGORY(sqlerrcode);

	return category == ERRCODE_TO_CATEGORY(ERRCODE_T_R_SERIALIZATION_FAILURE) ||
		   category == ERRCODE_TO_CATEGORY(ERRCODE_INSUFFICIENT_RESOURCES) ||
		   category == ERRCODE_TO_CATEGORY(ERRCODE_OPERATOR_INTERVENTION) ||
		   category == ERRCODE_TO_CATEGORY(ERRCODE_SYSTEM_ERROR) ||
		   sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE;
}

static void
AppendError(IngestState *st, const char *error)
{
	if (st->rejected > 1)
		appendStringInfoChar(&st->errors, ',');
	appendStringInfo(&st->errors, "{\"index\":%d,\"update_id\":", st->index);
	if (st->has_update_id)
		appendStringInfo(&st->errors, INT64_FORMAT, st->update_id);
	else
		appendStringInfoString(&st->errors, "null");
	appendStringInfoString(&st->errors, ",\"error\":");
	escape_json(&st->errors, error);
	appendStringInfoChar(&st->errors, '}');
}

static void
TouchChat(IngestState *st, const ElementResult *res, bool is_new)
{
	ChatEntry *c = FindChat(st, res->chat_id);

	if (!c->listed)
	{
		c->listed = true;
		ListAppend(st->batchcxt, &st->chat_order, res->chat_id);
	}
	if (is_new && (!c->has_new || res->created_at > c->last_at ||
				   (res->created_at == c->last_at && res->message_pk > c->last_pk)))
	{
		c->has_new = true;
		c->last_at = res->created_at;
		c->last_pk = res->message_pk;
	}
}

static void
RecordOutcome(IngestState *st, const ElementResult *res)
{
	switch (res->outcome)
	{
		case OUTCOME_STORED:
			st->stored++;
			ListAppend(st->batchcxt, &st->new_ids, res->message_pk);
			TouchChat(st, res, true);
			break;
		case OUTCOME_EDITED:
			st->edited++;
			ListAppend(st->batchcxt, &st->edited_ids, res->message_pk);
			TouchChat(st, res, false);
			break;
		case OUTCOME_DUPLICATE:
			st->duplicates++;
			break;
		case OUTCOME_UNSUPPORTED:
			st->rejected++;
			AppendError(st, res->error);
			break;
	}
}

/* what rt.ingest_rejects and "errors" say about an update that failed */
static char *
RejectMessage(const IngestState *st, const ErrorData *edata)
{
	if (st->has_update_id)
		return psprintf("update " INT64_FORMAT ": %s", st->update_id,
						edata->message ? edata->message : "unknown error");
	return psprintf("update at index %d: %s", st->index,
					edata->message ? edata->message : "unknown error");
}

static void
IngestOne(IngestState *st, JsonbValue *element)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ElementResult res = {0};

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(st->elemcxt);
	PG_TRY();
	{
		ProcessUpdate(st, element, &res);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData *edata;
		char *error;

		MemoryContextSwitchTo(st->elemcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;

		if (IsTransientError(edata->sqlerrcode))
			ReThrowError(edata);

		ForgetInsertedRows(st);

		MemoryContextSwitchTo(st->elemcxt);
		error = RejectMessage(st, edata);
		InsertReject(st->has_update_id, st->update_id, RawText(element), error,
					 unpack_sql_state(edata->sqlerrcode));
		MemoryContextSwitchTo(oldcxt);
		st->rejected++;
		AppendError(st, error);
		return;
	}
	PG_END_TRY();

	RecordOutcome(st, &res);
}

/* ---- the fast path: one subtransaction for the whole batch ------------- */

/*
 * Checks updates [*next, count) in one subtransaction that writes nothing (so it takes no
 * subtransaction id); an update failing its checks is marked bad with the error the
 * per-update path would record, and checking resumes after it in a new subtransaction.
 */
static void
CheckUpdates(IngestState *st, Jsonb *updates, ParsedUpdate *parsed, int count, MemoryContext cxt)
{
	int next = 0;

	while (next < count)
	{
		MemoryContext oldcxt = CurrentMemoryContext;
		ResourceOwner oldowner = CurrentResourceOwner;
		volatile int i = next;

		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(cxt);
		PG_TRY();
		{
			for (; i < count; i++)
			{
				CHECK_FOR_INTERRUPTS();
				st->index = i;
				st->has_update_id = false;
				st->update_id = 0;
				ParseUpdate(st, getIthJsonbValueFromContainer(&updates->root, i), &parsed[i]);
			}
			ReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(oldcxt);
			CurrentResourceOwner = oldowner;
		}
		PG_CATCH();
		{
			ParsedUpdate *p = &parsed[i];
			ErrorData *edata;

			MemoryContextSwitchTo(cxt);
			edata = CopyErrorData();
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(oldcxt);
			CurrentResourceOwner = oldowner;

			if (IsTransientError(edata->sqlerrcode))
				ReThrowError(edata);

			MemoryContextSwitchTo(cxt);
			memset(p, 0, sizeof(*p));
			p->tg.element = getIthJsonbValueFromContainer(&updates->root, i);
			p->bad = true;
			p->tg.has_update_id = st->has_update_id;
			p->tg.update_id = st->update_id;
			p->error = RejectMessage(st, edata);
			p->sqlerrcode = edata->sqlerrcode;
			MemoryContextSwitchTo(oldcxt);
			i++;
		}
		PG_END_TRY();
		next = i;
	}
}

/* forgets everything a rolled-back fast path recorded */
static void
ResetBatchState(IngestState *st)
{
	hash_destroy(st->users);
	hash_destroy(st->chats);
	st->users = CreateIdTable(st, "rt.ingest users", sizeof(UserEntry));
	st->chats = CreateIdTable(st, "rt.ingest chats", sizeof(ChatEntry));
	DecideForget(st->decide);
	st->chat_order.len = 0;
	st->new_ids.len = 0;
	st->edited_ids.len = 0;
	st->stored = st->duplicates = st->edited = st->rejected = 0;
	resetStringInfo(&st->errors);
	st->index = 0;
	st->has_update_id = false;
	st->update_id = 0;
}

/*
 * Checks every update in C first, then writes the whole batch in ONE subtransaction instead of
 * one per update (each of which takes a subtransaction id once it writes; past 64 of them
 * every snapshot in the instance overflows to pg_subtrans).  Updates failing their checks are
 * written as rejects within it, in index order, exactly as the per-update path does.  Returns
 * false when a write failed anyway (rare: nothing the checks can foresee): the subtransaction
 * is rolled back, st is reset and the caller takes the per-update path, which isolates the
 * culprit.  Transient errors are rethrown, as on that path.
 */
static bool
IngestFast(IngestState *st, Jsonb *updates, int count)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	MemoryContext fastcxt =
		AllocSetContextCreate(st->batchcxt, "rt.ingest checked", ALLOCSET_DEFAULT_SIZES);
	ParsedUpdate *parsed = MemoryContextAllocZero(fastcxt, sizeof(ParsedUpdate) * Max(count, 1));
	volatile bool ok = true;

	CheckUpdates(st, updates, parsed, count, fastcxt);

	st->buffer = CreateMessageBuffer(fastcxt);
	BeginInternalSubTransaction(NULL);
	PG_TRY();
	{
		for (int i = 0; i < count; i++)
		{
			ParsedUpdate *p = &parsed[i];
			ElementResult res = {0};

			CHECK_FOR_INTERRUPTS();
			MemoryContextReset(st->elemcxt);
			MemoryContextSwitchTo(st->elemcxt);
			st->index = i;
			st->has_update_id = p->tg.has_update_id;
			st->update_id = p->tg.update_id;
			if (p->bad)
			{
				InsertReject(p->tg.has_update_id, p->tg.update_id, RawText(p->tg.element), p->error,
							 unpack_sql_state(p->sqlerrcode));
				st->rejected++;
				AppendError(st, p->error);
				continue;
			}
			WriteUpdate(st, p, &res);
			RecordOutcome(st, &res);
		}
		MemoryContextSwitchTo(st->elemcxt);
		FlushMessages(st);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData *edata;

		MemoryContextSwitchTo(fastcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		st->buffer = NULL;

		if (IsTransientError(edata->sqlerrcode))
			ReThrowError(edata);
		ok = false;
	}
	PG_END_TRY();

	st->buffer = NULL;
	MemoryContextSwitchTo(oldcxt);
	if (!ok)
		ResetBatchState(st);
	MemoryContextDelete(fastcxt);
	return ok;
}

/* ---- after the batch ----------------------------------------------------- */

static int
CompareUserEntries(const void *a, const void *b)
{
	return CompareInt64(&(*(UserEntry *const *) a)->id, &(*(UserEntry *const *) b)->id);
}

static int
CompareChatEntries(const void *a, const void *b)
{
	return CompareInt64(&(*(ChatEntry *const *) a)->chat_id, &(*(ChatEntry *const *) b)->chat_id);
}

/* the end-of-batch writes, users then chats, each in id order (see UserEntry) */
static void
RefreshUsersAndChats(IngestState *st)
{
	HASH_SEQ_STATUS status;
	long nusers = hash_get_num_entries(st->users);
	long nchats = hash_get_num_entries(st->chats);
	UserEntry **users = palloc(sizeof(UserEntry *) * Max(nusers, 1));
	ChatEntry **chats = palloc(sizeof(ChatEntry *) * Max(nchats, 1));
	UserEntry *u;
	ChatEntry *c;
	int n = 0;

	hash_seq_init(&status, st->users);
	while ((u = hash_seq_search(&status)) != NULL)
		if (u->refresh)
			users[n++] = u;
	qsort(users, n, sizeof(UserEntry *), CompareUserEntries);
	for (int i = 0; i < n; i++)
	{
		Datum values[6];
		char nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};

		u = users[i];
		values[0] = Int64GetDatum(u->id);
		values[1] = BoolGetDatum(u->profile.is_bot);
		values[2] = TextOrNull(u->profile.first_name, &nulls[2]);
		values[3] = TextOrNull(u->profile.last_name, &nulls[3]);
		values[4] = TextOrNull(u->profile.username, &nulls[4]);
		values[5] = TextOrNull(u->profile.language_code, &nulls[5]);
		ExecPlan(PLAN_USER_REFRESH, values, nulls, 0);
	}

	n = 0;
	hash_seq_init(&status, st->chats);
	while ((c = hash_seq_search(&status)) != NULL)
		if (c->refresh || c->has_new)
			chats[n++] = c;
	qsort(chats, n, sizeof(ChatEntry *), CompareChatEntries);
	for (int i = 0; i < n; i++)
	{
		Datum values[4];
		char nulls[4] = {' ', ' ', ' ', ' '};

		c = chats[i];
		values[0] = Int64GetDatum(c->chat_id);
		if (c->refresh)
		{
			values[1] = CStringGetTextDatum(c->type);
			values[2] = TextOrNull(c->title, &nulls[2]);
			values[3] = TextOrNull(c->username, &nulls[3]);
			ExecPlan(PLAN_CHAT_REFRESH, values, nulls, 0);
		}
		if (c->has_new)
		{
			values[1] = TimestampTzGetDatum(c->last_at);
			values[2] = Int64GetDatum(c->last_pk);
			ExecPlan(PLAN_CHAT_LAST, values, NULL, 0);
		}
	}
}

/* appends ids as [[lo,hi],...]; covering gives the one range min..max */
static void
AppendRanges(StringInfo buf, const Int64List *ids, bool covering)
{
	appendStringInfoChar(buf, '[');
	if (covering && ids->len > 0)
		appendStringInfo(buf, "[" INT64_FORMAT "," INT64_FORMAT "]", ids->items[0],
						 ids->items[ids->len - 1]);
	else
	{
		for (int i = 0; i < ids->len;)
		{
			int j = i;

			while (j + 1 < ids->len && ids->items[j + 1] == ids->items[j] + 1)
				j++;
			appendStringInfo(buf, "%s[" INT64_FORMAT "," INT64_FORMAT "]", i > 0 ? "," : "",
							 ids->items[i], ids->items[j]);
			i = j + 1;
		}
	}
	appendStringInfoChar(buf, ']');
}

static void
AppendIds(StringInfo buf, const Int64List *ids)
{
	appendStringInfoChar(buf, '[');
	for (int i = 0; i < ids->len; i++)
		appendStringInfo(buf, "%s" INT64_FORMAT, i > 0 ? "," : "", ids->items[i]);
	appendStringInfoChar(buf, ']');
}

/*
 * {"type":"messages","new":[[lo,hi],...],"edited":[id,...],"chats":[id,...]}, degraded step by
 * step until it fits RT_EVENTS_MAX_PAYLOAD: covering "new" range, no "chats" (rt.event_messages
 * derives them), "edited" as ranges, then as one covering range.
 */
static char *
BuildEventsPayload(IngestState *st)
{
	StringInfoData buf;

	ListSortUnique(&st->new_ids);
	ListSortUnique(&st->edited_ids);
	initStringInfo(&buf);
	for (int level = 0; level < 5; level++)
	{
		resetStringInfo(&buf);
		appendStringInfoString(&buf, "{\"type\":\"messages\",\"new\":");
		AppendRanges(&buf, &st->new_ids, level >= 1);
		appendStringInfoString(&buf, ",\"edited\":");
		if (level >= 3)
			AppendRanges(&buf, &st->edited_ids, level >= 4);
		else
			AppendIds(&buf, &st->edited_ids);
		if (level < 2)
		{
			appendStringInfoString(&buf, ",\"chats\":");
			AppendIds(&buf, &st->chat_order);
		}
		DecideAppendNotifications(st->decide, &buf);
		appendStringInfoChar(&buf, '}');
		if (buf.len <= RT_EVENTS_MAX_PAYLOAD)
			break;
	}
	return buf.data;
}

/*
 * The payload becomes a row of the event journal (rt.events, 0.4.0), written in this
 * transaction by rt._journal_append, which also rings the empty NOTIFY rt_events doorbell.
 * A database still at an older extension version has no journal: the payload rides in the
 * NOTIFY itself, as those versions' edges expect.
 */
static void
AppendEvents(const char *payload)
{
	static const Oid argtypes[1] = {TEXTOID};
	Datum values[1];
	int rc;

	static const Oid lookup_types[2] = {TEXTOID, JSONBOID};
	List *name = list_make1(makeString("rt"));

	name = lappend(name, makeString("_journal_append"));
	if (!OidIsValid(LookupFuncName(name, 2, lookup_types, true)))
	{
		Async_Notify(RT_EVENTS_CHANNEL, payload);
		return;
	}
	values[0] = CStringGetTextDatum(payload);
	rc = SPI_execute_with_args("SELECT rt._journal_append('messages', $1::jsonb)", 1,
							   (Oid *) argtypes, values, NULL, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "rt.ingest: rt._journal_append failed: %s", SPI_result_code_string(rc));
}

/* ---- entry point --------------------------------------------------------- */

Datum
ingest(PG_FUNCTION_ARGS)
{
	Jsonb *updates;
	IngestState st;
	MemoryContext callercxt = CurrentMemoryContext;
	StringInfoData result;
	int count;

	if (PG_ARGISNULL(0))
		ereport(ERROR, errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				errmsg("updates must be a json array"), errdetail("The argument is null."));
	updates = PG_GETARG_JSONB_P(0);
	if (!JB_ROOT_IS_ARRAY(updates) || JB_ROOT_IS_SCALAR(updates))
		ereport(ERROR, errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				errmsg("updates must be a json array"),
				errdetail("The argument is a json %s.",
						  JB_ROOT_IS_SCALAR(updates) ? "scalar" : "object"));

	memset(&st, 0, sizeof(st));
	st.batchcxt = AllocSetContextCreate(callercxt, "rt.ingest batch", ALLOCSET_DEFAULT_SIZES);
	st.elemcxt = AllocSetContextCreate(st.batchcxt, "rt.ingest update", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(st.batchcxt);
	initStringInfo(&st.errors);
	st.users = CreateIdTable(&st, "rt.ingest users", sizeof(UserEntry));
	st.chats = CreateIdTable(&st, "rt.ingest chats", sizeof(ChatEntry));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "rt.ingest: SPI_connect failed");
	PreparePlans();
	ExecPlan(PLAN_REQUIRE_ROLE, NULL, NULL, 0);
	st.decide = DecideBegin(st.batchcxt);

	count = JB_ROOT_COUNT(updates);
	/* the fast path stores the whole batch, or nothing: then one subtransaction per update */
	if (!IngestFast(&st, updates, count))
	{
		for (st.index = 0; st.index < count; st.index++)
		{
			JsonbValue *element;

			CHECK_FOR_INTERRUPTS();
			MemoryContextReset(st.elemcxt);
			MemoryContextSwitchTo(st.elemcxt);
			element = getIthJsonbValueFromContainer(&updates->root, st.index);
			st.has_update_id = false;
			st.update_id = 0;
			IngestOne(&st, element);
		}
	}

	MemoryContextSwitchTo(st.batchcxt);
	RefreshUsersAndChats(&st);
	DecideRun(st.decide);
	/* queued fixed replies are new messages of this call too */
	for (int i = 0; i < st.decide->out_messages.len; i++)
		ListAppend(st.batchcxt, &st.new_ids, st.decide->out_messages.items[i]);
	if (st.stored > 0 || st.edited > 0 || st.decide->notifications.len > 0)
		AppendEvents(BuildEventsPayload(&st));
	DecideFinish(st.decide);

	SPI_finish();

	MemoryContextSwitchTo(callercxt);
	initStringInfo(&result);
	appendStringInfo(&result,
					 "{\"stored\":" INT64_FORMAT ",\"duplicates\":" INT64_FORMAT
					 ",\"edited\":" INT64_FORMAT ",\"rejected\":" INT64_FORMAT ",\"errors\":[%s]",
					 st.stored, st.duplicates, st.edited, st.rejected, st.errors.data);
	/* outbox jobs the decisions queued; absent when none, so results read as in 0.1.0 */
	if (st.decide->jobs > 0)
		appendStringInfo(&result, ",\"jobs\":" INT64_FORMAT, st.decide->jobs);
	appendStringInfoChar(&result, '}');
	MemoryContextDelete(st.batchcxt);

	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(result.data)));
}
