// The chat's effective model parameters from POST /api/params/explain, each with the layer (and
// preset, and expiry) it came from. Parameter names never wrap (Russian ones broke mid-word in a
// fixed column): they take their width, the value column truncates with the full value on hover.
import { useTranslation } from 'react-i18next';
import { Badge } from '@/components/ui/badge';
import { PARAM_KEYS, type Explain, type ParamSource } from '@/lib/api/behaviour';
import { isApiError } from '@/lib/api/errors';
import { formatFullTime, formatMessageTime } from '@/lib/utils/format';
import { formatParamValue } from '../utils/format-param';

const LAYER_TONE: Record<string, string> = {
  defaults: 'bg-neutral-100 text-neutral-600',
  global: 'bg-violet-100 text-violet-800',
  chat: 'bg-sky-100 text-sky-800',
  user: 'bg-amber-100 text-amber-900',
  chat_user: 'bg-emerald-100 text-emerald-800',
  override: 'bg-rose-100 text-rose-800',
};

export function EffectiveParams({
  explain,
  error,
  loading,
}: {
  explain: Explain | undefined;
  error: unknown;
  loading: boolean;
}) {
  const { t } = useTranslation();
  if (loading) return <p className="text-xs text-neutral-500">{t('common.loading')}</p>;
  if (error || !explain) {
    return (
      <p role="alert" className="text-xs text-red-700">
        {isApiError(error) ? error.detail : t('controls.explainFailed')}
      </p>
    );
  }
  return (
    <table className="w-full text-xs" aria-label={t('controls.effective')}>
      <thead className="sr-only">
        <tr>
          <th scope="col">{t('controls.parameter')}</th>
          <th scope="col">{t('controls.value')}</th>
          <th scope="col">{t('controls.source')}</th>
        </tr>
      </thead>
      <tbody>
        {PARAM_KEYS.map((key) => (
          <tr key={key} className="border-b border-neutral-100 last:border-0">
            <th
              scope="row"
              className="py-1.5 pr-3 text-left font-normal whitespace-nowrap text-neutral-500"
            >
              {t(`params.${key}`)}
            </th>
            <td className="w-full max-w-0 truncate py-1.5 pr-2 font-medium text-neutral-900">
              <span title={formatParamValue(key, explain.params[key], t)}>
                {formatParamValue(key, explain.params[key], t)}
              </span>
            </td>
            <td className="py-1.5 text-right whitespace-nowrap">
              <SourceBadge source={explain.sources[key]} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SourceBadge({ source }: { source: ParamSource | undefined }) {
  const { t, i18n } = useTranslation();
  // The SQL names the lowest layer "default"; the contract says "defaults". Accept both.
  const raw = source?.layer as string | undefined;
  const layer = !raw || raw === 'default' ? 'defaults' : (source?.layer ?? 'defaults');
  const expires = source?.expires_at
    ? t('controls.until', { time: formatMessageTime(source.expires_at, i18n.language) })
    : null;
  const title = [
    source?.preset_name ? t('controls.fromPreset', { name: source.preset_name }) : null,
    source?.expires_at
      ? t('controls.until', { time: formatFullTime(source.expires_at, i18n.language) })
      : null,
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <span className="inline-flex max-w-full flex-col items-end gap-0.5" title={title || undefined}>
      <Badge className={`max-w-full truncate ${LAYER_TONE[layer]}`}>{t(`layers.${layer}`)}</Badge>
      {source?.preset_name ? (
        <span className="max-w-32 truncate text-[11px] text-neutral-600">{source.preset_name}</span>
      ) : null}
      {expires ? <span className="text-[11px] text-neutral-500">{expires}</span> : null}
    </span>
  );
}
