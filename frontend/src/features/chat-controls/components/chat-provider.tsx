// Which provider writes this chat's auto-replies (PATCH /api/chats/{id} {provider_id}); "Default"
// leaves it to the `autoreply.provider` setting, else the first enabled provider.
import { useTranslation } from 'react-i18next';
import { Field } from '@/components/ui/field';
import { Select } from '@/components/ui/select';
import { usePermission } from '@/hooks/use-permissions';
import type { Chat } from '@/lib/api/client';
import { useProviders } from '@/lib/api/list-providers';
import { useUpdateChat } from '../api/update-chat';

export function ChatProvider({ chat }: { chat: Chat }) {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const providers = useProviders();
  const update = useUpdateChat(chat.id);
  const items = providers.data ?? [];
  const missing = chat.provider_id !== null && !items.some((p) => p.id === chat.provider_id);

  return (
    <Field label={t('controls.provider')} hint={t('controls.providerHint')}>
      <Select
        value={chat.provider_id ?? ''}
        disabled={!canConfigure || update.isPending}
        onChange={(e) =>
          update.mutate({ provider_id: e.target.value ? Number(e.target.value) : null })
        }
      >
        <option value="">{t('controls.providerDefault')}</option>
        {missing ? <option value={chat.provider_id ?? ''}>#{chat.provider_id}</option> : null}
        {items.map((p) => (
          <option key={p.id} value={p.id}>
            {p.enabled
              ? t('providers.option', { name: p.name, model: p.model_id })
              : t('providers.optionOff', { name: p.name, model: p.model_id })}
          </option>
        ))}
      </Select>
    </Field>
  );
}
