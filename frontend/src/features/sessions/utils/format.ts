// Numbers of the round-table screens: token counts grouped, costs in USD with enough digits to
// tell small turns apart.
export { formatCost } from '@/features/messages/utils/llm-meta';

export function formatCount(n: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(n);
}
