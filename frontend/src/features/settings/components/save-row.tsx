// The "Save" row under one setting's form: the problem the server named (or the request's
// error), and the button, shown to admins only.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { ErrorText } from '@/components/ui/page';
import { usePermission } from '@/hooks/use-permissions';
import { isApiError } from '@/lib/api/errors';

export function SaveRow({
  children,
  error,
  pending,
  disabled,
  saveLabel,
}: {
  children: ReactNode;
  error: unknown;
  pending: boolean;
  disabled: boolean;
  /** The button's accessible name when "Save" alone would be ambiguous. */
  saveLabel?: string;
}) {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  return (
    <div className="space-y-2">
      {children}
      <ErrorText>
        {error
          ? isApiError(error)
            ? error.detail
            : error instanceof Error
              ? error.message
              : null
          : null}
      </ErrorText>
      {canConfigure ? (
        <Button type="submit" size="sm" disabled={pending || disabled} aria-label={saveLabel}>
          {t('common.save')}
        </Button>
      ) : null}
    </div>
  );
}
