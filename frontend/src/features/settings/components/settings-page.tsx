// Settings: takeover minutes, context size, the bot's username and id; the default provider for
// auto-replies, the admin signature and Telegram streaming; the built-in parameter defaults
// (the lowest preset layer); the AI round table's limits, payment URL and bot texts. Each saves on its own; viewers and moderators see the values
// read-only.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { EmptyState, ErrorText, PageShell, Section } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import { Switch } from '@/components/ui/switch';
import { usePermission } from '@/hooks/use-permissions';
import { TONES, VERBOSITIES, type Setting } from '@/lib/api/behaviour';
import { isApiError } from '@/lib/api/errors';
import { useProviders } from '@/lib/api/list-providers';
import { useSettings, useUpdateSetting } from '../api/settings';
import { BotTextsSetting, RoundtableSettings } from './roundtable-settings';
import { SaveRow } from './save-row';

type Kind = 'integer' | 'username' | 'optionalInteger';
const SCALARS: { key: string; kind: Kind }[] = [
  { key: 'takeover.minutes', kind: 'integer' },
  { key: 'context.messages', kind: 'integer' },
  { key: 'bot.username', kind: 'username' },
  { key: 'bot.id', kind: 'optionalInteger' },
];

function toText(value: unknown): string {
  return value === null || value === undefined
    ? ''
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);
}

function fromText(kind: Kind, text: string): unknown {
  const trimmed = text.trim();
  if (kind === 'username') return trimmed === '' ? null : trimmed.replace(/^@/, '');
  if (trimmed === '' && kind === 'optionalInteger') return null;
  return Number(trimmed);
}

export function SettingsPage() {
  const { t } = useTranslation();
  const settings = useSettings();
  const byKey = new Map<string, Setting>((settings.data?.items ?? []).map((s) => [s.key, s]));

  return (
    <PageShell title={t('nav.settings')}>
      {settings.isPending ? (
        <EmptyState>{t('common.loading')}</EmptyState>
      ) : (
        <div className="grid gap-4 lg:grid-cols-2">
          <Section title={t('settings.general')}>
            <div className="space-y-4">
              {SCALARS.map(({ key, kind }) => (
                <ScalarSetting
                  key={`${key}:${toText(byKey.get(key)?.value)}`}
                  setting={byKey.get(key)}
                  name={key}
                  kind={kind}
                />
              ))}
            </div>
          </Section>
          <Section title={t('settings.delivery')}>
            <div className="space-y-4">
              <ProviderSetting
                key={`provider:${toText(byKey.get('autoreply.provider')?.value)}`}
                setting={byKey.get('autoreply.provider')}
              />
              <SignatureSetting
                key={`signature:${toText(byKey.get('admin.signature')?.value)}`}
                setting={byKey.get('admin.signature')}
              />
              <StreamingSetting setting={byKey.get('telegram.streaming')} />
            </div>
          </Section>
          <Section title={t('settings.defaults')}>
            <DefaultsSetting
              key={toText(byKey.get('preset.defaults')?.value)}
              setting={byKey.get('preset.defaults')}
            />
          </Section>
          <Section title={t('roundtable.title')}>
            <RoundtableSettings byKey={byKey} />
          </Section>
          <Section title={t('roundtable.botTexts')} className="lg:col-span-2">
            <BotTextsSetting
              key={`texts:${JSON.stringify(byKey.get('bot.texts')?.value ?? null)}`}
              setting={byKey.get('bot.texts')}
            />
          </Section>
        </div>
      )}
    </PageShell>
  );
}

function ScalarSetting({
  setting,
  name,
  kind,
}: {
  setting: Setting | undefined;
  name: string;
  kind: Kind;
}) {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const update = useUpdateSetting();
  const [text, setText] = useState(toText(setting?.value));
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    update.mutate({ key: name, value: fromText(kind, text) });
  };
  return (
    <form onSubmit={submit}>
      <SaveRow
        error={update.error}
        pending={update.isPending}
        disabled={text === toText(setting?.value)}
      >
        <Field
          label={t(`settings.keys.${name as 'bot.id'}`)}
          hint={t(`settings.hints.${name as 'bot.id'}`)}
        >
          <Input
            type={kind === 'username' ? 'text' : 'number'}
            readOnly={!canConfigure}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </Field>
      </SaveRow>
    </form>
  );
}

