// Token counts on the round-table screens, grouped by the UI's locale (costs use the shared
// formatCost of lib/utils/llm-meta).
export function formatCount(n: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(n);
}
