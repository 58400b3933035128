// The "demo model" mark on anything the built-in demo provider wrote, so nobody mistakes its
// canned text for a real model's answer.
import { useTranslation } from 'react-i18next';
import { Badge } from './badge';

export function DemoBadge() {
  const { t } = useTranslation();
  return (
    <Badge className="bg-amber-100 text-amber-900 ring-1 ring-amber-300">{t('llm.demo')}</Badge>
  );
}
