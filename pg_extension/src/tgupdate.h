/*
 * tgupdate.h
 *	  Reading a Telegram Update: the parsing phase of rt.ingest.
 *
 * rt.ingest runs in two phases, split by file the way pgvector splits HNSW into hnswbuild.c,
 * hnswinsert.c and hnswscan.c under one header:
 *
 *	tgupdate.c	parse: reads one Update into a TgUpdate and checks it, pure C, no SPI and no
 *				writes; a bad field raises 22023 (or 22001 for text over
 *				roundtable.max_text_bytes) naming the field, e.g. "message.chat.id";
 *	ingest.c	write: stores checked updates idempotently, then hands them to decide.c.
 *
 * Use:
 *
 *	TgUpdate u;
 *
 *	memset(&u, 0, sizeof(u));
 *	TgParseUpdate(element, &u, &update_id, &has_update_id);  // may ereport
 *	if (u.unsupported)  ... u.type_name names the update type (no Message)
 *	else                ... u.m is the Message, u.is_edit for edited_*
 *
 * update_id and has_update_id are written as soon as the update_id is read, so the caller's
 * error message can name the update even when a later field is at fault.  Everything is
 * palloc'd in CurrentMemoryContext.
 */
#ifndef TGUPDATE_H
#define TGUPDATE_H

#include "postgres.h"

#include "utils/jsonb.h"
#include "utils/timestamp.h"

/* the update types that carry a Message, in the order they are looked for */
#define TG_MESSAGE_TYPES 4
extern const char *const tg_message_types[TG_MESSAGE_TYPES];

typedef struct TgUser
{
	int64 id;
	bool is_bot;
	char *first_name;
	char *last_name;
	char *username;
	char *language_code;
} TgUser;

typedef struct TgMessage
{
	int64 message_id;
	TimestampTz created_at;
	TimestampTz edited_at;
	int64 chat_id;
	char *chat_type;
	char *chat_title;
	char *chat_username;
	TgUser *from;
	TgUser *others; /* users named by service messages (joined, left) */
	int nothers;
	const char *kind;
	const char *author_type;
	char *text;
} TgMessage;

/* an update read and checked, before anything of it is written */
typedef struct TgUpdate
{
	JsonbValue *element;
	bool has_update_id;
	int64 update_id;
	bool unsupported; /* carries no Message: stored in rt.ingest_rejects */
	char *type_name;  /* unsupported: its type */
	bool is_edit;
	TgMessage m;
} TgUpdate;

extern void TgParseUpdate(JsonbValue *element, TgUpdate *u, int64 *update_id, bool *has_update_id);

#endif /* TGUPDATE_H */
