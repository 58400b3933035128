// The before/after of an audit entry as rows, one per field: its status (added, removed,
// changed, unchanged) and both values pretty-printed as JSON text. An update records only the
// changed keys, an insert the whole new row (all added), a delete the whole old row (all
// removed). Values are compared by their JSON, so {"a":1} and {"a":1} are the same.

export type DiffStatus = 'added' | 'removed' | 'changed' | 'unchanged';

export type DiffRow = {
  key: string;
  status: DiffStatus;
  /** Pretty JSON text, or null when the side has no such key. */
  before: string | null;
  after: string | null;
};

type Side = Record<string, unknown> | null | undefined;

/** JSON.stringify with sorted object keys and two-space indent: stable for comparison and display. */
export function prettyJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as Record<string, unknown>)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value), null, 2) ?? 'null';
}

function isObject(side: unknown): side is Record<string, unknown> {
  return side !== null && typeof side === 'object' && !Array.isArray(side);
}

export function auditDiff(before: Side, after: Side): DiffRow[] {
  const b = isObject(before) ? before : {};
  const a = isObject(after) ? after : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  return keys.map((key) => {
    const inBefore = Object.prototype.hasOwnProperty.call(b, key);
    const inAfter = Object.prototype.hasOwnProperty.call(a, key);
    const beforeText = inBefore ? prettyJson(b[key]) : null;
    const afterText = inAfter ? prettyJson(a[key]) : null;
    const status: DiffStatus = !inBefore
      ? 'added'
      : !inAfter
        ? 'removed'
        : beforeText === afterText
          ? 'unchanged'
          : 'changed';
    return { key, status, before: beforeText, after: afterText };
  });
}

/** The fields that differ (for the table's one-line summary). */
export function changedKeys(rows: DiffRow[]): string[] {
  return rows.filter((r) => r.status !== 'unchanged').map((r) => r.key);
}
