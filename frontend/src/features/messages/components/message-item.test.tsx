// A message shows sender, author type, direction, chat id and text; edits expose earlier text;
// outgoing ones show their delivery status (the failure reason visible and as a tooltip) and a
// bot reply its model call, with "demo model" when the demo provider wrote it.
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { makeLlmUsage, makeMessage } from '@/test/factories';
import { MessageItem } from './message-item';

describe('MessageItem', () => {
  it('shows the message and its metadata', () => {
    render(<MessageItem message={makeMessage({ id: 1, chat_id: -100, text: 'hi all' })} />);
    const article = screen.getByRole('article', { name: /Alice/ });
    expect(article).toHaveTextContent('hi all');
    expect(article).toHaveTextContent('@alice');
    expect(article).toHaveTextContent('incoming');
    expect(article).toHaveTextContent('user');
    expect(article).toHaveTextContent('chat -100');
    expect(screen.queryByText('edited')).not.toBeInTheDocument();
  });

  it('marks an edited message and reveals the previous text', async () => {
    render(
      <MessageItem
        message={makeMessage({
          id: 2,
          text: 'final',
          edited_at: '2026-01-01T12:10:00Z',
          edit_history: [{ text: 'first draft', edited_at: '2026-01-01T12:10:00Z' }],
        })}
      />,
    );
    const marker = screen.getByText('edited');
    expect(marker.closest('summary')).toHaveAttribute('title', 'first draft');
    await userEvent.setup().click(marker);
    expect(screen.getByText('first draft')).toBeVisible();
  });

  it.each([
    ['queued', 'queued'],
    ['sending', 'sending'],
    ['sent', 'sent'],
  ] as const)('shows the %s status of an outgoing message', (status, label) => {
    render(
      <MessageItem
        message={makeMessage({
          id: 3,
          direction: 'out',
          author_type: 'admin',
          sender: null,
          status,
        })}
      />,
    );
    const article = screen.getByRole('article', { name: /Admin/ });
    expect(within(article).getByText(label)).toBeInTheDocument();
    expect(article).toHaveAttribute('data-status', status);
    expect(article).toHaveAttribute('data-author', 'admin');
  });

  it('names the reason of a failed delivery in text and tooltip', () => {
    render(
      <MessageItem
        message={makeMessage({
          id: 4,
          direction: 'out',
          author_type: 'bot',
          sender: null,
          status: 'failed',
          error: 'Forbidden: bot was blocked by the user',
        })}
      />,
    );
    const article = screen.getByRole('article', { name: /Bot/ });
    const badge = within(article).getByText('failed');
    expect(badge.closest('[title]')).toHaveAttribute(
      'title',
      'Not delivered: Forbidden: bot was blocked by the user',
    );
    expect(article).toHaveTextContent('Not delivered: Forbidden: bot was blocked by the user');
  });

  it('shows provider, model, tokens and cost of a bot reply, and marks the demo model', () => {
    const { rerender } = render(
      <MessageItem
        message={makeMessage({
          id: 5,
          direction: 'out',
          author_type: 'bot',
          sender: null,
          status: 'sent',
          llm: makeLlmUsage({ tokens_cached: 200 }),
        })}
      />,
    );
    const article = screen.getByRole('article', { name: /Bot/ });
    expect(article).toHaveTextContent('OpenAI · gpt-4o-mini');
    expect(article).toHaveTextContent('1200 in / 85 out tokens (200 cached)');
    expect(article).toHaveTextContent('$0.000231');
    expect(article).toHaveTextContent('1.4 s');
    expect(within(article).queryByText('demo model')).not.toBeInTheDocument();

    rerender(
      <MessageItem
        message={makeMessage({
          id: 5,
          direction: 'out',
          author_type: 'bot',
          sender: null,
          status: 'sent',
          llm: makeLlmUsage({
            provider: 'Demo',
            type: 'demo',
            model: 'demo-1',
            demo: true,
            cost: null,
            estimated: true,
          }),
        })}
      />,
    );
    expect(within(article).getByText('demo model')).toBeInTheDocument();
    expect(article).toHaveTextContent('≈ 1200 in / 85 out tokens');
  });

  it('names a round-table turn by its speaker and round', () => {
    render(
      <MessageItem
        message={makeMessage({
          id: 5,
          direction: 'out',
          author_type: 'bot',
          sender: null,
          text: 'My view…',
          session_id: 3,
          speaker: 'OpenAI · Оптимист',
          round: 2,
        })}
      />,
    );
    const article = screen.getByRole('article', { name: /^OpenAI · Оптимист,/ });
    expect(article).toHaveTextContent('OpenAI · Оптимист · round 2');
  });
});
