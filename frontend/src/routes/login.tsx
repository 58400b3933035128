// /login: the sign-in card; on success, go to the chats screen (or back to the chat the session
// ended on, or to rt-edge's API docs page when it sent the browser here: ?next=/api/docs).
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { LanguageSwitcher } from '@/components/language-switcher';
import { LoginForm } from '@/features/auth/components/login-form';

/** Pages outside the SPA that send a browser without a session here; only these, never any
 * URL a link could put in ?next= (no open redirect). */
const SERVER_PAGES = ['/api/docs'];

export function LoginRoute() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const from: unknown = (location.state as { from?: unknown } | null)?.from;
  const target = typeof from === 'string' && from.startsWith('/chats') ? from : '/chats';
  const next = new URLSearchParams(location.search).get('next');
  const onSuccess = () => {
    if (next && SERVER_PAGES.includes(next)) window.location.assign(next);
    else void navigate(target, { replace: true });
  };
  return (
    <div className="relative flex h-full flex-col items-center justify-center-safe overflow-y-auto p-6">
      <div className="absolute top-4 right-4">
        <LanguageSwitcher />
      </div>
      <main className="w-full max-w-sm rounded-xl border border-neutral-200 bg-white p-6 shadow-sm">
        <div className="mb-6">
          <p className="text-xs font-semibold tracking-wide text-neutral-500 uppercase">
            {t('app.name')}
          </p>
          <h1 className="mt-1 text-xl font-semibold text-neutral-900">{t('auth.title')}</h1>
          <p className="mt-1 text-sm text-neutral-500">{t('auth.subtitle')}</p>
        </div>
        <LoginForm onSuccess={onSuccess} />
      </main>
    </div>
  );
}
