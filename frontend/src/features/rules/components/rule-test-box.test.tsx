// Rule tester: a sample text goes to POST /api/rules/test; the answer's matches are listed and a
// regex rule skipped for the time budget is named in an alert (issue 7).
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, routeFetch } from '@/test/factories';
import { renderWithProviders } from '@/test/render';
import { RuleTestBox } from './rule-test-box';

afterEach(() => vi.unstubAllGlobals());

function setup(answer: Record<string, unknown>) {
  const bodies: unknown[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(
      routeFetch({
        'POST /api/rules/test': async (req) => {
          bodies.push(await req.json());
          return jsonResponse(200, answer);
        },
      }),
    ),
  );
  renderWithProviders(<RuleTestBox ruleSet="moderation" names={new Map([[16, 'Casino regex']])} />);
  return { bodies };
}

describe('RuleTestBox', () => {
  it('names the regex rules skipped for the time budget', async () => {
    const { bodies } = setup({
      normalized: 'aaaa',
      evasion_form: 'aaaa',
      budget_exceeded: [16, 99],
      matches: [],
    });
    await userEvent.type(screen.getByLabelText('Sample text'), 'aaaa');
    await userEvent.click(screen.getByRole('button', { name: 'Test' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Casino regex, #99');
    expect(screen.getByText('No rule matches.')).toBeInTheDocument();
    expect(bodies).toEqual([{ text: 'aaaa', rule_set: 'moderation' }]);
  });

  it('shows no budget alert when every rule ran', async () => {
    setup({ normalized: 'hi', evasion_form: 'hi', matches: [] });
    await userEvent.type(screen.getByLabelText('Sample text'), 'hi');
    await userEvent.click(screen.getByRole('button', { name: 'Test' }));
    await screen.findByText('No rule matches.');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
