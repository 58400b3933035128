// The keyboard a bot message was sent with: /donate's inline button is a real link that opens in
// a new tab without access to this window, and only http(s) URLs become links (a javascript: or
// data: URL stays inert text); /start's reply keyboard shows its labels in their rows.
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeMessage } from '@/test/factories';
import { MessageItem } from './message-item';
import { webLink } from '../utils/web-link';

const botMessage = (reply_markup: Parameters<typeof makeMessage>[0]['reply_markup']) =>
  makeMessage({
    id: 11,
    direction: 'out',
    author_type: 'bot',
    sender: null,
    text: 'Спасибо, что хотите поддержать проект!',
    reply_markup,
  });

describe('reply markup under a bot message', () => {
  it('shows an inline URL button as a safe link with its text as the name', () => {
    render(
      <MessageItem
        message={botMessage({
          inline_keyboard: [[{ text: 'Поддержать', url: 'https://pay.example.com/xyz' }]],
        })}
      />,
    );
    const group = screen.getByRole('group', { name: 'Buttons sent with this message' });
    const link = within(group).getByRole('link', { name: 'Поддержать' });
    expect(link).toHaveAttribute('href', 'https://pay.example.com/xyz');
    expect(link).toHaveAttribute('target', '_blank');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  });

  it.each([
    'javascript:alert(document.cookie)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'tg://resolve?domain=x',
    '/relative/path',
    '//evil.example.com/x',
  ])('does not make a link of %s', (url) => {
    const { container } = render(
      <MessageItem message={botMessage({ inline_keyboard: [[{ text: 'Click me', url }]] })} />,
    );
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
    expect(container.querySelector('a')).toBeNull();
    const group = screen.getByRole('group', { name: 'Buttons sent with this message' });
    const inert = within(group).getByText('Click me');
    expect(inert).toHaveAttribute('aria-disabled', 'true');
    expect(inert).not.toHaveAttribute('href');
  });

  it('shows a button without a URL as inert text', () => {
    render(<MessageItem message={botMessage({ inline_keyboard: [[{ text: 'Just text' }]] })} />);
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
    expect(screen.getByText('Just text')).toHaveAttribute('aria-disabled', 'true');
  });

  it('shows the labels of a reply keyboard, row by row', () => {
    render(
      <MessageItem
        message={botMessage({
          keyboard: [
            [{ text: 'Новое обсуждение' }],
            [{ text: 'Остановить диалог' }, { text: 'Отблагодарить создателя' }],
          ],
          resize_keyboard: true,
          is_persistent: true,
        })}
      />,
    );
    const group = screen.getByRole('group', { name: 'Keyboard sent with this message' });
    const rows = within(group).getAllByRole('listitem');
    expect(rows.map((row) => row.textContent)).toEqual([
      'Новое обсуждение',
      'Остановить диалогОтблагодарить создателя',
    ]);
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('shows nothing extra without reply markup', () => {
    render(<MessageItem message={botMessage(null)} />);
    expect(screen.queryByRole('group')).not.toBeInTheDocument();
  });
});

describe('webLink', () => {
  it('accepts absolute http(s) URLs only', () => {
    expect(webLink('https://pay.example.com/xyz')).toBe('https://pay.example.com/xyz');
    expect(webLink('http://example.com')).toBe('http://example.com/');
    expect(webLink('javascript:alert(1)')).toBeNull();
    expect(webLink('not a url')).toBeNull();
    expect(webLink(undefined)).toBeNull();
  });
});
