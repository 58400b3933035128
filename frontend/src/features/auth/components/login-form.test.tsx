// Login form: labelled fields; a wrong password, a lock (429 + Retry-After) and an unavailable
// sign-in (503) said in the UI's language; other problems' detail shown; CSRF kept on success.
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getCsrfToken, setCsrfToken } from '@/lib/api/client';
import { jsonResponse } from '@/test/factories';
import { renderWithProviders } from '@/test/render';
import i18n from '@/lib/i18n';
import { LoginForm } from './login-form';

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

async function fillAndSubmit(loginName: string, password: string) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('Login'), loginName);
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('LoginForm', () => {
  it('says a wrong login or password in the UI language', async () => {
    await i18n.changeLanguage('en');
    const fetchMock = vi.fn(async () =>
      jsonResponse(401, {
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        detail: 'invalid login or password',
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
    const onSuccess = vi.fn();
    renderWithProviders(<LoginForm onSuccess={onSuccess} />);

    await fillAndSubmit('root', 'wrong');

    expect(await screen.findByRole('alert')).toHaveTextContent('Invalid login or password.');
    expect(onSuccess).not.toHaveBeenCalled();
    const request = fetchMock.mock.calls[0] as unknown as [Request];
    expect(request[0].method).toBe('POST');
    expect(new URL(request[0].url).pathname).toBe('/api/auth/login');
    expect(await request[0].json()).toEqual({ login: 'root', password: 'wrong' });
  });

  it('says how long a locked sign-in must wait (429 Retry-After), in English and Russian', async () => {
    const locked = () => {
      const response = jsonResponse(429, {
        type: 'about:blank',
        title: 'Too Many Requests',
        status: 429,
        detail: 'too many login attempts; retry later',
      });
      response.headers.set('Retry-After', '30');
      return response;
    };
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => locked()),
    );
    await i18n.changeLanguage('en');
    const { unmount } = renderWithProviders(<LoginForm />);
    await fillAndSubmit('root', 'x');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Too many sign-in attempts. Try again in 30 s.',
    );
    unmount();

    await act(() => i18n.changeLanguage('ru'));
    renderWithProviders(<LoginForm />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Логин'), 'root');
    await user.type(screen.getByLabelText('Пароль'), 'x');
    await user.click(screen.getByRole('button', { name: 'Войти' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Слишком много попыток входа. Повторите через 30 с.',
    );
    await act(() => i18n.changeLanguage('en'));
  });

  it('says sign-in is unavailable on 503 and shows any other problem detail', async () => {
    const answers = [
      jsonResponse(503, { type: 'about:blank', title: 'Service Unavailable', status: 503 }),
      jsonResponse(400, {
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: 'login must not contain NUL (\\u0000)',
      }),
    ];
    answers[0]!.headers.set('Retry-After', '1');
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => answers.shift()),
    );
    renderWithProviders(<LoginForm />);
    await fillAndSubmit('root', 'x');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Sign-in is unavailable right now. Try again in 1 s.',
    );
    await userEvent.setup().click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() =>
      expect(screen.getByRole('alert')).toHaveTextContent('login must not contain NUL'),
    );
  });

  it('keeps the CSRF token in memory and reports success', async () => {
    const session = { admin: { id: 1, login: 'root', role: 'owner' }, csrf_token: 'tok-123' };
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => jsonResponse(200, session)),
    );
    const onSuccess = vi.fn();
    renderWithProviders(<LoginForm onSuccess={onSuccess} />);
    await fillAndSubmit('root', 'right');
    await waitFor(() => expect(onSuccess).toHaveBeenCalledWith(session));
    expect(getCsrfToken()).toBe('tok-123');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('disables submit until both fields are filled', async () => {
    renderWithProviders(<LoginForm />);
    const submit = screen.getByRole('button', { name: 'Sign in' });
    expect(submit).toBeDisabled();
    await userEvent.setup().type(screen.getByLabelText('Login'), 'root');
    expect(submit).toBeDisabled();
  });
});
