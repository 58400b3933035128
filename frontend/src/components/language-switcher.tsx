// The language picker: a native select named "Language" for screen readers and keyboards.
import { useTranslation } from 'react-i18next';
import { changeLanguage, currentLanguage, LANGUAGES, type Language } from '@/lib/i18n';

export function LanguageSwitcher() {
  const { t, i18n } = useTranslation();
  const value = i18n.language && currentLanguage();
  return (
    <select
      aria-label={t('language.label')}
      value={value}
      onChange={(e) => void changeLanguage(e.target.value as Language)}
      className="h-8 rounded-md border border-neutral-300 bg-white px-2 text-sm text-neutral-800 focus:border-neutral-500 focus:outline-none focus:ring-2 focus:ring-neutral-200"
    >
      {LANGUAGES.map((lang) => (
        <option key={lang} value={lang}>
          {t(`language.${lang}`)}
        </option>
      ))}
    </select>
  );
}
