// Admin accounts (owner only): create, change role, disable/enable, reset password.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { EmptyState, ErrorText, PageShell, Section, TABLE, TD, TH } from '@/components/ui/page';
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

  return (
    <PageShell
      title={t('nav.admins')}
      actions={<Button onClick={() => setCreating(true)}>{t('admins.new')}</Button>}
    >
      <Section title={t('admins.title')}>
        {admins.isPending ? (
          <EmptyState>{t('common.loading')}</EmptyState>
        ) : items.length === 0 ? (
          <EmptyState>{t('admins.empty')}</EmptyState>
        ) : (
          <table className={TABLE} aria-label={t('admins.title')}>
            <thead>
              <tr>
                <th className={TH}>{t('admins.login')}</th>
                <th className={TH}>{t('admins.role')}</th>
                <th className={TH}>{t('admins.created')}</th>
                <th className={TH}>{t('admins.state')}</th>
                <th className={TH}>
                  <span className="sr-only">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id}>
                  <td className={`${TD} font-medium`}>{a.login}</td>
                  <td className={TD}>
                    <Select
                      aria-label={t('admins.roleOf', { login: a.login })}
                      className="h-8 w-36"
                      value={a.role}
                      disabled={update.isPending}
                      onChange={(e) =>
                        update.mutate({ id: a.id, body: { role: e.target.value as Role } })
                      }
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {t(`roles.${r}`)}
                        </option>
                      ))}
                    </Select>
                  </td>
                  <td className={`${TD} text-xs`}>{formatFullTime(a.created_at, i18n.language)}</td>
                  <td className={TD}>
                    {a.disabled_at ? (
                      <Badge className="bg-neutral-200 text-neutral-700">
                        {t('admins.disabled')}
                      </Badge>
                    ) : (
                      <Badge className="bg-emerald-100 text-emerald-800">
                        {t('admins.enabled')}
                      </Badge>
                    )}
                  </td>
                  <td className={`${TD} text-right whitespace-nowrap`}>
                    <Button
                      size="sm"
                      variant="ghost"
                      disabled={update.isPending}
                      onClick={() =>
                        update.mutate({ id: a.id, body: { disabled: !a.disabled_at } })
                      }
                    >
                      {a.disabled_at ? t('admins.enable') : t('admins.disable')}
                    </Button>
                    <Button size="sm" variant="ghost" onClick={() => setResetting(a)}>
                      {t('admins.resetPassword')}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      {creating ? <CreateAdminDialog onClose={() => setCreating(false)} /> : null}
      {resetting ? (
        <ResetPasswordDialog admin={resetting} onClose={() => setResetting(null)} />
      ) : null}
    </PageShell>
  );
}

function CreateAdminDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const create = useCreateAdmin();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate({ login: login.trim(), password, role }, { onSuccess: onClose });
  };
  return (
    <Dialog title={t('admins.new')} onClose={onClose}>
      <form className="space-y-3" onSubmit={submit}>
        <Field label={t('admins.login')}>
          <Input
            required
            autoComplete="off"
            value={login}
            onChange={(e) => setLogin(e.target.value)}
          />
        </Field>
        <Field label={t('admins.password')}>
          <Input
            required
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <Field label={t('admins.role')}>
          <Select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`roles.${r}`)}
              </option>
            ))}
          </Select>
        </Field>
        <ErrorText>
          {create.error
            ? isApiError(create.error)
              ? create.error.detail
              : create.error.message
            : null}
        </ErrorText>
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" disabled={create.isPending || !login.trim() || !password}>
            {t('admins.create')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function ResetPasswordDialog({ admin, onClose }: { admin: AdminAccount; onClose: () => void }) {
  const { t } = useTranslation();
  const update = useUpdateAdmin();
  const [password, setPassword] = useState('');
  return (
    <Dialog title={t('admins.resetTitle', { login: admin.login })} onClose={onClose}>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          update.mutate({ id: admin.id, body: { password } }, { onSuccess: onClose });
        }}
      >
        <Field label={t('admins.newPassword')}>
          <Input
            required
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" disabled={update.isPending || !password}>
            {t('common.save')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
