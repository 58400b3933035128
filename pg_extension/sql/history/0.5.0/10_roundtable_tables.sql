-- roundtable 0.5.0, part 10: the tables of the AI round table (seed document 002): personalities,
-- sessions and their participants, and what history gains for a session's turns. The state
-- machine that moves a session is C (src/session.c, rt.session_transition); the turn cycle is
-- part 30; docs/design/contract-roundtable.md is the contract.

-- ---------------------------------------------------------------------------
-- Personalities: who a participant is in a debate
-- ---------------------------------------------------------------------------

CREATE TABLE rt.personalities (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    instructions text NOT NULL DEFAULT '' CHECK (length(instructions) <= 4000),
    style        text NOT NULL DEFAULT '' CHECK (length(style) <= 1000),
    version      int NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rt.personalities IS 'Round-table personalities: the title a speaker is shown with, its instructions and style, given to the model as its system prompt';
COMMENT ON COLUMN rt.personalities.instructions IS 'what the participant argues for and how it treats the others (system prompt)';
COMMENT ON COLUMN rt.personalities.style IS 'how it speaks: length, register, tone';
COMMENT ON COLUMN rt.personalities.version IS 'bumped on every change; an update with a stale version raises 40001';
CREATE UNIQUE INDEX personalities_title_key ON rt.personalities (lower(title));
COMMENT ON INDEX rt.personalities_title_key IS 'titles are unique regardless of case';
SELECT rt._attach_audit('rt.personalities', 'personality');

ALTER TABLE rt.providers ADD COLUMN personality_id bigint REFERENCES rt.personalities (id) ON DELETE SET NULL;
COMMENT ON COLUMN rt.providers.personality_id IS 'the personality this provider speaks with in round-table sessions; null = none (a plain participant)';
CREATE INDEX providers_personality_idx ON rt.providers (personality_id) WHERE personality_id IS NOT NULL;
COMMENT ON INDEX rt.providers_personality_idx IS 'ON DELETE SET NULL from rt.personalities';

-- ---------------------------------------------------------------------------
-- Sessions
-- ---------------------------------------------------------------------------

CREATE TABLE rt.sessions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chat_id         bigint REFERENCES rt.chats (id),
    user_id         bigint REFERENCES rt.users (id),
    created_by      text NOT NULL,
    topic           text CHECK (length(topic) BETWEEN 1 AND 4000),
    status          text NOT NULL DEFAULT 'awaiting_topic'
                    CHECK (status IN ('awaiting_topic', 'running', 'finished', 'stopped', 'failed')),
    stop_reason     text CHECK (stop_reason IN ('rounds_done', 'timeout', 'token_limit', 'cost_limit',
                                                'stopped_by_user', 'stopped_by_admin', 'no_participants',
                                                'error')),
    stop_detail     text CHECK (length(stop_detail) <= 1000),
    max_rounds      int NOT NULL CHECK (max_rounds BETWEEN 1 AND 100),
    turn_timeout_sec int NOT NULL CHECK (turn_timeout_sec BETWEEN 5 AND 3600),
    context_token_limit int NOT NULL CHECK (context_token_limit BETWEEN 500 AND 1000000),
    max_tokens      bigint CHECK (max_tokens BETWEEN 1 AND 100000000),
    max_cost        numeric(14, 8) CHECK (max_cost > 0 AND max_cost <= 100000),
    summary_provider_id bigint REFERENCES rt.providers (id) ON DELETE SET NULL,
    current_round   int NOT NULL DEFAULT 0 CHECK (current_round >= 0),
    next_position   int NOT NULL DEFAULT 0 CHECK (next_position >= 0),
    turns           int NOT NULL DEFAULT 0 CHECK (turns >= 0),
    summary_state   text CHECK (summary_state IN ('pending', 'done')),
    context_summary text,
    context_summary_round int,
    turn_job        bigint,
    turn_started_at timestamptz,
    turn_deadline   timestamptz,
    tokens_in       bigint NOT NULL DEFAULT 0,
    tokens_out      bigint NOT NULL DEFAULT 0,
    cost            numeric(14, 8) NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sessions_ended_check CHECK ((status IN ('finished', 'stopped', 'failed')) = (finished_at IS NOT NULL AND stop_reason IS NOT NULL)),
    CONSTRAINT sessions_running_check CHECK (status <> 'running' OR (topic IS NOT NULL AND started_at IS NOT NULL))
);
COMMENT ON TABLE rt.sessions IS 'Round-table sessions: a topic debated by the participants in turns (awaiting_topic -> running -> finished | stopped | failed, rt.session_transition)';
COMMENT ON COLUMN rt.sessions.chat_id IS 'the Telegram chat the debate is posted to; null for a session run only in the console';
COMMENT ON COLUMN rt.sessions.user_id IS 'the Telegram user who asked for it (/new); null when an admin created it';
COMMENT ON COLUMN rt.sessions.created_by IS 'telegram:<user id> or admin:<admin id> or the SQL role';
COMMENT ON COLUMN rt.sessions.stop_reason IS 'why it ended: rounds_done, timeout (a turn ran past turn_timeout_sec), token_limit, cost_limit, stopped_by_user, stopped_by_admin, no_participants, error';
COMMENT ON COLUMN rt.sessions.max_rounds IS 'rounds to run (a round is one turn of every active participant); setting roundtable.max_rounds (MAX_ROUNDS) when created';
COMMENT ON COLUMN rt.sessions.turn_timeout_sec IS 'a turn not recorded this long after it began ends the session (timeout); setting roundtable.turn_timeout_sec (TURN_TIMEOUT_SEC)';
COMMENT ON COLUMN rt.sessions.context_token_limit IS 'estimated prompt tokens above which the history is compressed; setting roundtable.context_token_limit (CONTEXT_TOKEN_LIMIT)';
COMMENT ON COLUMN rt.sessions.max_tokens IS 'tokens (in + out) after which the session ends (token_limit); null = no limit';
COMMENT ON COLUMN rt.sessions.max_cost IS 'USD after which the session ends (cost_limit); null = no limit';
COMMENT ON COLUMN rt.sessions.summary_provider_id IS 'provider of the closing summary turn and of context summaries; null = no summary';
COMMENT ON COLUMN rt.sessions.current_round IS 'the round being played, from 1; 0 before the first turn';
COMMENT ON COLUMN rt.sessions.next_position IS 'position of the participant whose turn is next within current_round';
COMMENT ON COLUMN rt.sessions.turns IS 'turns recorded so far: the idempotency key of the next one';
COMMENT ON COLUMN rt.sessions.summary_state IS 'pending while the closing summary turn runs, done after it; null when none';
COMMENT ON COLUMN rt.sessions.context_summary IS 'an LLM summary of rounds 1..context_summary_round that replaces them in the context (written when the history outgrew context_token_limit and a summary provider is set)';
COMMENT ON COLUMN rt.sessions.turn_job IS 'rt.outbox id of the llm.turn job of the turn in progress';
COMMENT ON COLUMN rt.sessions.turn_deadline IS 'when the turn in progress times out (the reaper ends the session after it)';
COMMENT ON COLUMN rt.sessions.cost IS 'USD of every turn so far, at the prices in effect when each began';

