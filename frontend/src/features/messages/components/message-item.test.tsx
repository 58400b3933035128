// A message shows sender, author type, direction, chat id and text; edits expose earlier text.
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { makeMessage } from '@/test/factories';
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
});
