/**
 * MurmurHash3 x64 128-bit (Austin Appleby's reference algorithm, as OpenSearch's
 * `org.opensearch.common.hash.MurmurHash3.hash128` implements it), on BigInt. No maintained npm
 * package exposes both 64-bit halves with a seed, which the plugin's document ids need.
 */
const MASK = (1n << 64n) - 1n;
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;

const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & MASK;
const mul = (a: bigint, b: bigint): bigint => (a * b) & MASK;
const add = (a: bigint, b: bigint): bigint => (a + b) & MASK;

const fmix = (k0: bigint): bigint => {
  let k = k0;
  k ^= k >> 33n;
  k = mul(k, 0xff51afd7ed558ccdn);
  k ^= k >> 33n;
  k = mul(k, 0xc4ceb9fe1a85ec53n);
  k ^= k >> 33n;
  return k;
};

export const murmur3x64_128 = (bytes: Uint8Array, seed: number): [bigint, bigint] => {
  const len = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let h1 = BigInt(seed) & MASK;
  let h2 = h1;
  const blocks = Math.floor(len / 16);
  for (let i = 0; i < blocks; i++) {
    let k1 = view.getBigUint64(i * 16, true);
    let k2 = view.getBigUint64(i * 16 + 8, true);
    k1 = mul(rotl(mul(k1, C1), 31n), C2);
    h1 ^= k1;
    h1 = add(mul(add(rotl(h1, 27n), h2), 5n), 0x52dce729n);
    k2 = mul(rotl(mul(k2, C2), 33n), C1);
    h2 ^= k2;
    h2 = add(mul(add(rotl(h2, 31n), h1), 5n), 0x38495ab5n);
  }
  const tail = blocks * 16;
  const rest = len & 15;
  let k1 = 0n;
  let k2 = 0n;
  for (let i = rest - 1; i >= 8; i--) k2 ^= BigInt(bytes[tail + i]) << BigInt((i - 8) * 8);
  if (rest > 8) h2 ^= mul(rotl(mul(k2, C2), 33n), C1);
  for (let i = Math.min(rest, 8) - 1; i >= 0; i--) k1 ^= BigInt(bytes[tail + i]) << BigInt(i * 8);
  if (rest > 0) h1 ^= mul(rotl(mul(k1, C1), 31n), C2);
  const n = BigInt(len);
  h1 ^= n;
  h2 ^= n;
  h1 = add(h1, h2);
  h2 = add(h2, h1);
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = add(h1, h2);
  h2 = add(h2, h1);
  return [h1, h2];
};

/** IndexUtils.hashToFixedSize: h1 and h2 big-endian, base64url without padding (22 chars). */
export const DOCUMENT_ID_SEED = 72390;

export const hashToFixedSize = (id: string): string => {
  const [h1, h2] = murmur3x64_128(Buffer.from(id, 'utf8'), DOCUMENT_ID_SEED);
  const out = Buffer.alloc(16);
  out.writeBigUInt64BE(h1, 0);
  out.writeBigUInt64BE(h2, 8);
  return out.toString('base64url');
};