CREATE UNIQUE INDEX sessions_one_active_per_chat ON rt.sessions (chat_id)
    WHERE status IN ('awaiting_topic', 'running') AND chat_id IS NOT NULL;
CREATE INDEX sessions_list_idx ON rt.sessions (id DESC);
CREATE INDEX sessions_chat_idx ON rt.sessions (chat_id, id DESC) WHERE chat_id IS NOT NULL;
CREATE INDEX sessions_deadline_idx ON rt.sessions (turn_deadline) WHERE status = 'running';
COMMENT ON INDEX rt.sessions_one_active_per_chat IS 'a chat has at most one session awaiting its topic or running';
COMMENT ON INDEX rt.sessions_deadline_idx IS 'the reaper: running sessions whose turn is past its deadline';

CREATE TABLE rt.session_participants (
    session_id        bigint NOT NULL REFERENCES rt.sessions (id) ON DELETE CASCADE,
    position          int NOT NULL CHECK (position BETWEEN 0 AND 100),
    provider_id       bigint REFERENCES rt.providers (id) ON DELETE SET NULL,
    provider_name     text NOT NULL,
    personality_id    bigint REFERENCES rt.personalities (id) ON DELETE SET NULL,
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    instructions      text NOT NULL DEFAULT '',
    style             text NOT NULL DEFAULT '',
    status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'excluded')),
    strikes           int NOT NULL DEFAULT 0 CHECK (strikes >= 0),
    excluded_reason   text,
    turns             int NOT NULL DEFAULT 0,
    tokens_in         bigint NOT NULL DEFAULT 0,
    tokens_out        bigint NOT NULL DEFAULT 0,
    cost              numeric(14, 8) NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, position)
);
COMMENT ON TABLE rt.session_participants IS 'Who speaks in a session, in order: the enabled providers by (position, id) when the session started, each with its personality (copied, so later edits do not change a running debate)';
COMMENT ON COLUMN rt.session_participants.name IS 'the speaker label shown in Telegram and the console ("ChatGPT · Оптимист")';
COMMENT ON COLUMN rt.session_participants.strikes IS 'empty or (nearly) repeated replies; two exclude the participant';
COMMENT ON COLUMN rt.session_participants.excluded_reason IS 'why it was excluded: empty or repeated replies, or the provider failing for good';

-- ---------------------------------------------------------------------------
-- History: a session's turns are messages too
-- ---------------------------------------------------------------------------

ALTER TABLE rt.messages ALTER COLUMN chat_id DROP NOT NULL;
ALTER TABLE rt.messages
    ADD COLUMN session_id bigint,
    ADD COLUMN speaker text,
    ADD COLUMN round int,
    ADD COLUMN participant int,
    ADD COLUMN reply_markup jsonb CHECK (jsonb_typeof(reply_markup) = 'object');
ALTER TABLE rt.messages ADD CONSTRAINT messages_chat_or_session_check CHECK (chat_id IS NOT NULL OR session_id IS NOT NULL);
COMMENT ON COLUMN rt.messages.chat_id IS 'the Telegram chat; null only for the turns of a session run in the console alone';
COMMENT ON COLUMN rt.messages.session_id IS 'rt.sessions.id of a round-table turn, interjection or session notice (no foreign key: history outlives sessions)';
COMMENT ON COLUMN rt.messages.speaker IS 'the speaker label of a round-table turn ("ChatGPT · Оптимист", "Summary")';
COMMENT ON COLUMN rt.messages.round IS 'the round of a round-table turn, from 1';
COMMENT ON COLUMN rt.messages.reply_markup IS 'the keyboard an outgoing bot message was sent with (Telegram reply_markup: the menu''s reply keyboard, the donate link''s inline button), shown by the console and the simulator';
COMMENT ON COLUMN rt.messages.participant IS 'rt.session_participants.position of the speaker; null for the summary and for notices';
CREATE INDEX messages_session_idx ON rt.messages (session_id, id) WHERE session_id IS NOT NULL;
COMMENT ON INDEX rt.messages_session_idx IS 'a session''s history in order';

ALTER TABLE rt.chats ADD COLUMN session_id bigint;
COMMENT ON COLUMN rt.chats.session_id IS 'the session awaiting its topic or running in this chat (kept by the session functions, read by rt.ingest to route messages); null when none';
