/**
 * Which shard of an index a document goes to, as OpenSearch's OperationRouting computes it:
 * Murmur3 (x86, 32-bit, seed 0) of the routing value (the `_id` unless `routing` is given) taken
 * as UTF-16 little-endian bytes (Murmur3HashFunction), modulo the index's `routing_num_shards`,
 * divided by its routing factor. Needed to tell which items of a `_bulk` share a shard request
 * (OpenSearch fails them together) and to name the shard in an error.
 */

/** MurmurHash3 x86 32-bit (Lucene's StringHelper.murmurhash3_x86_32), as a signed 32-bit integer. */
export const murmur3x86_32 = (bytes: Uint8Array, seed = 0): number => {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h1 = seed | 0;
  const end = bytes.length & ~3;
  const mixK = (k: number): number => Math.imul(rotl(Math.imul(k, c1), 15), c2);
  for (let i = 0; i < end; i += 4) {
    const k1 = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    h1 ^= mixK(k1);
    h1 = (Math.imul(rotl(h1, 13), 5) + 0xe6546b64) | 0;
  }
  let k1 = 0;
  const tail = bytes.length & 3;
  if (tail === 3) k1 = bytes[end + 2] << 16;
  if (tail >= 2) k1 |= bytes[end + 1] << 8;
  if (tail >= 1) {
    k1 |= bytes[end];
    h1 ^= mixK(k1);
  }
  h1 ^= bytes.length;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 | 0;
};

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

/** Murmur3HashFunction.hash(String): each UTF-16 code unit as two bytes, low byte first. */
export const routingHash = (routing: string): number => {
  const bytes = new Uint8Array(routing.length * 2);
  for (let i = 0; i < routing.length; i++) {
    const c = routing.charCodeAt(i);
    bytes[i * 2] = c & 0xff;
    bytes[i * 2 + 1] = c >>> 8;
  }
  return murmur3x86_32(bytes);
};

export interface IndexRouting {
  readonly shards: number;
  /** `routing_num_shards` of the index metadata. */
  readonly routingShards: number;
}

/** OperationRouting.calculateScaledShardId (no `routing_partition_size`). */
export const shardOf = (routing: string, index: IndexRouting): number => {
  const hash = routingHash(routing);
  const mod = ((hash % index.routingShards) + index.routingShards) % index.routingShards;
  return Math.floor(mod / (index.routingShards / index.shards));
};
