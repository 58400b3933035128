// "Reply as bot": a model draft is requested (with the one-off parameters when armed), its text
// streams into the preview from llm.delta, the stored draft replaces it when ready (or by
// polling when no frame came), "Regenerate" asks again, and only "Send" posts the edited text
// as the bot.
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Draft, LlmDelta } from '@/lib/api/delivery';
import { queryKeys } from '@/lib/api/query-keys';
import { addDelta, finishStream, type LlmStreams } from '@/lib/cache/llm-streams';
import { jsonResponse, makeLlmUsage, makeMessage, makeSession, routeFetch } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { Composer } from './composer';

afterEach(() => vi.unstubAllGlobals());

const CHAT = -100;

function makeDraft(id: number, over: Partial<Draft> = {}): Draft {
  return {
    id,
    chat_id: CHAT,
    status: 'generating',
    text: null,
    error: null,
    llm: null,
    created_at: '2026-01-01T12:00:00Z',
    updated_at: '2026-01-01T12:00:00Z',
    ...over,
  };
}

const delta = (draftId: number, seq: number, text: string): LlmDelta => ({
  job_id: 100 + draftId,
  chat_id: CHAT,
  session_id: null,
  speaker: null,
  draft_id: draftId,
  in_reply_to: null,
  provider: 'Demo',
  demo: true,
  seq,
  delta: text,
});

type Server = {
  drafts: Map<number, Draft>;
  draftBodies: unknown[];
  sent: unknown[];
  nextId: number;
};

