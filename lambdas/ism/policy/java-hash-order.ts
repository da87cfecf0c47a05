/**
 * Key order of a java.util.HashMap built by inserting keys in the given order.
 *
 * The plugin renders a custom_webhook destination (and its query/header params) from a HashMap,
 * so its keys come back in hash-bucket order, not in the order they were sent.
 */
const javaStringHash = (s: string): number => {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
};

/** HashMap.hash(): the high bits folded into the low ones. */
const spread = (h: number): number => h ^ (h >>> 16);

export const javaHashMapOrder = (keys: readonly string[]): string[] => {
  let capacity = 16;
  while (keys.length > capacity * 0.75) capacity *= 2;
  // Buckets are walked in index order; within a bucket entries keep insertion order
  // (resizes split buckets without reordering them).
  return keys
    .map((key, i) => ({ key, i, bucket: spread(javaStringHash(key)) & (capacity - 1) }))
    .sort((a, b) => a.bucket - b.bucket || a.i - b.i)
    .map((e) => e.key);
};

/** A copy of `obj` whose keys are in HashMap iteration order. */
export const inJavaHashMapOrder = <T extends object>(obj: T): T => {
  const source = obj as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of javaHashMapOrder(Object.keys(source))) out[key] = source[key];
  return out as T;
};
