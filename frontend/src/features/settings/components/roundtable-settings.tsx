// The AI round table's settings: the limits new sessions start with (each with the environment
// variable that seeds it on first start as a hint), the summary provider, the payment URL of the
// donate button, and the bot's texts — one textarea per key, the Russian default as placeholder
// (an empty field keeps the default). Each form saves on its own; other roles read only.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { usePermission } from '@/hooks/use-permissions';
import type { Setting } from '@/lib/api/behaviour';
import { useProviders } from '@/lib/api/list-providers';
import { useUpdateSetting } from '../api/settings';
import {
  BOT_TEXT_DEFAULTS,
  BOT_TEXT_KEYS,
  botTextsFromForm,
  botTextsToForm,
  numberValue,
  ROUNDTABLE_NUMBERS,
  type BotTextKey,
  type NumberSetting,
} from '../utils/roundtable-settings';
import { SaveRow } from './save-row';

const asText = (value: unknown) =>
  typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';

export function RoundtableSettings({ byKey }: { byKey: Map<string, Setting> }) {
  const { t } = useTranslation();
  return (
    <div className="space-y-4">
      <p className="text-xs text-neutral-500">{t('roundtable.hint')}</p>
      {ROUNDTABLE_NUMBERS.map((setting) => (
        <NumberSettingForm
          key={`${setting.key}:${asText(byKey.get(setting.key)?.value)}`}
          setting={setting}
          stored={byKey.get(setting.key)}
        />
      ))}
      <SummaryProviderSetting
        key={`summary:${asText(byKey.get('roundtable.summary_provider')?.value)}`}
        stored={byKey.get('roundtable.summary_provider')}
      />
      <PaymentUrlSetting
        key={`payment:${asText(byKey.get('payment.url')?.value)}`}
        stored={byKey.get('payment.url')}
      />
    </div>
  );
}

function NumberSettingForm({
  setting,
  stored,
}: {
  setting: NumberSetting;
  stored: Setting | undefined;
}) {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const update = useUpdateSetting();
  const initial = asText(stored?.value);
  const [text, setText] = useState(initial);
  const label = t(`roundtable.keys.${setting.name}`);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    update.mutate({ key: setting.key, value: numberValue(setting, text) });
  };
  return (
    <form onSubmit={submit}>
      <SaveRow
        error={update.error}
        pending={update.isPending}
        disabled={text === initial}
        saveLabel={`${t('common.save')}: ${label}`}
      >
        <Field
          label={label}
          hint={
            <>
              {t(`roundtable.hints.${setting.name}`)}{' '}
              {setting.nullable ? `${t('roundtable.noLimit')} ` : null}
              <span className="font-mono">{t('roundtable.env', { env: setting.env })}</span>
            </>
          }
        >
          <Input
            type="number"
            min={setting.min}
            max={setting.max}
            step={setting.integer ? 1 : 'any'}
            placeholder={setting.fallback === null ? '' : String(setting.fallback)}
            readOnly={!canConfigure}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </Field>
      </SaveRow>
    </form>
  );
}

function SummaryProviderSetting({ stored }: { stored: Setting | undefined }) {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const update = useUpdateSetting();
  const providers = useProviders();
  const initial = typeof stored?.value === 'number' ? String(stored.value) : '';
  const [choice, setChoice] = useState(initial);
  const items = providers.data ?? [];
  const missing = initial !== '' && !items.some((p) => String(p.id) === initial);
  const label = t('roundtable.keys.summary_provider');
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    update.mutate({
      key: 'roundtable.summary_provider',
      value: choice === '' ? null : Number(choice),
    });
  };
  return (
    <form onSubmit={submit}>
      <SaveRow
        error={update.error}
        pending={update.isPending}
        disabled={choice === initial}
        saveLabel={`${t('common.save')}: ${label}`}
      >
        <Field label={label} hint={t('roundtable.hints.summary_provider')}>
          <Select
            value={choice}
            disabled={!canConfigure}
            onChange={(e) => setChoice(e.target.value)}
          >
            <option value="">{t('roundtable.noSummary')}</option>
            {missing ? <option value={initial}>#{initial}</option> : null}
            {items.map((p) => (
              <option key={p.id} value={p.id}>
                {p.enabled
                  ? t('providers.option', { name: p.name, model: p.model_id })
                  : t('providers.optionOff', { name: p.name, model: p.model_id })}
              </option>
            ))}
          </Select>
        </Field>
      </SaveRow>
    </form>
  );
}

function PaymentUrlSetting({ stored }: { stored: Setting | undefined }) {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const update = useUpdateSetting();
  const initial = typeof stored?.value === 'string' ? stored.value : '';
  const [text, setText] = useState(initial);
  const label = t('roundtable.keys.payment_url');
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    update.mutate({ key: 'payment.url', value: text.trim() === '' ? null : text.trim() });
  };
  return (
    <form onSubmit={submit}>
      <SaveRow
        error={update.error}
        pending={update.isPending}
        disabled={text === initial}
        saveLabel={`${t('common.save')}: ${label}`}
      >
        <Field
          label={label}
          hint={
            <>
              {t('roundtable.hints.payment_url')}{' '}
              <span className="font-mono">{t('roundtable.env', { env: 'PAYMENT_URL' })}</span>
            </>
          }
        >
          <Input
            type="url"
            maxLength={2000}
            placeholder="https://"
            readOnly={!canConfigure}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </Field>
      </SaveRow>
    </form>
  );
}

export function BotTextsSetting({ setting }: { setting: Setting | undefined }) {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const update = useUpdateSetting();
  const initial = botTextsToForm(setting?.value);
  const [form, setForm] = useState(initial);
  const changed = BOT_TEXT_KEYS.some((key) => form[key] !== initial[key]);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    update.mutate({ key: 'bot.texts', value: botTextsFromForm(form) });
  };
  const set = (key: BotTextKey) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  return (
    <form onSubmit={submit}>
      <SaveRow
        error={update.error}
        pending={update.isPending}
        disabled={!changed}
        saveLabel={t('roundtable.saveTexts')}
      >
        <p className="text-xs text-neutral-500">{t('roundtable.botTextsHint')}</p>
        <div className="grid gap-3 md:grid-cols-2">
          {BOT_TEXT_KEYS.map((key) => (
            <Field
              key={key}
              label={t(`roundtable.text.${key}`)}
              hint={<span className="font-mono">{key}</span>}
            >
              <Textarea
                rows={key.startsWith('button_') || key === 'donate_button' ? 1 : 3}
                className={key.startsWith('button_') ? 'min-h-9' : undefined}
                maxLength={2000}
                readOnly={!canConfigure}
                placeholder={BOT_TEXT_DEFAULTS[key]}
                value={form[key]}
                onChange={(e) => set(key)(e.target.value)}
              />
            </Field>
          ))}
        </div>
      </SaveRow>
    </form>
  );
}