function ProviderSetting({ setting }: { setting: Setting | undefined }) {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const update = useUpdateSetting();
  const providers = useProviders();
  const stored = typeof setting?.value === 'number' ? String(setting.value) : '';
  const [choice, setChoice] = useState(stored);
  const items = providers.data ?? [];
  const missing = stored !== '' && !items.some((p) => String(p.id) === stored);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    update.mutate({ key: 'autoreply.provider', value: choice === '' ? null : Number(choice) });
  };
  return (
    <form onSubmit={submit}>
      <SaveRow error={update.error} pending={update.isPending} disabled={choice === stored}>
        <Field
          label={t('settings.keys.autoreply.provider')}
          hint={t('settings.hints.autoreply.provider')}
        >
          <Select
            value={choice}
            disabled={!canConfigure}
            onChange={(e) => setChoice(e.target.value)}
          >
            <option value="">{t('settings.firstEnabledProvider')}</option>
            {missing ? <option value={stored}>#{stored}</option> : null}
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

function SignatureSetting({ setting }: { setting: Setting | undefined }) {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const update = useUpdateSetting();
  const stored = typeof setting?.value === 'string' ? setting.value : '';
  const [text, setText] = useState(stored);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    update.mutate({ key: 'admin.signature', value: text.trim() });
  };
  return (
    <form onSubmit={submit}>
      <SaveRow error={update.error} pending={update.isPending} disabled={text === stored}>
        <Field
          label={t('settings.keys.admin.signature')}
          hint={t('settings.hints.admin.signature')}
        >
          <Textarea
            rows={2}
            readOnly={!canConfigure}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </Field>
      </SaveRow>
    </form>
  );
}

/** A switch saves as soon as it flips; the cached list follows after the refetch. */
function StreamingSetting({ setting }: { setting: Setting | undefined }) {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const update = useUpdateSetting();
  const checked = setting?.value !== false;
  return (
    <div className="space-y-2">
      <Switch
        label={t('settings.keys.telegram.streaming')}
        description={t('settings.hints.telegram.streaming')}
        checked={update.isPending ? update.variables?.value === true : checked}
        disabled={!canConfigure || update.isPending}
        onChange={(value) => update.mutate({ key: 'telegram.streaming', value })}
      />
      <ErrorText>
        {update.error
          ? isApiError(update.error)
            ? update.error.detail
            : update.error.message
          : null}
      </ErrorText>
    </div>
  );
}

type Defaults = Record<
  'temperature' | 'max_tokens' | 'tone' | 'verbosity' | 'emotional_intensity' | 'persona',
  string
>;

function DefaultsSetting({ setting }: { setting: Setting | undefined }) {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const update = useUpdateSetting();
  const value = (setting?.value ?? {}) as Record<string, unknown>;
  const [form, setForm] = useState<Defaults>({
    temperature: toText(value.temperature),
    max_tokens: toText(value.max_tokens),
    tone: toText(value.tone) || 'neutral',
    verbosity: toText(value.verbosity) || 'short',
    emotional_intensity: toText(value.emotional_intensity),
    persona: toText(value.persona),
  });
  const set = (key: keyof Defaults) => (v: string) => setForm((f) => ({ ...f, [key]: v }));
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    update.mutate({
      key: 'preset.defaults',
      value: {
        temperature: Number(form.temperature),
        max_tokens: Number(form.max_tokens),
        tone: form.tone,
        verbosity: form.verbosity,
        emotional_intensity: Number(form.emotional_intensity),
        persona: form.persona,
      },
    });
  };
  return (
    <form onSubmit={submit}>
      <SaveRow error={update.error} pending={update.isPending} disabled={false}>
        <p className="text-xs text-neutral-500">{t('settings.defaultsHint')}</p>
        <fieldset disabled={!canConfigure} className="grid grid-cols-2 gap-3">
          <Field label={t('params.temperature')}>
            <Input
              type="number"
              min={0}
              max={2}
              step={0.05}
              value={form.temperature}
              onChange={(e) => set('temperature')(e.target.value)}
            />
          </Field>
          <Field label={t('params.max_tokens')}>
            <Input
              type="number"
              min={1}
              max={32000}
              value={form.max_tokens}
              onChange={(e) => set('max_tokens')(e.target.value)}
            />
          </Field>
          <Field label={t('params.tone')}>
            <Select value={form.tone} onChange={(e) => set('tone')(e.target.value)}>
              {TONES.map((tone) => (
                <option key={tone} value={tone}>
                  {t(`params.toneValue.${tone}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t('params.verbosity')}>
            <Select value={form.verbosity} onChange={(e) => set('verbosity')(e.target.value)}>
              {VERBOSITIES.map((v) => (
                <option key={v} value={v}>
                  {t(`params.verbosityValue.${v}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t('params.emotional_intensity')}>
            <Input
              type="number"
              min={0}
              max={100}
              value={form.emotional_intensity}
              onChange={(e) => set('emotional_intensity')(e.target.value)}
            />
          </Field>
          <div className="col-span-2">
            <Field label={t('params.persona')}>
              <Textarea
                rows={3}
                value={form.persona}
                onChange={(e) => set('persona')(e.target.value)}
              />
            </Field>
          </div>
        </fieldset>
      </SaveRow>
    </form>
  );
}