function setup({ override }: { override?: { temperature: number } } = {}) {
  const server: Server = { drafts: new Map(), draftBodies: [], sent: [], nextId: 7 };
  vi.stubGlobal(
    'fetch',
    vi.fn(async (request: Request) => {
      const url = new URL(request.url);
      const draftGet = /^\/api\/drafts\/(\d+)$/.exec(url.pathname);
      if (request.method === 'GET' && draftGet) {
        return jsonResponse(200, server.drafts.get(Number(draftGet[1])));
      }
      return routeFetch({
        [`POST /api/chats/${CHAT}/draft`]: async (req) => {
          server.draftBodies.push(await req.json());
          const draft = makeDraft(server.nextId++);
          server.drafts.set(draft.id, draft);
          return jsonResponse(202, draft);
        },
        'POST /api/messages': async (req) => {
          const body = (await req.json()) as { text: string };
          server.sent.push(body);
          return jsonResponse(
            202,
            makeMessage({
              id: 50,
              chat_id: CHAT,
              direction: 'out',
              author_type: 'bot',
              sender: null,
              text: body.text,
              status: 'queued',
            }),
          );
        },
      })(request);
    }),
  );
  const client = createTestQueryClient();
  client.setQueryData(queryKeys.me, makeSession('moderator'));
  const onBotReplySent = vi.fn();
  renderWithProviders(
    <Composer chatId={CHAT} override={override} onBotReplySent={onBotReplySent} />,
    { queryClient: client },
  );
  // The query cache notifies observers on a timer: let it fire inside act.
  const push = (fn: (s: LlmStreams | undefined) => LlmStreams) =>
    act(async () => {
      client.setQueryData<LlmStreams>(queryKeys.llmStreams(CHAT), (s) => fn(s));
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
  return { server, client, push, onBotReplySent };
}

describe('Reply as bot with a model draft', () => {
  it('streams the draft, regenerates, lets the admin edit, and sends only on confirm', async () => {
    const user = userEvent.setup();
    const { server, push, onBotReplySent } = setup({ override: { temperature: 1.2 } });

    await user.click(screen.getByRole('button', { name: 'Reply as bot' }));
    const dialog = screen.getByRole('dialog', { name: 'Preview: reply as bot' });
    const text = within(dialog).getByRole('textbox', { name: 'Message text' });
    const send = within(dialog).getByRole('button', { name: 'Send' });
    await waitFor(() => expect(server.draftBodies).toEqual([{ override: { temperature: 1.2 } }]));
    expect(within(dialog).getByText('one-off parameters')).toBeInTheDocument();

    await push((s) => addDelta(s, delta(7, 0, 'Hello')));
    await push((s) => addDelta(s, delta(7, 1, ' there')));
    expect(text).toHaveValue('Hello there');
    expect(text).toHaveAttribute('readonly');
    expect(send).toBeDisabled();
    expect(within(dialog).getByRole('status')).toHaveTextContent('The model is writing a draft…');

    server.drafts.set(
      7,
      makeDraft(7, { status: 'ready', text: 'Hello there!', llm: makeLlmUsage({ demo: true }) }),
    );
    await push((s) =>
      finishStream(s, {
        session_id: null,
        speaker: null,
        job_id: 107,
        chat_id: CHAT,
        draft_id: 7,
        ok: true,
        error: null,
      }),
    );
    await waitFor(() => expect(text).toHaveValue('Hello there!'));
    expect(within(dialog).getByRole('status')).toHaveTextContent('Draft ready');
    expect(within(dialog).getByText('demo model')).toBeInTheDocument();
    expect(server.sent).toEqual([]);

    await user.click(within(dialog).getByRole('button', { name: 'Regenerate' }));
    await waitFor(() => expect(server.draftBodies).toHaveLength(2));
    server.drafts.set(8, makeDraft(8, { status: 'ready', text: 'Second try' }));
    await push((s) =>
      finishStream(s, {
        session_id: null,
        speaker: null,
        job_id: 108,
        chat_id: CHAT,
        draft_id: 8,
        ok: true,
        error: null,
      }),
    );
    await waitFor(() => expect(text).toHaveValue('Second try'));

    await user.clear(text);
    await user.type(text, 'Edited by a human');
    await user.click(send);
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(server.sent).toEqual([{ chat_id: CHAT, text: 'Edited by a human', as: 'bot' }]);
    expect(onBotReplySent).toHaveBeenCalledOnce();
  });

  it('falls back to polling the draft when no frame arrives', async () => {
    const user = userEvent.setup();
    const { server } = setup();
    await user.click(screen.getByRole('button', { name: 'Reply as bot' }));
    const dialog = screen.getByRole('dialog', { name: 'Preview: reply as bot' });
    await waitFor(() => expect(server.draftBodies).toEqual([{}]));
    server.drafts.set(7, makeDraft(7, { status: 'ready', text: 'Polled text' }));
    await waitFor(
      () =>
        expect(within(dialog).getByRole('textbox', { name: 'Message text' })).toHaveValue(
          'Polled text',
        ),
      { timeout: 4000 },
    );
    expect(within(dialog).getByRole('button', { name: 'Send' })).toBeEnabled();
  });

  it('says why a draft failed and offers to regenerate', async () => {
    const user = userEvent.setup();
    const { server, push } = setup();
    await user.click(screen.getByRole('button', { name: 'Reply as bot' }));
    const dialog = screen.getByRole('dialog', { name: 'Preview: reply as bot' });
    await waitFor(() => expect(server.draftBodies).toHaveLength(1));
    server.drafts.set(7, makeDraft(7, { status: 'failed', error: 'no enabled provider' }));
    await push((s) =>
      finishStream(s, {
        session_id: null,
        speaker: null,
        job_id: 107,
        chat_id: CHAT,
        draft_id: 7,
        ok: false,
        error: 'no enabled provider',
      }),
    );
    await waitFor(() =>
      expect(within(dialog).getByRole('status')).toHaveTextContent(
        'The draft failed: no enabled provider',
      ),
    );
    expect(within(dialog).getByRole('button', { name: 'Regenerate' })).toBeEnabled();
    expect(within(dialog).getByRole('button', { name: 'Send' })).toBeDisabled();
  });
});
