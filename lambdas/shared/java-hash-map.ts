/**
 * Iteration order of a java.util.HashMap with String keys, for answers whose order the plugin
 * takes from one (the failed_indices of ISM's add, remove, change_policy and retry).
 *
 * A HashMap walks its buckets in index order, `spread(hashCode) & (capacity - 1)`; within a
 * bucket entries keep insertion order (a resize splits buckets without reordering them). So the
 * order is the insertion order stably sorted by bucket, for the map's final capacity.
 */

/** String.hashCode(): s[0]*31^(n-1) + ... + s[n-1], in 32-bit arithmetic. */
export const javaStringHash = (s: string): number => {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
};

/** HashMap.hash(): the high bits folded into the low ones. */
const spread = (h: number): number => h ^ (h >>> 16);

/** HashMap.tableSizeFor: the power of two at or above `n` (at least 1). */
const tableSizeFor = (n: number): number => {
  let c = 1;
  while (c < n) c *= 2;
  return c;
};

/** Capacity of `new HashMap()` after `size` puts: 16, doubled whenever size passes 3/4 of it. */
export const grownCapacity = (size: number): number => {
  let capacity = 16;
  while (size > capacity * 0.75) capacity *= 2;
  return capacity;
};

/**
 * Capacity of an empty `new HashMap()` after `putAll` of a map of `size` entries: the table is
 * sized for the incoming map, `tableSizeFor(size / 0.75 + 1)` (4 for two entries, not 16).
 */
export const putAllCapacity = (size: number): number =>
  size === 0 ? 16 : tableSizeFor(Math.floor(size / 0.75 + 1));

/** Keys in the iteration order of a HashMap of `capacity` they were inserted into in this order. */
export const hashMapOrder = <T>(items: readonly T[], key: (item: T) => string, capacity: number): T[] =>
  items
    .map((item, i) => ({ item, i, bucket: spread(javaStringHash(key(item))) & (capacity - 1) }))
    .sort((a, b) => a.bucket - b.bucket || a.i - b.i)
    .map((e) => e.item);
