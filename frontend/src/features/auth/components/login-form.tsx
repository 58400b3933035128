// Login form: labelled login and password. A wrong password, a lock (429) and an unavailable
// sign-in (503) are said in the UI's language, with the wait the server asks for; any other
// failure shows the server's problem+json detail.
import type { TFunction } from 'i18next';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import type { Session } from '@/lib/api/client';
import { isApiError, type ApiError } from '@/lib/api/errors';
import { useLogin } from '../api/login';

export function LoginForm({ onSuccess }: { onSuccess?: (session: Session) => void }) {
  const { t } = useTranslation();
  const [loginName, setLoginName] = useState('');
  const [password, setPassword] = useState('');
  const mutation = useLogin({ onSuccess });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    mutation.mutate({ login: loginName, password });
  };

  const error = mutation.error;
  const errorText = error
    ? isApiError(error)
      ? loginErrorText(error, t)
      : t('auth.failed')
    : null;

  return (
    <form onSubmit={submit} className="space-y-4" aria-describedby="login-error" noValidate>
      <Field label={t('auth.login')}>
        <Input
          name="login"
          autoComplete="username"
          required
          value={loginName}
          onChange={(e) => setLoginName(e.target.value)}
        />
      </Field>
      <Field label={t('auth.password')}>
        <Input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </Field>
      <div id="login-error" aria-live="assertive">
        {errorText ? (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
            {errorText}
          </p>
        ) : null}
      </div>
      <Button
        type="submit"
        className="w-full"
        disabled={mutation.isPending || !loginName || !password}
      >
        {mutation.isPending ? t('auth.submitting') : t('auth.submit')}
      </Button>
    </form>
  );
}

function loginErrorText(error: ApiError, t: TFunction): string {
  const seconds = error.retryAfter ?? 1;
  switch (error.status) {
    case 401:
      return t('auth.invalid');
    case 429:
      return t('auth.locked', { count: seconds });
    case 503:
      return t('auth.unavailable', { count: seconds });
    default:
      return error.detail;
  }
}
