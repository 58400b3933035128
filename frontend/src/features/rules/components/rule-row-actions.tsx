// Edit and Delete buttons of one rule row (playbooks and moderation rules), named after the rule.
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';

export function RuleRowActions({
  name,
  onEdit,
  onDelete,
}: {
  name: string;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const { t } = useTranslation();
  return (
    <>
      <Button
        size="sm"
        variant="ghost"
        aria-label={t('rules.editNamed', { name })}
        onClick={onEdit}
      >
        {t('common.edit')}
      </Button>
      <Button
        size="sm"
        variant="ghost"
        className="text-red-700"
        aria-label={t('rules.deleteNamed', { name })}
        onClick={onDelete}
      >
        {t('common.delete')}
      </Button>
    </>
  );
}
