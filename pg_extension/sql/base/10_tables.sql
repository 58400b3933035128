-- roundtable base, tables: Tables, sequences and indexes: the whole data model, by concept

-- -----------------------------------------------------------------------------------------------
-- Admins, settings, the audit log and the event journal
-- -----------------------------------------------------------------------------------------------

CREATE TABLE rt.admins (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login         text NOT NULL UNIQUE CHECK (length(login) BETWEEN 1 AND 100),
    password_hash text NOT NULL,
    role          text NOT NULL CHECK (role IN ('owner', 'admin', 'moderator', 'viewer')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    disabled_at   timestamptz,
    session_epoch bigint NOT NULL DEFAULT 0
);
COMMENT ON TABLE rt.admins IS 'Console administrators; password_hash is bcrypt (pgcrypto crypt, bf cost 10)';
COMMENT ON COLUMN rt.admins.role IS 'viewer < moderator < admin < owner';
COMMENT ON COLUMN rt.admins.disabled_at IS 'set when the admin may no longer log in';
COMMENT ON COLUMN rt.admins.session_epoch IS 'raised by one at each change of role, disabled_at or password_hash; sessions made at an older epoch are refused (rt.actor_epoch)';

CREATE TABLE rt.settings (
    key        text PRIMARY KEY,
    value      jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rt.settings IS 'Global settings (bot texts, limits), one JSON value per key';

CREATE TABLE rt.audit_log (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at     timestamptz NOT NULL DEFAULT now(),
    actor  text NOT NULL,
    action text NOT NULL,
    target text,
    before jsonb,
    after  jsonb
);
COMMENT ON TABLE rt.audit_log IS 'Who changed what: actor is admin:<id> or db:<session user>';

CREATE INDEX audit_log_target_idx ON rt.audit_log (target, id DESC);
COMMENT ON INDEX rt.audit_log_target_idx IS 'history of one object, newest first (rt.list_audit target filter)';

CREATE INDEX audit_log_actor_idx ON rt.audit_log (actor, id DESC);
COMMENT ON INDEX rt.audit_log_actor_idx IS 'what one admin did, newest first (rt.list_audit actor filter)';

CREATE SEQUENCE rt.events_id_seq;

CREATE TABLE rt.events (
    id bigint PRIMARY KEY DEFAULT nextval('rt.events_id_seq'),
    at timestamptz NOT NULL DEFAULT now(),
    type text NOT NULL CHECK (type ~ '^[a-z][a-z._]{0,62}$'),
    data jsonb NOT NULL
);
COMMENT ON TABLE rt.events IS 'The event journal behind NOTIFY rt_events: one row per change (types messages, changed, admin.changed), ids in commit order, written only by rt._journal_append; read by the edge after its last id (rt.events_after); pruned after a day';
ALTER SEQUENCE rt.events_id_seq OWNED BY rt.events.id;


-- -----------------------------------------------------------------------------------------------
-- LLM providers, their prices and the personalities they speak with
-- -----------------------------------------------------------------------------------------------

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

CREATE TABLE rt.providers (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    type           text NOT NULL CHECK (type IN ('openai', 'deepseek', 'openai_compatible', 'anthropic', 'demo')),
    base_url       text CHECK (length(base_url) <= 500),
    model_id       text NOT NULL CHECK (length(model_id) BETWEEN 1 AND 200),
    params         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object'),
    api_key_enc    text CHECK (length(api_key_enc) BETWEEN 1 AND 4096),
    api_key_hint   text CHECK (length(api_key_hint) <= 100),
    enabled        boolean NOT NULL DEFAULT false,
    position       int NOT NULL DEFAULT 0 CHECK (position BETWEEN 0 AND 1000),
    version        int NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    personality_id bigint REFERENCES rt.personalities (id) ON DELETE SET NULL,
    CONSTRAINT providers_base_url_check1 CHECK (type <> 'openai_compatible' OR base_url IS NOT NULL)
);
COMMENT ON TABLE rt.providers IS 'LLM endpoints the edge calls for replies and drafts; auto-replies use the chat''s provider, else setting autoreply.provider, else the first enabled one by (position, id)';
COMMENT ON COLUMN rt.providers.type IS 'request dialect: openai, deepseek, openai_compatible (chat completions), anthropic (messages) or demo (offline, answered by the edge)';
COMMENT ON COLUMN rt.providers.base_url IS 'API root without the endpoint (https://api.openai.com/v1); null for demo';
COMMENT ON COLUMN rt.providers.model_id IS 'model sent in every request (gpt-4o-mini, deepseek-chat, ...)';
COMMENT ON COLUMN rt.providers.params IS 'extra request body fields (top_p, reasoning_effort, ...); the compiled parameters win over them';
COMMENT ON COLUMN rt.providers.api_key_enc IS 'Fernet token of the API key, made by the edge with SECRETS_KEY; never returned by the API, never audited';
COMMENT ON COLUMN rt.providers.api_key_hint IS 'a recognisable fragment of the key for the console ("sk-…abcd")';
COMMENT ON COLUMN rt.providers.position IS 'order among providers (0..1000, lower first): the default provider is the first enabled one';
COMMENT ON COLUMN rt.providers.version IS 'bumped on every change; update_provider with a stale version raises 40001';
COMMENT ON COLUMN rt.providers.personality_id IS 'the personality this provider speaks with in round-table sessions; null = none (a plain participant)';

CREATE UNIQUE INDEX providers_name_key ON rt.providers (lower(name));
COMMENT ON INDEX rt.providers_name_key IS 'provider names are unique regardless of case';

CREATE INDEX providers_order_idx ON rt.providers (position, id);
COMMENT ON INDEX rt.providers_order_idx IS 'default provider (first enabled) and the keyset of rt.list_providers';

CREATE INDEX providers_personality_idx ON rt.providers (personality_id) WHERE personality_id IS NOT NULL;
COMMENT ON INDEX rt.providers_personality_idx IS 'ON DELETE SET NULL from rt.personalities';

CREATE TABLE rt.provider_prices (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id        bigint NOT NULL REFERENCES rt.providers (id) ON DELETE CASCADE,
    input_per_m        numeric CHECK (input_per_m BETWEEN 0 AND 1000000),
    cached_input_per_m numeric CHECK (cached_input_per_m BETWEEN 0 AND 1000000),
    output_per_m       numeric CHECK (output_per_m BETWEEN 0 AND 1000000),
    effective_from     timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rt.provider_prices IS 'Prices of a provider over time, USD per 1M tokens; a call costs by the row with the greatest effective_from <= the call''s start (null prices cost 0)';
COMMENT ON COLUMN rt.provider_prices.cached_input_per_m IS 'price of prompt tokens served from the provider''s cache';

CREATE INDEX provider_prices_lookup_idx ON rt.provider_prices (provider_id, effective_from DESC, id DESC);
COMMENT ON INDEX rt.provider_prices_lookup_idx IS 'the price row in effect at a time: one probe per call';


-- -----------------------------------------------------------------------------------------------
-- History: users, chats, messages (partitioned by month) and the idempotency keys of ingest
-- -----------------------------------------------------------------------------------------------

CREATE TABLE rt.users (
    id            bigint PRIMARY KEY,
    is_bot        boolean NOT NULL DEFAULT false,
    first_name    text,
    last_name     text,
    username      text,
    language_code text,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    muted         boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE rt.users IS 'Telegram users seen by the bot; id is the Telegram user id';
COMMENT ON COLUMN rt.users.muted IS 'never auto-reply to this user';

CREATE TABLE rt.chats (
    id               bigint PRIMARY KEY,
    type             text NOT NULL CHECK (type IN ('private', 'group', 'supergroup', 'channel')),
    title            text,
    username         text,
    autoreply        boolean NOT NULL DEFAULT false,
    reply_on_mention boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_message_at  timestamptz,
    last_message_id  bigint,
    takeover_until   timestamptz,
    takeover_by      text,
    provider_id      bigint REFERENCES rt.providers (id) ON DELETE SET NULL,
    session_id       bigint
);
COMMENT ON TABLE rt.chats IS 'Telegram chats the bot is in; id is the Telegram chat id';
COMMENT ON COLUMN rt.chats.title IS 'group title, or the user''s name for private chats';
COMMENT ON COLUMN rt.chats.last_message_at IS 'created_at of the newest message (with last_message_id: its partition key)';
COMMENT ON COLUMN rt.chats.last_message_id IS 'rt.messages.id of the newest message';
COMMENT ON COLUMN rt.chats.takeover_until IS 'auto-reply is paused for this chat until then (a human took over)';
COMMENT ON COLUMN rt.chats.takeover_by IS 'actor who took over the chat';
COMMENT ON COLUMN rt.chats.provider_id IS 'provider of this chat''s auto-replies; null = setting autoreply.provider, else the first enabled provider';
COMMENT ON COLUMN rt.chats.session_id IS 'the session awaiting its topic or running in this chat (kept by the session functions, read by rt.ingest to route messages); null when none';

CREATE INDEX chats_recent_idx ON rt.chats (last_message_at DESC NULLS LAST, id DESC);
COMMENT ON INDEX rt.chats_recent_idx IS 'keyset order of rt.list_chats';

CREATE INDEX chats_provider_idx ON rt.chats (provider_id) WHERE provider_id IS NOT NULL;
COMMENT ON INDEX rt.chats_provider_idx IS 'ON DELETE SET NULL from rt.providers';

CREATE INDEX chats_session_idx ON rt.chats (last_message_at DESC NULLS LAST, id DESC) WHERE session_id IS NOT NULL;
COMMENT ON INDEX rt.chats_session_idx IS 'chats with a round table, in list order (rt.list_chats roundtable filter)';

CREATE SEQUENCE rt.messages_id_seq;
COMMENT ON SEQUENCE rt.messages_id_seq IS 'ids of rt.messages; one batch takes a contiguous run';

CREATE TABLE rt.messages (
    id              bigint NOT NULL DEFAULT nextval('rt.messages_id_seq'),
    chat_id         bigint REFERENCES rt.chats (id),
    message_id      bigint,
    user_id         bigint,
    update_id       bigint,
    direction       text NOT NULL CHECK (direction IN ('in', 'out')),
    author_type     text NOT NULL CHECK (author_type IN ('user', 'admin', 'bot', 'system')),
    kind            text NOT NULL CHECK (kind IN ('text', 'caption', 'service', 'unsupported')),
    text            text,
    edited_at       timestamptz,
    edit_history    jsonb NOT NULL DEFAULT '[]',
    raw             jsonb,
    created_at      timestamptz NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    status          text CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    labels          text[] NOT NULL DEFAULT '{}',
    moderation      text CHECK (moderation IN ('flagged', 'hidden', 'deleted')),
    moderated_at    timestamptz,
    moderated_by    text,
    provider_id     bigint,
    provider_name   text,
    provider_type   text,
    model           text,
    tokens_in       int,
    tokens_cached   int,
    tokens_out      int,
    cost            numeric(14, 8),
    latency_ms      int,
    usage_estimated boolean,
    error           text,
    sent_at         timestamptz,
    in_reply_to     bigint,
    session_id      bigint,
    speaker         text,
    round           int,
    participant     int,
    reply_markup    jsonb CHECK (jsonb_typeof(reply_markup) = 'object'),
    CONSTRAINT messages_chat_or_session_check CHECK (chat_id IS NOT NULL OR session_id IS NOT NULL)
) PARTITION BY RANGE (created_at);
COMMENT ON TABLE rt.messages IS 'All message history, partitioned by month of created_at; idempotency lives in rt.message_keys and rt.update_keys';
COMMENT ON COLUMN rt.messages.message_id IS 'Telegram message id; null for an outgoing message not yet sent';
COMMENT ON COLUMN rt.messages.created_at IS 'Telegram date of the message; the partition key';
COMMENT ON COLUMN rt.messages.edit_history IS 'previous versions, oldest first: [{"text","edited_at"}]';
COMMENT ON COLUMN rt.messages.raw IS 'the Telegram Update the row was first stored from';
COMMENT ON COLUMN rt.messages.status IS 'delivery of an outgoing message: queued, sending, sent or failed; null for incoming ones';
COMMENT ON COLUMN rt.messages.labels IS 'moderation labels (spam, abuse, links, ...) from rules or an admin';
COMMENT ON COLUMN rt.messages.moderation IS 'strongest moderation action applied: flagged, hidden or deleted';
COMMENT ON COLUMN rt.messages.moderated_at IS 'when the moderation state last changed';
COMMENT ON COLUMN rt.messages.moderated_by IS 'rule:<id>, admin:<id> or db:<role> that last changed the moderation state';
COMMENT ON COLUMN rt.messages.provider_id IS 'rt.providers.id of the model call that wrote this reply (no foreign key: history outlives providers)';
COMMENT ON COLUMN rt.messages.provider_name IS 'provider name at the time of the call';
COMMENT ON COLUMN rt.messages.provider_type IS 'provider type at the time of the call (openai, deepseek, openai_compatible, anthropic, demo)';
COMMENT ON COLUMN rt.messages.model IS 'model id the provider answered with';
COMMENT ON COLUMN rt.messages.tokens_in IS 'prompt tokens of the call, cached ones included';
COMMENT ON COLUMN rt.messages.tokens_cached IS 'prompt tokens served from the provider''s cache';
COMMENT ON COLUMN rt.messages.tokens_out IS 'completion tokens of the call';
COMMENT ON COLUMN rt.messages.cost IS 'USD: (in - cached) * input_per_m + cached * cached_input_per_m + out * output_per_m, per 1M tokens, at the prices effective when the call started';
COMMENT ON COLUMN rt.messages.latency_ms IS 'milliseconds from the request to the last token';
COMMENT ON COLUMN rt.messages.usage_estimated IS 'the provider reported no usage; the token counts are the edge''s estimate';
COMMENT ON COLUMN rt.messages.error IS 'why delivery failed (status failed)';
COMMENT ON COLUMN rt.messages.sent_at IS 'when Telegram accepted the outgoing message';
COMMENT ON COLUMN rt.messages.in_reply_to IS 'rt.messages.id of the message this reply answers';
COMMENT ON COLUMN rt.messages.chat_id IS 'the Telegram chat; null only for the turns of a session run in the console alone';
COMMENT ON COLUMN rt.messages.session_id IS 'rt.sessions.id of a round-table turn, interjection or session notice (no foreign key: history outlives sessions)';
COMMENT ON COLUMN rt.messages.speaker IS 'the speaker label of a round-table turn ("ChatGPT · Оптимист", "Summary")';
COMMENT ON COLUMN rt.messages.round IS 'the round of a round-table turn, from 1';
COMMENT ON COLUMN rt.messages.reply_markup IS 'the keyboard an outgoing bot message was sent with (Telegram reply_markup: the menu''s reply keyboard, the donate link''s inline button), shown by the console and the simulator';
COMMENT ON COLUMN rt.messages.participant IS 'rt.session_participants.position of the speaker; null for the summary and for notices';
ALTER SEQUENCE rt.messages_id_seq OWNED BY rt.messages.id;

CREATE TABLE rt.message_keys (
    chat_id    bigint NOT NULL,
    message_id bigint NOT NULL,
    message_pk bigint NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
COMMENT ON TABLE rt.message_keys IS 'Idempotency of (chat_id, message_id): maps it to the rt.messages row (decision 001)';

CREATE TABLE rt.update_keys (
    update_id   bigint PRIMARY KEY,
    received_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rt.update_keys IS 'Telegram update_ids already ingested (decision 001)';

CREATE SEQUENCE rt.sim_ids AS bigint MINVALUE 9000000000000 START WITH 9000000000000;
COMMENT ON SEQUENCE rt.sim_ids IS 'ids of the simulator (rt.sim_next_id): update ids from 9000000000000 so they never meet Telegram''s, and message id = value - 9000000000000 + 1; in the database, so a lost Redis or a restore cannot hand out an id twice';

CREATE TABLE rt.ingest_rejects (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    update_id   bigint,
    raw         text,
    error       text NOT NULL,
    sqlstate    text,
    received_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rt.ingest_rejects IS 'Updates that could not be stored as messages: bad shape, too long, unparsable, unsupported type';
COMMENT ON COLUMN rt.ingest_rejects.raw IS 'the update as received; text because it may not be valid JSON';

CREATE TABLE rt.chat_reads (
    admin_id     bigint NOT NULL REFERENCES rt.admins (id) ON DELETE CASCADE,
    chat_id      bigint NOT NULL REFERENCES rt.chats (id) ON DELETE CASCADE,
    last_read_pk bigint NOT NULL,
    read_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (admin_id, chat_id)
);
COMMENT ON TABLE rt.chat_reads IS 'Read marks: each console admin has read a chat up to the message rt.messages.id = last_read_pk (set by rt.mark_chat_read)';
COMMENT ON COLUMN rt.chat_reads.last_read_pk IS 'rt.messages.id of the newest message of the chat when the admin marked it read; user messages with a higher id are unread';

CREATE INDEX chat_reads_chat_idx ON rt.chat_reads (chat_id);
COMMENT ON INDEX rt.chat_reads_chat_idx IS 'the foreign key to rt.chats (deleting a chat)';


-- -----------------------------------------------------------------------------------------------
-- Behaviour: presets and their bindings, playbooks, moderation rules, regex budgets, notifications
-- -----------------------------------------------------------------------------------------------

CREATE TABLE rt.presets (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description         text CHECK (length(description) <= 1000),
    temperature         numeric CHECK (temperature BETWEEN 0 AND 2),
    max_tokens          int CHECK (max_tokens BETWEEN 1 AND 32000),
    tone                text CHECK (tone IN ('formal', 'friendly', 'neutral', 'aggressive')),
    verbosity           text CHECK (verbosity IN ('short', 'detailed')),
    emotional_intensity int CHECK (emotional_intensity BETWEEN 0 AND 100),
    persona             text CHECK (length(persona) <= 4000),
    version             int NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rt.presets IS 'Model behaviour presets; a null parameter means "not set here" and falls through to the next lower layer';
COMMENT ON COLUMN rt.presets.temperature IS 'sampling temperature 0..2 (scaled to 0..1 for anthropic)';
COMMENT ON COLUMN rt.presets.max_tokens IS 'longest reply in tokens, 1..32000';
COMMENT ON COLUMN rt.presets.tone IS 'formal, friendly, neutral or aggressive';
COMMENT ON COLUMN rt.presets.verbosity IS 'short or detailed';
COMMENT ON COLUMN rt.presets.emotional_intensity IS '0 (calm) .. 100 (intense)';
COMMENT ON COLUMN rt.presets.persona IS 'persona instructions, first part of the system prompt (at most 4000 characters)';
COMMENT ON COLUMN rt.presets.version IS 'bumped on every change; update_preset with a stale version raises 40001';

CREATE UNIQUE INDEX presets_name_key ON rt.presets (lower(name));
COMMENT ON INDEX rt.presets_name_key IS 'preset names are unique regardless of case';

CREATE TABLE rt.preset_bindings (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope      text NOT NULL CHECK (scope IN ('global', 'chat', 'user', 'chat_user')),
    chat_id    bigint,
    user_id    bigint,
    preset_id  bigint NOT NULL REFERENCES rt.presets (id) ON DELETE CASCADE,
    expires_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL DEFAULT rt.current_actor(),
    CONSTRAINT preset_bindings_target_check CHECK (
        (chat_id IS NOT NULL) = (scope IN ('chat', 'chat_user'))
        AND (user_id IS NOT NULL) = (scope IN ('user', 'chat_user')))
);
COMMENT ON TABLE rt.preset_bindings IS 'Which preset applies where; per layer the newest unexpired binding wins, so an expiring binding falls back to the older one on time with no job';
COMMENT ON COLUMN rt.preset_bindings.scope IS 'global, chat (chat_id), user (user_id, in every chat) or chat_user (both)';
COMMENT ON COLUMN rt.preset_bindings.expires_at IS 'the binding stops applying at this instant; null = permanent';
COMMENT ON COLUMN rt.preset_bindings.created_by IS 'admin:<id>, db:<role> or playbook:<id>';

-- The resolution lookups: one partial index per stored layer, keyed by its target and then
-- newest first, carrying the two columns read, so each layer is one index-only probe that stops
-- at the first unexpired entry. (A single index on (scope, chat_id, user_id, ...) loses the
-- created_at order behind "user_id IS NULL", which the planner does not treat as equality.)
CREATE INDEX preset_bindings_global_idx ON rt.preset_bindings (created_at DESC, id DESC)
    INCLUDE (expires_at, preset_id) WHERE scope = 'global';
COMMENT ON INDEX rt.preset_bindings_global_idx IS 'resolution: newest global binding';

CREATE INDEX preset_bindings_chat_idx ON rt.preset_bindings (chat_id, created_at DESC, id DESC)
    INCLUDE (expires_at, preset_id) WHERE scope = 'chat';
COMMENT ON INDEX rt.preset_bindings_chat_idx IS 'resolution: newest binding of one chat';

CREATE INDEX preset_bindings_user_idx ON rt.preset_bindings (user_id, created_at DESC, id DESC)
    INCLUDE (expires_at, preset_id) WHERE scope = 'user';
COMMENT ON INDEX rt.preset_bindings_user_idx IS 'resolution: newest binding of one user (every chat)';

CREATE INDEX preset_bindings_chat_user_idx ON rt.preset_bindings (chat_id, user_id, created_at DESC, id DESC)
    INCLUDE (expires_at, preset_id) WHERE scope = 'chat_user';
COMMENT ON INDEX rt.preset_bindings_chat_user_idx IS 'resolution: newest binding of one user in one chat';

CREATE INDEX preset_bindings_preset_idx ON rt.preset_bindings (preset_id);
COMMENT ON INDEX rt.preset_bindings_preset_idx IS 'ON DELETE CASCADE from rt.presets and list_bindings by preset';

CREATE TABLE rt.playbooks (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    enabled      boolean NOT NULL DEFAULT true,
    priority     int NOT NULL DEFAULT 100,
    pattern      text NOT NULL CHECK (length(pattern) BETWEEN 1 AND 500),
    pattern_kind text NOT NULL DEFAULT 'word' CHECK (pattern_kind IN ('word', 'phrase', 'substring', 'regex')),
    chat_ids     bigint[],
    preset_id    bigint REFERENCES rt.presets (id) ON DELETE SET NULL,
    preset_hours numeric CHECK (preset_hours > 0 AND preset_hours <= 8760),
    reply_text   text CHECK (length(reply_text) BETWEEN 1 AND 4096),
    stop         boolean NOT NULL DEFAULT false,
    version      int NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rt.playbooks IS 'If an incoming message matches pattern (in chat_ids, or every chat), apply preset_id (for preset_hours, else for this reply only), send reply_text, and with stop skip later playbooks; lower priority runs first';
COMMENT ON COLUMN rt.playbooks.priority IS 'evaluation order, lower first (ties by id)';
COMMENT ON COLUMN rt.playbooks.pattern_kind IS 'word (whole word), phrase (whole words, whitespace folded), substring, or regex (~*)';
COMMENT ON COLUMN rt.playbooks.chat_ids IS 'scope: only these chats; null = every chat';
COMMENT ON COLUMN rt.playbooks.preset_id IS 'preset to apply; a deleted preset leaves null';
COMMENT ON COLUMN rt.playbooks.preset_hours IS 'with preset_id: bind the preset to the chat for this many hours; null = override for this one reply';
COMMENT ON COLUMN rt.playbooks.reply_text IS 'fixed reply sent through the outbox (telegram.send)';
COMMENT ON COLUMN rt.playbooks.stop IS 'no further playbooks after this one fires';
COMMENT ON COLUMN rt.playbooks.version IS 'bumped on every change; update_playbook with a stale version raises 40001';

CREATE INDEX playbooks_order_idx ON rt.playbooks (priority, id);
COMMENT ON INDEX rt.playbooks_order_idx IS 'evaluation order and the keyset of rt.list_playbooks';

CREATE TABLE rt.moderation_rules (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    enabled      boolean NOT NULL DEFAULT true,
    pattern      text NOT NULL CHECK (length(pattern) BETWEEN 1 AND 500),
    pattern_kind text NOT NULL DEFAULT 'word' CHECK (pattern_kind IN ('word', 'phrase', 'substring', 'regex')),
    evasion      boolean NOT NULL DEFAULT true,
    label        text NOT NULL CHECK (length(label) BETWEEN 1 AND 64),
    action       text NOT NULL DEFAULT 'flag' CHECK (action IN ('flag', 'hide', 'delete')),
    chat_ids     bigint[],
    version      int NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rt.moderation_rules IS 'Dictionary moderation: a message matching pattern gets label and the action (the strongest of all hits wins: delete > hide > flag)';
COMMENT ON COLUMN rt.moderation_rules.pattern_kind IS 'word (whole word), phrase (whole words, whitespace folded), substring, or regex (~*)';
COMMENT ON COLUMN rt.moderation_rules.evasion IS 'also match look-alike letters, split letters (with or without one glued one-letter word at either end), repeats, digit and symbol swaps read in the script of their word, and phrases spelled out or glued without spaces (word, phrase, substring kinds)';
COMMENT ON COLUMN rt.moderation_rules.label IS 'label added to rt.messages.labels (spam, abuse, links, ...)';
COMMENT ON COLUMN rt.moderation_rules.action IS 'flag (mark), hide (hide in the console), delete (also in Telegram, through the outbox)';
COMMENT ON COLUMN rt.moderation_rules.chat_ids IS 'scope: only these chats; null = every chat';
COMMENT ON COLUMN rt.moderation_rules.version IS 'bumped on every change; update_moderation_rule with a stale version raises 40001';

CREATE TABLE rt.regex_overruns (
    rule_set    text NOT NULL CHECK (rule_set IN ('playbook', 'moderation')),
    rule_id     bigint NOT NULL,
    overruns    bigint NOT NULL DEFAULT 0,
    reason      text NOT NULL CHECK (reason IN ('budget', 'compile', 'refused')),
    budget_ms   int NOT NULL,
    text_chars  int,
    first_at    timestamptz NOT NULL DEFAULT now(),
    last_at     timestamptz NOT NULL DEFAULT now(),
    notified_at timestamptz,
    PRIMARY KEY (rule_set, rule_id)
);
COMMENT ON TABLE rt.regex_overruns IS 'Regex rules the matcher skipped: over roundtable.regex_budget_ms on a message (budget) or when compiling (compile), or using a refused feature (refused); counts since first_at';
COMMENT ON COLUMN rt.regex_overruns.overruns IS 'messages (or compilations) skipped; backends report at most once a minute each, adding what they counted meanwhile';
COMMENT ON COLUMN rt.regex_overruns.text_chars IS 'characters of the last message that ran out of the budget';
COMMENT ON COLUMN rt.regex_overruns.notified_at IS 'when the last error notification about this rule was raised (at most one per ten minutes)';

CREATE TABLE rt.notifications (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('mention', 'error', 'delivery_failed', 'moderation')),
    chat_id    bigint,
    message_pk bigint,
    payload    jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    acked_at   timestamptz,
    acked_by   text
);
COMMENT ON TABLE rt.notifications IS 'Things an admin should look at: mention (no auto-reply), moderation hit, error, delivery_failed';
COMMENT ON COLUMN rt.notifications.message_pk IS 'rt.messages.id the notification is about, if any';
COMMENT ON COLUMN rt.notifications.payload IS 'kind-specific details, e.g. {"text","reason"} for a mention, {"labels","action","rule_ids"} for moderation';
COMMENT ON COLUMN rt.notifications.acked_by IS 'admin:<id> or db:<role> who acknowledged it';

CREATE INDEX notifications_unacked_idx ON rt.notifications (id DESC) WHERE acked_at IS NULL;
COMMENT ON INDEX rt.notifications_unacked_idx IS 'the console''s unread list and badge';

CREATE INDEX notifications_chat_mention_idx ON rt.notifications (chat_id) WHERE kind = 'mention' AND acked_at IS NULL;
COMMENT ON INDEX rt.notifications_chat_mention_idx IS 'unacknowledged mentions of one chat (rt.list_chats mention_count and filter)';


-- -----------------------------------------------------------------------------------------------
-- Delivery: the outbox (every job) and drafts
-- -----------------------------------------------------------------------------------------------

CREATE TABLE rt.outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL,
    payload      jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    relayed_at   timestamptz,
    done_at      timestamptz,
    attempts     int NOT NULL DEFAULT 0,
    last_error   text,
    dead_at      timestamptz,
    discarded_at timestamptz,
    relays       int NOT NULL DEFAULT 0,
    started_at   timestamptz,
    result       jsonb
);
COMMENT ON TABLE rt.outbox IS 'Transactional outbox: work for the outside world, relayed to Redis (used from issue 3)';
COMMENT ON COLUMN rt.outbox.relayed_at IS 'last time rt.outbox_claim handed the job to Redis; a job still unfinished stale_sec later is claimed again';
COMMENT ON COLUMN rt.outbox.done_at IS 'the effect is recorded (sent, replied, deleted) or the dead job was discarded: the job is finished';
COMMENT ON COLUMN rt.outbox.attempts IS 'rt.job_begin calls: how often a worker started the effect';
COMMENT ON COLUMN rt.outbox.dead_at IS 'the job failed for good (rt.job_failed final, or no provider); rt.retry_job makes it pending again';
COMMENT ON COLUMN rt.outbox.discarded_at IS 'an admin gave up on the dead job (rt.discard_job); done_at is set too';
COMMENT ON COLUMN rt.outbox.relays IS 'how often rt.outbox_claim handed the job to Redis';
COMMENT ON COLUMN rt.outbox.started_at IS 'last rt.job_begin: the start of the call whose prices apply';
COMMENT ON COLUMN rt.outbox.result IS 'what finishing recorded, returned again to a duplicate delivery ({"message_pk","send_job"} for llm.reply)';

CREATE INDEX outbox_pending_idx ON rt.outbox (id) WHERE done_at IS NULL AND dead_at IS NULL;
COMMENT ON INDEX rt.outbox_pending_idx IS 'unfinished jobs, oldest first: rt.outbox_claim and rt.list_jobs state=pending';

CREATE INDEX outbox_dead_idx ON rt.outbox (id) WHERE dead_at IS NOT NULL AND done_at IS NULL;
COMMENT ON INDEX rt.outbox_dead_idx IS 'dead letters for the console: rt.list_jobs state=dead';

CREATE TABLE rt.drafts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chat_id         bigint NOT NULL REFERENCES rt.chats (id),
    job_id          bigint,
    status          text NOT NULL DEFAULT 'generating' CHECK (status IN ('generating', 'ready', 'failed')),
    text            text,
    provider_id     bigint,
    provider_name   text,
    provider_type   text,
    model           text,
    tokens_in       int,
    tokens_cached   int,
    tokens_out      int,
    cost            numeric(14, 8),
    latency_ms      int,
    usage_estimated boolean,
    error           text,
    created_by      text NOT NULL DEFAULT rt.current_actor(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rt.drafts IS 'Reply proposals a model wrote for an admin (rt.create_draft -> llm.draft job -> rt.record_reply); never sent by themselves';
COMMENT ON COLUMN rt.drafts.job_id IS 'rt.outbox.id of the llm.draft job writing it';
COMMENT ON COLUMN rt.drafts.status IS 'generating (job queued or running), ready (text written) or failed (error)';
COMMENT ON COLUMN rt.drafts.provider_id IS 'provider of the call (no foreign key: history outlives providers), with its name and type at the time';
COMMENT ON COLUMN rt.drafts.cost IS 'USD of the call at the prices in effect when it started';
COMMENT ON COLUMN rt.drafts.usage_estimated IS 'the provider reported no usage; the token counts are the edge''s estimate';
COMMENT ON COLUMN rt.drafts.created_by IS 'admin:<id> or db:<role> who asked for it';

CREATE INDEX drafts_chat_idx ON rt.drafts (chat_id, id DESC);
COMMENT ON INDEX rt.drafts_chat_idx IS 'drafts of one chat, newest first';


-- -----------------------------------------------------------------------------------------------
-- Round table: sessions and their participants
-- -----------------------------------------------------------------------------------------------

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
COMMENT ON INDEX rt.sessions_one_active_per_chat IS 'a chat has at most one session awaiting its topic or running';

CREATE INDEX sessions_list_idx ON rt.sessions (id DESC);

CREATE INDEX sessions_chat_idx ON rt.sessions (chat_id, id DESC) WHERE chat_id IS NOT NULL;

CREATE INDEX sessions_deadline_idx ON rt.sessions (turn_deadline) WHERE status = 'running';
COMMENT ON INDEX rt.sessions_deadline_idx IS 'the reaper: running sessions whose turn is past its deadline';

CREATE INDEX sessions_awaiting_idx ON rt.sessions (created_at) WHERE status = 'awaiting_topic';
COMMENT ON INDEX rt.sessions_awaiting_idx IS 'the reaper: sessions awaiting their topic, oldest first';

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

