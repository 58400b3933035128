-- The round table's C helpers (src/session.c): the session state table, the token estimate,
-- the near-repeat similarity and the extractive context compression. Pure functions, no SET
-- clause (they touch no table); the turn cycle (part 30) calls them.

CREATE FUNCTION rt.session_transition(status text, event text) RETURNS text
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'session_transition';
COMMENT ON FUNCTION rt.session_transition(text, text) IS 'The session state table (docs/design/contract-roundtable.md): the status after event (topic, start, stop, finish, fail) in status (awaiting_topic: topic -> awaiting_topic, start -> running, stop -> stopped, fail -> failed; running: stop -> stopped, finish -> finished, fail -> failed; finished, stopped, failed: nothing). A pair not in the table raises 55000 session in state "<status>" cannot <event>; an unknown status or event raises 22023 naming it';

CREATE FUNCTION rt.estimate_tokens(t text) RETURNS int
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'estimate_tokens';
COMMENT ON FUNCTION rt.estimate_tokens(text) IS 'Estimated BPE tokens of t without a vocabulary, calibrated on o200k_base (gpt-4o family): runs of Latin letters ceil(n/12), Cyrillic ceil(n/5.75), digits ceil(n/3), a newline run 1, extra spaces 1/4 each (+1 before digits), emoji 2, other characters 0.8; 0 for the empty text, else at least 1. Mean error about 8% on tests/fixtures/token-corpus.json (Russian, English, code, numbers); cl100k_base spends about twice as many tokens on Cyrillic';

CREATE FUNCTION rt.text_similarity(a text, b text) RETURNS float8
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'text_similarity';
COMMENT ON FUNCTION rt.text_similarity(text, text) IS 'Near-repeat similarity in [0,1]: the Dice coefficient of the character 4-gram multisets of both texts, normalised as rt.normalize''s base form (Latin and Cyrillic case folded, ё as е) with punctuation as word breaks and whitespace collapsed. Identical after normalisation = 1, nothing in common = 0; two texts without letters or digits = 1. Only the first 20000 bytes of each input are compared';

CREATE FUNCTION rt.compress_context(turns jsonb, budget int) RETURNS jsonb
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'compress_context';
COMMENT ON FUNCTION rt.compress_context(jsonb, int) IS 'Extractive context compression. turns: an array of objects, each with an integer "round" and a string "content" (or "text"), other keys kept. Turns of round <= 0 (the topic) and of the highest round are kept whole; older turns are cut to their leading sentences (split after . ! ? … and before newlines), one sentence fewer at a time, oldest first, until the estimate fits budget; if one sentence each is still too much, the oldest older turns are dropped. Cost of a turn: rt.estimate_tokens(text) + 4. Returns {"turns": [...same order, cut ones with "compressed": true], "tokens": n, "compressed": bool, "dropped": k}; tokens may exceed budget only when the kept turns alone do. 22023 for a non-array, a bad turn or a negative budget';
