/*
 * decide.h
 *	  What rt.ingest does about each message it stored: moderation, the round table's
 *	  commands and sessions, playbooks, mention detection and the auto-reply decision, written
 *	  as rt.outbox jobs and notifications (docs/decisions/008-decisions-in-ingest.md).
 *
 * Use from rt.ingest, inside its SPI connection:
 *
 *	DecideBatch *d = DecideBegin(batchcxt);		   // reads the settings once per call
 *	DecideCollect(d, &input);					   // per stored or edited message
 *	DecideForget(d);							   // the writes were rolled back: start over
 *	DecideRun(d);								   // after the batch's own writes
 *	... d->jobs, d->out_messages (new ids) and DecideAppendNotifications go into the result
 *	    and the one rt_events payload
 *	DecideFinish(d);							   // one NOTIFY rt_outbox when jobs were queued
 *
 * DecideCollect only copies what it needs (and detects mentions from the update's JSON), so
 * it may run inside a per-update subtransaction or memory context that is reset afterwards.
 */
#ifndef DECIDE_H
#define DECIDE_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#define RT_OUTBOX_CHANNEL "rt_outbox"

/* a stored (or edited) incoming message, as rt.ingest knows it */
typedef struct DecideInput
{
	int64 message_pk;
	TimestampTz created_at; /* partition key of message_pk */
	int64 chat_id;
	const char *chat_type; /* private, group, supergroup, channel */
	int64 message_id;      /* Telegram's */
	bool has_user;
	int64 user_id;
	bool from_bot;
	const char *kind; /* text, caption, service, unsupported */
	const char *text;
	bool is_edit;
	JsonbContainer *message; /* the Telegram Message object: entities, reply_to_message */
} DecideInput;

typedef struct DecideList
{
	int64 *items;
	int len;
	int cap;
} DecideList;

typedef struct DecidePending DecidePending;

typedef struct DecideBatch
{
	MemoryContext cxt;
	/* settings, read once per call */
	char *bot_username; /* without @; NULL when unknown */
	bool has_bot_id;
	int64 bot_id;
	int context_messages;
	bool moderation; /* enabled moderation rules exist */
	bool playbooks;  /* enabled playbooks exist */
	bool resolver;   /* rt.resolve_params is installed */
	/* the round table (0.5.0), read once per call when rt._roundtable_route is installed */
	bool roundtable;
	bool rt_sessions;    /* some chat has a session awaiting its topic or running */
	char *rt_buttons[3]; /* the menu buttons' labels: new, stop, donate */
	/* collected messages */
	DecidePending *pending;
	int npending;
	int cappending;
	struct HTAB *chats;
	/* results */
	int64 jobs;
	DecideList notifications; /* new rt.notifications ids */
	DecideList out_messages;  /* new rt.messages ids (queued fixed replies) */
	char *failure;            /* the decision phase failed: why (its writes were rolled back) */
} DecideBatch;

extern DecideBatch *DecideBegin(MemoryContext cxt);
extern void DecideCollect(DecideBatch *d, const DecideInput *in);
extern void DecideForget(DecideBatch *d);
extern void DecideRun(DecideBatch *d);
extern void DecideAppendNotifications(DecideBatch *d, StringInfo buf);
extern void DecideFinish(DecideBatch *d);

/* mention kinds, exposed for tests through rt.detect_mention */
typedef enum MentionKind
{
	MENTION_NONE = 0,
	MENTION_USERNAME,
	MENTION_REPLY,
	MENTION_TEXT_MENTION,
	MENTION_COMMAND
} MentionKind;

extern MentionKind DetectMention(JsonbContainer *message, const char *text, bool private_chat,
								 const char *bot_username, bool has_bot_id, int64 bot_id);
extern const char *MentionKindName(MentionKind kind);

extern Datum detect_mention(PG_FUNCTION_ARGS);

#endif /* DECIDE_H */
