// Builders for API objects in tests; only the fields a test cares about need passing.
import type { Chat, Message } from '@/lib/api/client';
import type { LlmUsage, Provider } from '@/lib/api/delivery';
import type {
  Personality,
  RtSession,
  RtSessionDetail,
  SessionParticipant,
} from '@/lib/api/roundtable';

export function makeMessage(overrides: Partial<Message> & { id: number }): Message {
  return {
    chat_id: 100,
    message_id: overrides.id,
    user_id: 7,
    update_id: null,
    direction: 'in',
    author_type: 'user',
    kind: 'text',
    text: `message ${overrides.id}`,
    sender: { id: 7, username: 'alice', first_name: 'Alice', last_name: null },
    created_at: new Date(Date.UTC(2026, 0, 1, 12, 0, overrides.id % 60)).toISOString(),
    edited_at: null,
    edit_history: [],
    received_at: new Date(Date.UTC(2026, 0, 1, 12, 0, 0)).toISOString(),
    status: null,
    labels: [],
    moderation: null,
    llm: null,
    error: null,
    sent_at: null,
    in_reply_to: null,
    session_id: null,
    speaker: null,
    round: null,
    reply_markup: null,
    ...overrides,
  };
}

export function makeChat(overrides: Partial<Chat> & { id: number }): Chat {
  return {
    type: 'group',
    title: `Chat ${overrides.id}`,
    username: null,
    autoreply: false,
    reply_on_mention: true,
    takeover_until: null,
    last_message_at: null,
    last_message_text: null,
    provider_id: null,
    session_id: null,
    ...overrides,
  };
}

export function makeLlmUsage(overrides: Partial<LlmUsage> = {}): LlmUsage {
  return {
    provider_id: 1,
    provider: 'OpenAI',
    type: 'openai',
    model: 'gpt-4o-mini',
    demo: false,
    tokens_in: 1200,
    tokens_cached: 0,
    tokens_out: 85,
    cost: 0.000231,
    latency_ms: 1400,
    estimated: false,
    ...overrides,
  };
}

export function makeProvider(overrides: Partial<Provider> & { id: number }): Provider {
  return {
    name: `Provider ${overrides.id}`,
    type: 'openai',
    base_url: 'https://api.openai.com/v1',
    model_id: 'gpt-4o-mini',
    params: {},
    enabled: true,
    position: overrides.id,
    personality_id: null,
    has_key: true,
    api_key_hint: 'sk-…abcd',
    demo: false,
    prices: { input_per_m: 0.15, cached_input_per_m: 0.075, output_per_m: 0.6 },
    version: 1,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

export function makeRtSession(overrides: Partial<RtSession> & { id: number }): RtSession {
  return {
    chat_id: null,
    user_id: null,
    created_by: 'admin:1',
    topic: `Topic ${overrides.id}`,
    status: 'running',
    stop_reason: null,
    stop_detail: null,
    max_rounds: 3,
    current_round: 1,
    turns: 0,
    turn_timeout_sec: 60,
    context_token_limit: 6000,
    max_tokens: null,
    max_cost: null,
    summary_provider_id: null,
    tokens_in: 0,
    tokens_out: 0,
    cost: 0,
    created_at: '2026-01-01T12:00:00Z',
    started_at: '2026-01-01T12:00:01Z',
    finished_at: null,
    turn_deadline: null,
    ...overrides,
  };
}

export function makeParticipant(
  overrides: Partial<SessionParticipant> & { position: number },
): SessionParticipant {
  return {
    provider_id: overrides.position + 1,
    provider_name: 'demo',
    personality_id: null,
    name: `demo · P${overrides.position}`,
    status: 'active',
    strikes: 0,
    excluded_reason: null,
    turns: 0,
    tokens_in: 0,
    tokens_out: 0,
    cost: 0,
    ...overrides,
  };
}

export function makeRtSessionDetail(
  overrides: Partial<RtSessionDetail> & { id: number },
): RtSessionDetail {
  const { turns: _count, ...session } = makeRtSession({ id: overrides.id });
  void _count;
  return { ...session, participants: [], turns: [], ...overrides };
}

export function makePersonality(overrides: Partial<Personality> & { id: number }): Personality {
  return {
    title: `Personality ${overrides.id}`,
    instructions: '',
    style: '',
    version: 1,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

/** A fetch stub answering each call with the next queued JSON response. */
export function jsonResponse(status: number, body: unknown, contentType?: string): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: {
      'Content-Type':
        contentType ?? (status >= 400 ? 'application/problem+json' : 'application/json'),
    },
  });
}

/** A cached GET /api/auth/me answer for an admin of the given role. */
export function makeSession(role: 'owner' | 'admin' | 'moderator' | 'viewer') {
  return { admin: { id: 1, login: `${role}1`, role }, csrf_token: 'csrf-test' };
}

/** A fetch stub routing by "METHOD /path" to a handler; unknown routes answer 404. */
export function routeFetch(
  routes: Record<string, (request: Request) => Response | Promise<Response>>,
) {
  return async (input: Request) => {
    const url = new URL(input.url);
    const handler = routes[`${input.method} ${url.pathname}`];
    return handler
      ? handler(input)
      : jsonResponse(404, { type: 'about:blank', title: 'Not Found', status: 404 });
  };
}
