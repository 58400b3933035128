// The small line under a model-written message or draft: provider · model, tokens, cost, latency.
import { useTranslation } from 'react-i18next';
import type { LlmUsage } from '@/lib/api/delivery';
import { llmMetaParts } from '@/lib/utils/llm-meta';

export function LlmMeta({ llm }: { llm: LlmUsage }) {
  const { t, i18n } = useTranslation();
  const parts = llmMetaParts(llm, t, i18n.language);
  if (parts.length === 0) return null;
  return (
    <p className="mt-1 text-[11px] text-neutral-500 tabular-nums">
      <span className="sr-only">{t('llm.metaLabel')} </span>
      {parts.join(' · ')}
    </p>
  );
}
