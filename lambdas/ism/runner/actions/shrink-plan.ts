import { byteSizeBytes, parseByteSizeValue } from '../../policy/units';
import type { ShrinkConfig } from '../../policy/model';

/**
 * The pure arithmetic of the shrink action (AttemptMoveShardsStep.kt): how many shards the
 * target gets, whether its name is acceptable, and how much disk a node must keep free.
 */

/** Greatest divisor of n that is ≤ k (1 when k < 2): `num_new_shards`, `percentage_of_source_shards`. */
export const greatestFactorAtMost = (n: number, k: number): number => {
  if (k >= n) return n;
  for (let d = Math.max(1, k); d > 1; d--) if (n % d === 0) return d;
  return 1;
};

/** Smallest divisor of n that is ≥ k (n when none is smaller): `max_shard_size`. */
export const smallestFactorAtLeast = (n: number, k: number): number => {
  if (k >= n) return n;
  for (let d = Math.max(1, k); d < n; d++) if (n % d === 0) return d;
  return n;
};

/** Shards of the shrunken index, from the source's primaries and its store size. */
export const targetShardCount = (config: ShrinkConfig, sourceShards: number, sizeBytes: number): number => {
  if (config.num_new_shards !== undefined) return greatestFactorAtMost(sourceShards, config.num_new_shards);
  if (config.percentage_of_source_shards !== undefined) {
    return greatestFactorAtMost(sourceShards, Math.floor(config.percentage_of_source_shards * sourceShards));
  }
  if (config.max_shard_size !== undefined) {
    const max = byteSizeBytes(parseByteSizeValue(config.max_shard_size, 'max_shard_size'));
    return smallestFactorAtLeast(sourceShards, Math.ceil(sizeBytes / max));
  }
  return sourceShards;
};

const INVALID_FILENAME_CHARS = '[ , ", *, \\, <, |, ,, >, /, ?]';

/**
 * MetadataCreateIndexService.validateIndexOrAliasName: the reason a name is refused, or undefined.
 * Like the plugin, lowercase is not checked here: the `_shrink` call refuses it later.
 */
export const invalidIndexNameReason = (name: string): string | undefined => {
  const reason = ((): string | undefined => {
    if (/[\\/*?"<>| ,]/.test(name))
      return `must not contain the following characters ${INVALID_FILENAME_CHARS}`;
    if (name.includes('#')) return "must not contain '#'";
    if (name.includes(':')) return "must not contain ':'";
    if (/^[_\-+]/.test(name)) return "must not start with '_', '-', or '+'";
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes > 255) return `index name is too long, (${bytes} > 255)`;
    if (name === '.' || name === '..') return "must not be '.' or '..'";
    return undefined;
  })();
  return reason === undefined ? undefined : `Invalid index name [${name}], ${reason}`;
};

/**
 * Free bytes a node must keep under the high disk watermark (`90%`, `0.9` or an absolute size
 * such as `500mb`, which OpenSearch reads as free space to keep).
 */
export const highWatermarkFloorBytes = (watermark: string | undefined, totalBytes: number): number => {
  const w = (watermark ?? '90%').trim();
  if (w.endsWith('%')) return Math.round((totalBytes * (100 - Number(w.slice(0, -1)))) / 100);
  const ratio = Number(w);
  if (Number.isFinite(ratio)) return Math.round(totalBytes * (1 - ratio));
  return byteSizeBytes(parseByteSizeValue(w, 'cluster.routing.allocation.disk.watermark.high'));
};

/** Bytes left on a node once the source is copied twice and the watermark floor kept; ≤ 0: unsuitable. */
export const freeBytesAfterShrink = (
  freeBytes: number,
  totalBytes: number,
  indexBytes: number,
  watermark: string | undefined,
): number => freeBytes - (2 * indexBytes + highWatermarkFloorBytes(watermark, totalBytes));
