// Create or edit a provider: name, type, base URL, model, extra params (JSON), prices per 1M
// tokens and the API key. The key field is a password field that is never filled in: empty keeps
// the stored key, "Clear the stored key" removes it. Client checks mirror the contract; a server
// problem marks the field it names.
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { ErrorText } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import { PROVIDER_TYPES, type Provider, type ProviderType } from '@/lib/api/delivery';
import { isApiError } from '@/lib/api/errors';
import { usePersonalities } from '@/lib/api/list-personalities';
import { useCreateProvider } from '../api/create-provider';
import { useUpdateProvider } from '../api/update-provider';
import {
  DEFAULT_BASE_URL,
  EMPTY_PROVIDER_FORM,
  parseCreateForm,
  parseUpdateForm,
  providerFieldOf,
  providerToForm,
  type ProviderErrors,
  type ProviderField,
  type ProviderForm,
} from '../utils/provider-form';

type ProviderFormDialogProps = {
  provider: Provider | null;
  /** Where a new provider goes in the order (after the last one). */
  nextPosition: number;
  onClose: () => void;
};

export function ProviderFormDialog({ provider, nextPosition, onClose }: ProviderFormDialogProps) {
  const { t } = useTranslation();
  const [form, setForm] = useState<ProviderForm>(
    provider ? providerToForm(provider) : EMPTY_PROVIDER_FORM,
  );
  const [errors, setErrors] = useState<ProviderErrors>({});
  const create = useCreateProvider();
  const update = useUpdateProvider({ handlesErrors: true });
  const save = provider ? update : create;
  const serverField = isApiError(save.error) ? providerFieldOf(save.error.problem.field) : null;
  const demo = form.type === 'demo';
  const personalities = usePersonalities();
  const chosenMissing =
    form.personality_id !== '' &&
    !(personalities.data ?? []).some((p) => String(p.id) === form.personality_id);

  const set = <K extends ProviderField>(key: K, value: ProviderForm[K]) =>
    setForm((current) => ({ ...current, [key]: value }));

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (provider) {
      const parsed = parseUpdateForm(form, provider);
      setErrors(parsed.ok ? {} : parsed.errors);
      if (parsed.ok) update.mutate({ id: provider.id, body: parsed.body }, { onSuccess: onClose });
    } else {
      const parsed = parseCreateForm(form, nextPosition);
      setErrors(parsed.ok ? {} : parsed.errors);
      if (parsed.ok) create.mutate(parsed.body, { onSuccess: onClose });
    }
  };

  const hint = (key: ProviderField, fallback?: ReactNode): ReactNode => {
    const code = errors[key];
    if (code) return <span className="text-red-700">{t(`providers.errors.${code}`)}</span>;
    if (serverField === key && isApiError(save.error)) {
      return <span className="text-red-700">{save.error.detail}</span>;
    }
    return fallback;
  };
  const invalid = (key: ProviderField) => Boolean(errors[key]) || serverField === key;

  const price = (key: 'input_per_m' | 'cached_input_per_m' | 'output_per_m') => (
    <Field label={t(`providers.${key}`)} hint={hint(key)}>
      <Input
        type="number"
        min={0}
        step="any"
        inputMode="decimal"
        value={form[key]}
        aria-invalid={invalid(key)}
        onChange={(e) => set(key, e.target.value)}
      />
    </Field>
  );

  const keyHint = provider?.has_key
    ? t('providers.keyKeep', { hint: provider.api_key_hint ?? '••••' })
    : t('providers.keyNone');

  return (
    <Dialog
      size="lg"
      title={
        provider ? t('providers.editTitle', { name: provider.name }) : t('providers.createTitle')
      }
      description={t('providers.formHint')}
      onClose={onClose}
    >
      <form className="space-y-3" onSubmit={submit} noValidate>
        <div className="grid grid-cols-2 gap-3">
          <Field label={t('providers.name')} hint={hint('name')}>
            <Input
              value={form.name}
              maxLength={100}
              aria-invalid={invalid('name')}
              onChange={(e) => set('name', e.target.value)}
            />
          </Field>
          <Field
            label={t('providers.type')}
            hint={hint('type', t(`providers.typeHint.${form.type}`))}
          >
            <Select
              value={form.type}
              aria-invalid={invalid('type')}
              onChange={(e) => {
                const type = e.target.value as ProviderType;
                setForm((current) => ({
                  ...current,
                  type,
                  model_id:
                    type === 'demo' && current.model_id === '' ? 'demo-1' : current.model_id,
                }));
              }}
            >
              {PROVIDER_TYPES.map((type) => (
                <option key={type} value={type}>
                  {t(`providers.typeValue.${type}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field
            label={t('providers.baseUrl')}
            hint={hint(
              'base_url',
              demo
                ? t('providers.baseUrlDemo')
                : form.type === 'openai_compatible'
                  ? t('providers.baseUrlRequired')
                  : t('providers.baseUrlDefault'),
            )}
          >
            <Input
              type="url"
              value={demo ? '' : form.base_url}
              disabled={demo}
              maxLength={500}
              placeholder={DEFAULT_BASE_URL[form.type]}
              aria-invalid={invalid('base_url')}
              onChange={(e) => set('base_url', e.target.value)}
            />
          </Field>
          <Field label={t('providers.model')} hint={hint('model_id')}>
            <Input
              value={form.model_id}
              maxLength={200}
              placeholder={demo ? 'demo-1' : 'gpt-4o-mini'}
              aria-invalid={invalid('model_id')}
              onChange={(e) => set('model_id', e.target.value)}
            />
          </Field>
        </div>
        <Field label={t('providers.params')} hint={hint('params', t('providers.paramsHint'))}>
          <Textarea
            rows={3}
            className="font-mono text-xs"
            spellCheck={false}
            value={form.params}
            aria-invalid={invalid('params')}
            onChange={(e) => set('params', e.target.value)}
          />
        </Field>
        <fieldset className="space-y-2">
          <legend className="text-xs font-medium text-neutral-700">{t('providers.prices')}</legend>
          <p className="text-xs text-neutral-500">{t('providers.pricesHint')}</p>
          <div className="grid grid-cols-3 gap-3">
            {price('input_per_m')}
            {price('cached_input_per_m')}
            {price('output_per_m')}
          </div>
        </fieldset>
        {demo ? null : (
          <div className="space-y-2">
            <Field label={t('providers.apiKey')} hint={hint('api_key', keyHint)}>
              <Input
                type="password"
                autoComplete="off"
                value={form.api_key}
                disabled={form.clear_key}
                placeholder={provider?.has_key ? t('providers.keyPlaceholder') : ''}
                aria-invalid={invalid('api_key')}
                onChange={(e) => set('api_key', e.target.value)}
              />
            </Field>
            {provider?.has_key ? (
              <label className="flex items-center gap-2 text-xs text-neutral-700">
                <input
                  type="checkbox"
                  checked={form.clear_key}
                  onChange={(e) =>
                    setForm((current) => ({
                      ...current,
                      clear_key: e.target.checked,
                      api_key: e.target.checked ? '' : current.api_key,
                    }))
                  }
                />
                {t('providers.clearKey')}
              </label>
            ) : null}
          </div>
        )}
        <Field
          label={t('providers.personality')}
          hint={hint('personality_id', t('providers.personalityHint'))}
        >
          <Select
            value={form.personality_id}
            aria-invalid={invalid('personality_id')}
            onChange={(e) => set('personality_id', e.target.value)}
          >
            <option value="">{t('providers.noPersonality')}</option>
            {chosenMissing ? (
              <option value={form.personality_id}>#{form.personality_id}</option>
            ) : null}
            {(personalities.data ?? []).map((p) => (
              <option key={p.id} value={String(p.id)}>
                {p.title}
              </option>
            ))}
          </Select>
        </Field>
        <label className="flex items-center gap-2 text-sm text-neutral-800">
          <input
            type="checkbox"
            checked={form.enabled}
            onChange={(e) => set('enabled', e.target.checked)}
          />
          {t('providers.enabled')}
        </label>
        <ErrorText>
          {save.error && !serverField
            ? isApiError(save.error) && save.error.status === 409
              ? t('providers.conflict', { detail: save.error.detail })
              : isApiError(save.error)
                ? save.error.detail
                : save.error.message
            : null}
        </ErrorText>
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" disabled={save.isPending}>
            {provider ? t('common.save') : t('providers.create')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
