import type { StoredDocument } from './document-store';

/**
 * Sorting a page of stored documents by a field, as the plugins' list APIs sort their config
 * index: `sortField` names a field of the indexed document (`policy.policy_id.keyword`), missing
 * values sort last (OpenSearch's default `missing: _last`), ties go by id.
 */

/** `policy.policy_id.keyword` with root `policy` → `['policy_id']`: a path in the stored source. */
export const sortFieldPath = (sortField: string, root: string): string[] =>
  sortField
    .replace(new RegExp(`^${root}\\.`), '')
    .replace(/\.keyword$/, '')
    .split('.')
    .filter((p) => p !== '');

export const valueAt = (source: unknown, path: readonly string[]): unknown =>
  path.reduce<unknown>(
    (v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
    source,
  );

/**
 * Numbers by value, everything else as strings, reversed for `desc`; missing values
 * (null/undefined) last in both orders.
 */
export const compareMissingLast = (a: unknown, b: unknown, direction: 1 | -1 = 1): number => {
  const aMissing = a === undefined || a === null;
  const bMissing = b === undefined || b === null;
  if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return direction * (a - b);
  const [x, y] = [String(a), String(b)];
  return direction * (x < y ? -1 : x > y ? 1 : 0);
};

/** Sorts in place by the field under `root`, ascending or descending, then by id. */
export const sortDocuments = <T>(
  docs: StoredDocument<T>[],
  sortField: string,
  root: string,
  order: 'asc' | 'desc',
): StoredDocument<T>[] => {
  const path = sortFieldPath(sortField, root);
  const direction = order === 'asc' ? 1 : -1;
  return docs.sort(
    (a, b) =>
      compareMissingLast(valueAt(a.source, path), valueAt(b.source, path), direction) ||
      a.id.localeCompare(b.id),
  );
};
