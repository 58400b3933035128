// Formatting of a model call's usage for the small meta line under a bot message or a draft:
// provider and model, tokens (≈ when estimated), cost in USD and latency.
import type { TFunction } from 'i18next';
import type { LlmUsage } from '@/lib/api/delivery';

/** Costs are fractions of a cent: show enough digits to tell two calls apart. */
export function formatCost(cost: number, locale: string): string {
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: 2,
    maximumFractionDigits: cost !== 0 && Math.abs(cost) < 0.01 ? 6 : 4,
  }).format(cost);
}

export function formatLatency(ms: number, locale: string): string {
  return ms < 1000
    ? `${new Intl.NumberFormat(locale).format(ms)} ms`
    : `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(ms / 1000)} s`;
}

/** The parts of the meta line, in order; missing values are left out. */
export function llmMetaParts(llm: LlmUsage, t: TFunction, locale: string): string[] {
  const parts: string[] = [];
  const source = [llm.provider, llm.model].filter(Boolean).join(' · ');
  if (source) parts.push(source);
  if (llm.tokens_in !== null || llm.tokens_out !== null) {
    const tokens = t('llm.tokens', {
      in: llm.tokens_in ?? '?',
      out: llm.tokens_out ?? '?',
    });
    const cached = llm.tokens_cached ? ` ${t('llm.cached', { n: llm.tokens_cached })}` : '';
    parts.push(`${llm.estimated ? '≈ ' : ''}${tokens}${cached}`);
  }
  if (llm.cost !== null) parts.push(formatCost(llm.cost, locale));
  if (llm.latency_ms !== null) parts.push(formatLatency(llm.latency_ms, locale));
  return parts;
}
