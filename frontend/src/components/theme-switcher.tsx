// The theme picker in the header: a native select named "Theme" (system, light, dark).
import { useTranslation } from 'react-i18next';
import { setTheme, THEMES, useTheme, type Theme } from './theme-store';

export function ThemeSwitcher({ className }: { className?: string }) {
  const { t } = useTranslation();
  const theme = useTheme();
  return (
    <select
      aria-label={t('theme.label')}
      value={theme}
      onChange={(e) => setTheme(e.target.value as Theme)}
      className={
        'h-8 rounded-md border border-neutral-300 bg-white px-2 text-sm text-neutral-800 focus:border-neutral-500 focus:ring-2 focus:ring-neutral-200 focus:outline-none ' +
        (className ?? '')
      }
    >
      {THEMES.map((value) => (
        <option key={value} value={value}>
          {t(`theme.${value}`)}
        </option>
      ))}
    </select>
  );
}
