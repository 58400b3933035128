// Usage screen: a "Group by" select (day by default) over the last 30 days, the figures in a
// table named after the grouping, calls without a group shown as "none", charts loaded lazily
// (the chart module is stubbed here: jsdom lays nothing out), a new grouping refetches, and an
// open screen refreshes itself every 30 s.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, routeFetch } from '@/test/factories';
import { renderWithProviders } from '@/test/render';
import { USAGE_REFRESH_MS } from '../api/get-usage';
import { UsagePage } from './usage-page';

vi.mock('./usage-charts', () => ({
  default: ({ rows, groupLabel }: { rows: { name: string }[]; groupLabel: string }) => (
    <figure aria-label={`charts by ${groupLabel}`}>{rows.map((r) => r.name).join(',')}</figure>
  ),
}));

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function setup() {
  const queries: URLSearchParams[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(
      routeFetch({
        'GET /api/usage': (req) => {
          const q = new URL(req.url).searchParams;
          queries.push(q);
          const items =
            q.get('group_by') === 'provider'
              ? [
                  {
                    key: '3',
                    label: 'OpenAI',
                    tokens_in: 1000,
                    tokens_out: 200,
                    cost: 0.0123,
                    calls: 4,
                  },
                  { key: null, label: null, tokens_in: 10, tokens_out: 1, cost: 0, calls: 1 },
                ]
              : [
                  {
                    key: '2030-01-01',
                    label: '2030-01-01',
                    tokens_in: 5,
                    tokens_out: 1,
                    cost: 0.001,
                    calls: 1,
                  },
                  {
                    key: '2030-01-02',
                    label: '2030-01-02',
                    tokens_in: 0,
                    tokens_out: 0,
                    cost: 0,
                    calls: 0,
                  },
                ];
          return jsonResponse(200, { items, currency: 'USD' });
        },
      }),
    ),
  );
  renderWithProviders(<UsagePage />);
  return queries;
}

describe('UsagePage', () => {
  it('refreshes the open report every 30 s with the same range and grouping', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const queries = setup();
    await screen.findByRole('table', { name: 'Usage by day' });
    expect(queries).toHaveLength(1);
    // (the fake clock also moves with real time, so the checks keep half an interval of slack)
    await vi.advanceTimersByTimeAsync(USAGE_REFRESH_MS / 2);
    expect(queries).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(USAGE_REFRESH_MS / 2 + 1000);
    await waitFor(() => expect(queries).toHaveLength(2));
    expect(queries[1]!.toString()).toBe(queries[0]!.toString());
  });

  it('shows usage per day by default over the last 30 days, then regroups by provider', async () => {
    const user = userEvent.setup();
    const queries = setup();
    const table = await screen.findByRole('table', { name: 'Usage by day' });
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(screen.getByText('Total — tokens: 6, cost: $0.001, calls: 1')).toBeInTheDocument();
    expect(await screen.findByRole('figure', { name: 'charts by day' })).toHaveTextContent(
      '2030-01-01,2030-01-02',
    );
    const first = queries[0]!;
    expect(first.get('group_by')).toBe('day');
    const span = Date.parse(first.get('to')!) - Date.parse(first.get('from')!);
    expect(span).toBe(30 * 86_400_000);

    await user.selectOptions(screen.getByRole('combobox', { name: 'Group by' }), 'provider');
    const byProvider = await screen.findByRole('table', { name: 'Usage by provider' });
    const rows = within(byProvider).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('OpenAI');
    expect(rows[1]).toHaveTextContent('1,000');
    expect(rows[2]).toHaveTextContent('none');
    expect(queries.at(-1)!.get('group_by')).toBe('provider');
  });
});
