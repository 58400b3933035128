// The Usage screen's dates: the inputs hold whole UTC days (YYYY-MM-DD, "to" inclusive); the API
// takes instants with "to" exclusive.
export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The last `days` UTC days up to and including today. */
export function defaultRange(now: Date, days = 30): { from: string; to: string } {
  const from = new Date(now.getTime() - (days - 1) * 86_400_000);
  return { from: isoDay(from), to: isoDay(now) };
}

/** [from 00:00Z, the day after `to` 00:00Z) as ISO instants; null when a day is not valid. */
export function rangeQuery(from: string, to: string): { from: string; to: string } | null {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (!day.test(from) || !day.test(to)) return null;
  const start = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || end < start) return null;
  return {
    from: start.toISOString(),
    to: new Date(end.getTime() + 86_400_000).toISOString(),
  };
}
