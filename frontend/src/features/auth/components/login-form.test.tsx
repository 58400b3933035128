// Login form: labelled fields, the server's problem detail shown on failure, CSRF kept on success.
import { screen, waitFor } from '@testing-library/react';
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
  it('shows the problem+json detail when the server refuses', async () => {
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

    expect(await screen.findByRole('alert')).toHaveTextContent('invalid login or password');
    expect(onSuccess).not.toHaveBeenCalled();
    const request = fetchMock.mock.calls[0] as unknown as [Request];
    expect(request[0].method).toBe('POST');
    expect(new URL(request[0].url).pathname).toBe('/api/auth/login');
    expect(await request[0].json()).toEqual({ login: 'root', password: 'wrong' });
  });

  it('falls back to the title when the problem has no detail (e.g. 429)', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        jsonResponse(429, { type: 'about:blank', title: 'Too Many Requests', status: 429 }),
      ),
    );
    renderWithProviders(<LoginForm />);
    await fillAndSubmit('root', 'x');
    expect(await screen.findByRole('alert')).toHaveTextContent('Too Many Requests');
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
