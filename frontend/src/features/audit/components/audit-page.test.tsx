// Audit page: names instead of ids (ids on hover), filters sent as query params, and the
// "Change details" dialog with the changed fields marked and values as escaped text.
import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '@/lib/api/behaviour';
import { queryKeys } from '@/lib/api/query-keys';
import { jsonResponse, makeSession, routeFetch } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { auditDiff } from '../utils/audit-diff';
import { AuditPage } from './audit-page';

// the first render waits for fetch and i18n; on a loaded machine that can exceed 1 s
configure({ asyncUtilTimeout: 5000 });
afterEach(() => vi.unstubAllGlobals());

const entries = [
  {
    id: 2,
    at: '2026-01-01T12:00:00Z',
    actor: 'rule:playbook:12',
    actor_name: 'rule: Price questions',
    action: 'binding.insert',
    target: 'binding:5',
    target_name: 'Formal → Tea club',
    before: null,
    after: { scope: 'chat', chat_id: -100, preset_id: 3 },
  },
  {
    id: 1,
    at: '2026-01-01T11:00:00Z',
    actor: 'admin:1',
    actor_name: 'anna',
    action: 'preset.update',
    target: 'preset:3',
    target_name: 'Formal',
    before: { temperature: 0.7, persona: '<img src=x onerror=alert(1)>', tags: { a: 1 } },
    after: { temperature: 0.2, persona: '<b>bold</b>', tags: { a: 1 } },
  },
] as unknown as AuditEntry[];

function setup() {
  const urls: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(
      routeFetch({
        'GET /api/audit': (req: Request) => {
          urls.push(req.url);
          return jsonResponse(200, { items: entries, next_cursor: null });
        },
      }),
    ),
  );
  const queryClient = createTestQueryClient();
  queryClient.setQueryData(queryKeys.me, makeSession('viewer'));
  renderWithProviders(<AuditPage />, { queryClient });
  return urls;
}

describe('auditDiff', () => {
  it('marks each field added, removed, changed or unchanged, with pretty JSON', () => {
    const rows = auditDiff(
      { a: 1, b: { y: 2, x: 1 }, c: 'same' },
      { b: { x: 1, y: 3 }, c: 'same', d: null },
    );
    expect(rows.map((r) => [r.key, r.status])).toEqual([
      ['a', 'removed'],
      ['b', 'changed'],
      ['c', 'unchanged'],
      ['d', 'added'],
    ]);
    expect(rows[1]?.before).toBe('{\n  "x": 1,\n  "y": 2\n}');
    expect(rows[3]).toMatchObject({ before: null, after: 'null' });
  });

  it('treats equal objects with a different key order as unchanged', () => {
    expect(auditDiff({ o: { a: 1, b: 2 } }, { o: { b: 2, a: 1 } })[0]?.status).toBe('unchanged');
  });
});

describe('AuditPage', () => {
  it('shows names with the ids on hover, and the rule that acted', async () => {
    setup();
    const table = await screen.findByRole('table', { name: 'Audit log' });
    expect(within(table).getByText('Rule “Price questions”')).toHaveAttribute(
      'title',
      'rule:playbook:12',
    );
    expect(within(table).getByText('anna')).toHaveAttribute('title', 'admin:1');
    expect(within(table).getByText('Formal → Tea club')).toHaveAttribute('title', 'binding:5');
    expect(within(table).queryByText('admin:1')).toBeNull();
  });

  it('sends the filters as query parameters', async () => {
    const user = userEvent.setup();
    const urls = setup();
    await screen.findByRole('table', { name: 'Audit log' });
    await user.type(screen.getByLabelText('Actor'), 'anna');
    await waitFor(() => expect(urls.some((u) => u.includes('actor=anna'))).toBe(true));
  });

  it('opens "Change details" with the changed fields marked and HTML shown as text', async () => {
    const user = userEvent.setup();
    setup();
    await screen.findByRole('table', { name: 'Audit log' });
    await user.click(
      screen.getByRole('row', { name: 'Change details: preset.update, Formal, by anna' }),
    );
    const dialog = screen.getByRole('dialog', { name: 'Change details' });
    const diff = within(dialog).getByRole('table', { name: 'Change details' });
    const temperature = within(diff).getByRole('row', { name: /temperature/ });
    expect(temperature).toHaveAttribute('data-status', 'changed');
    expect(within(temperature).getByText('changed')).toBeInTheDocument();
    expect(within(temperature).getByText('0.7')).toBeInTheDocument();
    expect(within(temperature).getByText('0.2')).toBeInTheDocument();
    expect(within(diff).getByRole('row', { name: /tags/ })).toHaveAttribute(
      'data-status',
      'unchanged',
    );
    // the payload is text, not markup
    expect(within(dialog).getByText('"<img src=x onerror=alert(1)>"')).toBeInTheDocument();
    expect(dialog.querySelector('img, b')).toBeNull();
    expect(within(dialog).getByText('(admin:1)')).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
