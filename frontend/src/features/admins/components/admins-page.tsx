// Admin accounts (owner only): create, change role, disable/enable, reset password.
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { DataTable, type DataTableColumn } from '@/components/ui/data-table';
import { EmptyState, ErrorText, PageShell, Section } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import type { AdminAccount } from '@/lib/api/behaviour';
import type { Role } from '@/lib/auth/permissions';
import { isApiError } from '@/lib/api/errors';
import { formatFullTime } from '@/lib/utils/format';
import { useAdmins, useCreateAdmin, useUpdateAdmin } from '../api/admins';

const ROLES: Role[] = ['owner', 'admin', 'moderator', 'viewer'];

export function AdminsPage() {
  const { t, i18n } = useTranslation();
  const admins = useAdmins();
  const update = useUpdateAdmin();
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<AdminAccount | null>(null);
  const items = admins.data?.items ?? [];
  const columns: DataTableColumn<AdminAccount>[] = [
    { key: 'login', header: t('admins.login'), className: 'font-medium', cell: (a) => a.login },
    {
      key: 'role',
      header: t('admins.role'),
      cell: (a) => (
        <Select
          aria-label={t('admins.roleOf', { login: a.login })}
          className="h-8 w-36"
          value={a.role}
          disabled={update.isPending}
          onChange={(e) => update.mutate({ id: a.id, body: { role: e.target.value as Role } })}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`roles.${r}`)}
            </option>
          ))}
        </Select>
      ),
    },
    {
      key: 'created',
      header: t('admins.created'),
      className: 'text-xs',
      cell: (a) => formatFullTime(a.created_at, i18n.language),
    },
    {
      key: 'state',
      header: t('admins.state'),
      cell: (a) =>
        a.disabled_at ? (
          <Badge className="bg-neutral-200 text-neutral-700">{t('admins.disabled')}</Badge>
        ) : (
          <Badge className="bg-emerald-100 text-emerald-800">{t('admins.enabled')}</Badge>
        ),
    },
    {
      key: 'actions',
      header: <span className="sr-only">{t('common.actions')}</span>,
      className: 'text-right whitespace-nowrap',
      cell: (a) => (
        <>
          <Button
            size="sm"
            variant="ghost"
            disabled={update.isPending}
            onClick={() => update.mutate({ id: a.id, body: { disabled: !a.disabled_at } })}
          >
            {a.disabled_at ? t('admins.enable') : t('admins.disable')}
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setResetting(a)}>
            {t('admins.resetPassword')}
          </Button>
        </>
      ),
    },
  ];

  return (
    <PageShell
      title={t('nav.admins')}
      actions={<Button onClick={() => setCreating(true)}>{t('admins.new')}</Button>}
    >
      <Section title={t('admins.title')}>
        {admins.isPending ? (
          <EmptyState>{t('common.loading')}</EmptyState>
        ) : (
          <DataTable
            caption={t('admins.title')}
            columns={columns}
            rows={items}
            rowKey={(a) => a.id}
            empty={t('admins.empty')}
          />
        )}
      </Section>
      {creating ? <CreateAdminDialog onClose={() => setCreating(false)} /> : null}
      {resetting ? (
        <ResetPasswordDialog admin={resetting} onClose={() => setResetting(null)} />
      ) : null}
    </PageShell>
  );
}

/** The server's problem when it names this field (22023 with COLUMN), else null. */
function fieldProblem(error: unknown, field: string): string | null {
  return isApiError(error) && error.problem.field === field ? error.detail : null;
}

/** An input's error under it, tied to the input by aria-describedby. */
function FieldError({ id, children }: { id: string; children: ReactNode }) {
  if (!children) return null;
  return (
    <p id={id} role="alert" className="mt-1 text-xs text-red-700">
      {children}
    </p>
  );
}

/** The server's rule (8 to 72 bytes, bcrypt), checked before sending: true when too short. */
function passwordTooShort(password: string): boolean {
  return new TextEncoder().encode(password).length < 8;
}

function CreateAdminDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const create = useCreateAdmin();
  const id = useId();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [checked, setChecked] = useState(false);
  const local = {
    login: login.trim() ? null : t('admins.required'),
    password: passwordTooShort(password) ? t('admins.passwordShort') : null,
  };
  const errors = {
    login: (checked && local.login) || fieldProblem(create.error, 'login'),
    password: (checked && local.password) || fieldProblem(create.error, 'password'),
    role: fieldProblem(create.error, 'role'),
  };
  const general =
    create.error && !errors.login && !errors.password && !errors.role
      ? isApiError(create.error)
        ? create.error.detail
        : create.error.message
      : null;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setChecked(true);
    if (local.login || local.password) return;
    create.mutate({ login: login.trim(), password, role }, { onSuccess: onClose });
  };
  return (
    <Dialog title={t('admins.new')} onClose={onClose}>
      <form className="space-y-3" noValidate onSubmit={submit}>
        <Field label={t('admins.login')}>
          <Input
            required
            autoComplete="off"
            value={login}
            aria-invalid={errors.login ? true : undefined}
            aria-describedby={errors.login ? `${id}-login` : undefined}
            onChange={(e) => setLogin(e.target.value)}
          />
        </Field>
        <FieldError id={`${id}-login`}>{errors.login}</FieldError>
        <Field label={t('admins.password')}>
          <Input
            required
            type="password"
            autoComplete="new-password"
            value={password}
            aria-invalid={errors.password ? true : undefined}
            aria-describedby={errors.password ? `${id}-password` : undefined}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <FieldError id={`${id}-password`}>{errors.password}</FieldError>
        <Field label={t('admins.role')}>
          <Select
            value={role}
            aria-invalid={errors.role ? true : undefined}
            aria-describedby={errors.role ? `${id}-role` : undefined}
            onChange={(e) => setRole(e.target.value as Role)}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`roles.${r}`)}
              </option>
            ))}
          </Select>
        </Field>
        <FieldError id={`${id}-role`}>{errors.role}</FieldError>
        <ErrorText>{general}</ErrorText>
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" disabled={create.isPending}>
            {t('admins.create')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function ResetPasswordDialog({ admin, onClose }: { admin: AdminAccount; onClose: () => void }) {
  const { t } = useTranslation();
  const update = useUpdateAdmin({ handlesErrors: true });
  const id = useId();
  const [password, setPassword] = useState('');
  const [checked, setChecked] = useState(false);
  const local = passwordTooShort(password) ? t('admins.passwordShort') : null;
  const error =
    (checked && local) ||
    fieldProblem(update.error, 'password') ||
    (update.error ? (isApiError(update.error) ? update.error.detail : update.error.message) : null);
  return (
    <Dialog title={t('admins.resetTitle', { login: admin.login })} onClose={onClose}>
      <form
        className="space-y-3"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setChecked(true);
          if (local) return;
          update.mutate({ id: admin.id, body: { password } }, { onSuccess: onClose });
        }}
      >
        <Field label={t('admins.newPassword')}>
          <Input
            required
            type="password"
            autoComplete="new-password"
            value={password}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-password` : undefined}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <FieldError id={`${id}-password`}>{error}</FieldError>
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" disabled={update.isPending}>
            {t('common.save')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
