// What a lazily loaded screen shows in the layout's outlet while its chunk loads on a direct
// page load (react-router's HydrateFallback, see app/router.tsx).
import { useTranslation } from 'react-i18next';

export function PageFallback() {
  const { t } = useTranslation();
  return (
    <div role="status" className="p-6 text-sm text-neutral-500">
      {t('common.loading')}
    </div>
  );
}
