// "Test a rule": runs a sample text through the enabled rules of one set (POST
// /api/rules/test) and shows the normalised text and every match.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Textarea } from '@/components/ui/input';
import { ErrorText } from '@/components/ui/page';
import type { RuleSet } from '@/lib/api/behaviour';
import { isApiError } from '@/lib/api/errors';
import { useTestRules } from '../api/rules';

export function RuleTestBox({ ruleSet, names }: { ruleSet: RuleSet; names: Map<number, string> }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const test = useTestRules();

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    test.mutate({ text, ruleSet });
  };

  return (
    <form className="space-y-2" onSubmit={submit}>
      <Field label={t('rules.testText')}>
        <Textarea rows={3} value={text} onChange={(e) => setText(e.target.value)} />
      </Field>
      <Button type="submit" size="sm" disabled={!text.trim() || test.isPending}>
        {t('rules.runTest')}
      </Button>
      <ErrorText>
        {test.error ? (isApiError(test.error) ? test.error.detail : test.error.message) : null}
      </ErrorText>
      {test.data ? (
        <div role="status" className="space-y-2 rounded-md border border-neutral-200 p-3 text-xs">
          <p>
            <span className="text-neutral-500">{t('rules.normalized')}: </span>
            <code className="rounded bg-neutral-100 px-1 py-0.5 break-all">
              {test.data.normalized}
            </code>
          </p>
          {test.data.evasion_form !== undefined ? (
            <p>
              <span className="text-neutral-500">{t('rules.evasionForm')}: </span>
              <code className="rounded bg-neutral-100 px-1 py-0.5 break-all">
                {test.data.evasion_form}
              </code>
            </p>
          ) : null}
          {test.data.budget_exceeded?.length ? (
            <p role="alert" className="text-orange-800">
              {t('rules.budgetExceeded', {
                rules: test.data.budget_exceeded.map((id) => names.get(id) || `#${id}`).join(', '),
              })}
            </p>
          ) : null}
          {test.data.matches.length === 0 ? (
            <p className="text-neutral-600">{t('rules.noMatch')}</p>
          ) : (
            <ul aria-label={t('rules.matches')} className="space-y-1">
              {test.data.matches.map((m, i) => (
                <li key={`${m.rule_id}-${i}`} className="flex gap-2">
                  <span className="font-medium text-neutral-900">
                    {m.name || names.get(m.rule_id) || `#${m.rule_id}`}
                  </span>
                  <span className="text-neutral-500">{t(`rules.kind.${m.kind}`)}</span>
                  <code className="text-neutral-700">{m.pattern}</code>
                  {m.label ? <span className="text-orange-800">#{m.label}</span> : null}
                  {m.action ? (
                    <span className="text-neutral-500">{t(`rules.actionValue.${m.action}`)}</span>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </form>
  );
}
