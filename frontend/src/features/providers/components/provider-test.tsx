// "Test connection" of one provider: rt-edge calls it once and the outcome is read out in a
// status region next to the button (ok or failed, the HTTP status, the time, and what happened).
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { isApiError } from '@/lib/api/errors';
import { cn } from '@/lib/utils/cn';
import { useTestProvider } from '../api/test-provider';

export function ProviderTest({ id }: { id: number }) {
  const { t } = useTranslation();
  const test = useTestProvider();
  const result = test.data;
  let text = '';
  if (test.isPending) text = t('providers.testing');
  else if (test.error)
    text = t('providers.testError', {
      detail: isApiError(test.error) ? test.error.detail : test.error.message,
    });
  else if (result)
    text = t(result.ok ? 'providers.testOk' : 'providers.testFailed', {
      status: result.status === null ? t('providers.testNoStatus') : `HTTP ${result.status}`,
      ms: result.latency_ms,
      detail: result.detail,
    });
  const failed = !test.isPending && (test.error || (result && !result.ok));
  return (
    <div className="flex min-w-48 flex-col items-start gap-1">
      <Button
        size="sm"
        variant="secondary"
        disabled={test.isPending}
        onClick={() => test.mutate(id)}
      >
        {t('providers.test')}
      </Button>
      <p
        role="status"
        className={cn(
          'max-w-72 text-xs break-words',
          failed ? 'text-red-700' : result?.ok ? 'text-emerald-700' : 'text-neutral-500',
        )}
      >
        {text}
      </p>
    </div>
  );
}
