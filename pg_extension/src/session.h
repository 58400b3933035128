/*
 * session.h
 *	  The round table's C helpers (session.c): pure functions the SQL turn cycle calls.
 *
 * Use from SQL (sql/base/82_sessions.sql declares them):
 *
 *	status := rt.session_transition(status, 'start');	-- 55000 when not allowed
 *	n := rt.estimate_tokens(text);						-- before asking the provider
 *	IF rt.text_similarity(reply, earlier) >= 0.85 ...	-- a near-repeat: a strike
 *	ctx := rt.compress_context(turns, budget)->'turns';	-- the history over budget
 */
#ifndef SESSION_H
#define SESSION_H

#include "fmgr.h"

extern Datum session_transition(PG_FUNCTION_ARGS);
extern Datum estimate_tokens(PG_FUNCTION_ARGS);
extern Datum text_similarity(PG_FUNCTION_ARGS);
extern Datum compress_context(PG_FUNCTION_ARGS);

#endif /* SESSION_H */
