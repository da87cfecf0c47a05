/**
 * MurmurHash3 x64 128-bit (Austin Appleby's reference algorithm, as OpenSearch's
 * `org.opensearch.common.hash.MurmurHash3.hash128` implements it). No maintained npm package
 * exposes both 64-bit halves with a seed, which the plugin's document ids need.
 *
 * Every 64-bit word is a pair of unsigned 32-bit numbers (hi, lo): the runner hashes one id per
 * rollup or transform document, and BigInt arithmetic made that a large share of a page's CPU time.
 * test/unit/rollup/ids.test.ts checks it against a BigInt transcription of the reference.
 */

/** Scratch registers: [hi, lo] of the word being computed (one hash at a time, synchronous). */
let rHi = 0;
let rLo = 0;

/** High 32 bits of the 64-bit product of two unsigned 32-bit numbers. */
const mulHi32 = (a: number, b: number): number => {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) >>> 0;
};

/** (aHi, aLo) * (bHi, bLo) mod 2^64 into (rHi, rLo). */
const mul64 = (aHi: number, aLo: number, bHi: number, bLo: number): void => {
  rHi = (mulHi32(aLo, bLo) + Math.imul(aHi, bLo) + Math.imul(aLo, bHi)) >>> 0;
  rLo = Math.imul(aLo, bLo) >>> 0;
};

/** (aHi, aLo) + (bHi, bLo) mod 2^64 into (rHi, rLo). */
const add64 = (aHi: number, aLo: number, bHi: number, bLo: number): void => {
  const lo = (aLo + bLo) >>> 0;
  rHi = (aHi + bHi + (lo < aLo ? 1 : 0)) >>> 0;
  rLo = lo;
};

/** Rotate left by r (0 < r < 64) into (rHi, rLo). */
const rotl64 = (hi: number, lo: number, r: number): void => {
  if (r >= 32) {
    const t = hi;
    hi = lo;
    lo = t;
    r -= 32;
  }
  if (r === 0) {
    rHi = hi;
    rLo = lo;
    return;
  }
  rHi = ((hi << r) | (lo >>> (32 - r))) >>> 0;
  rLo = ((lo << r) | (hi >>> (32 - r))) >>> 0;
};

const C1_HI = 0x87c37b91;
const C1_LO = 0x114253d5;
const C2_HI = 0x4cf5ad43;
const C2_LO = 0x2745937f;

/** fmix64 into (rHi, rLo). */
const fmix64 = (hi: number, lo: number): void => {
  // k ^= k >>> 33: the high word shifted by one lands in the low word.
  lo = (lo ^ (hi >>> 1)) >>> 0;
  mul64(hi, lo, 0xff51afd7, 0xed558ccd);
  hi = rHi;
  lo = (rLo ^ (rHi >>> 1)) >>> 0;
  mul64(hi, lo, 0xc4ceb9fe, 0x1a85ec53);
  rLo = (rLo ^ (rHi >>> 1)) >>> 0;
};

/** The 128-bit hash as h1 (hi, lo) and h2 (hi, lo). */
export const murmur3x64_128 = (
  bytes: Uint8Array,
  seed: number,
  len = bytes.length,
  view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
): [number, number, number, number] => {
  let h1Hi = Math.floor(seed / 0x100000000) >>> 0;
  let h1Lo = seed >>> 0;
  let h2Hi = h1Hi;
  let h2Lo = h1Lo;
  const blocks = len >>> 4;
  let k1Hi: number;
  let k1Lo: number;
  let k2Hi: number;
  let k2Lo: number;
  for (let i = 0; i < blocks; i++) {
    const at = i * 16;
    k1Lo = view.getUint32(at, true);
    k1Hi = view.getUint32(at + 4, true);
    k2Lo = view.getUint32(at + 8, true);
    k2Hi = view.getUint32(at + 12, true);

    mul64(k1Hi, k1Lo, C1_HI, C1_LO);
    rotl64(rHi, rLo, 31);
    mul64(rHi, rLo, C2_HI, C2_LO);
    h1Hi = (h1Hi ^ rHi) >>> 0;
    h1Lo = (h1Lo ^ rLo) >>> 0;
    rotl64(h1Hi, h1Lo, 27);
    add64(rHi, rLo, h2Hi, h2Lo);
    mul64(rHi, rLo, 0, 5);
    add64(rHi, rLo, 0, 0x52dce729);
    h1Hi = rHi;
    h1Lo = rLo;

    mul64(k2Hi, k2Lo, C2_HI, C2_LO);
    rotl64(rHi, rLo, 33);
    mul64(rHi, rLo, C1_HI, C1_LO);
    h2Hi = (h2Hi ^ rHi) >>> 0;
    h2Lo = (h2Lo ^ rLo) >>> 0;
    rotl64(h2Hi, h2Lo, 31);
    add64(rHi, rLo, h1Hi, h1Lo);
    mul64(rHi, rLo, 0, 5);
    add64(rHi, rLo, 0, 0x38495ab5);
    h2Hi = rHi;
    h2Lo = rLo;
  }
  const tail = blocks * 16;
  const rest = len & 15;
  k1Hi = k1Lo = k2Hi = k2Lo = 0;
  for (let i = 0; i < rest; i++) {
    const b = bytes[tail + i];
    if (i < 4) k1Lo |= b << (8 * i);
    else if (i < 8) k1Hi |= b << (8 * (i - 4));
    else if (i < 12) k2Lo |= b << (8 * (i - 8));
    else k2Hi |= b << (8 * (i - 12));
  }
  if (rest > 8) {
    mul64(k2Hi >>> 0, k2Lo >>> 0, C2_HI, C2_LO);
    rotl64(rHi, rLo, 33);
    mul64(rHi, rLo, C1_HI, C1_LO);
    h2Hi = (h2Hi ^ rHi) >>> 0;
    h2Lo = (h2Lo ^ rLo) >>> 0;
  }
  if (rest > 0) {
    mul64(k1Hi >>> 0, k1Lo >>> 0, C1_HI, C1_LO);
    rotl64(rHi, rLo, 31);
    mul64(rHi, rLo, C2_HI, C2_LO);
    h1Hi = (h1Hi ^ rHi) >>> 0;
    h1Lo = (h1Lo ^ rLo) >>> 0;
  }
  // h ^= len (a length fits the low word)
  h1Lo = (h1Lo ^ len) >>> 0;
  h2Lo = (h2Lo ^ len) >>> 0;
  add64(h1Hi, h1Lo, h2Hi, h2Lo);
  h1Hi = rHi;
  h1Lo = rLo;
  add64(h2Hi, h2Lo, h1Hi, h1Lo);
  h2Hi = rHi;
  h2Lo = rLo;
  fmix64(h1Hi, h1Lo);
  h1Hi = rHi;
  h1Lo = rLo;
  fmix64(h2Hi, h2Lo);
  h2Hi = rHi;
  h2Lo = rLo;
  add64(h1Hi, h1Lo, h2Hi, h2Lo);
  h1Hi = rHi;
  h1Lo = rLo;
  add64(h2Hi, h2Lo, h1Hi, h1Lo);
  return [h1Hi, h1Lo, rHi, rLo];
};

/** IndexUtils.hashToFixedSize: h1 and h2 big-endian, base64url without padding (22 chars). */
export const DOCUMENT_ID_SEED = 72390;

const out = Buffer.alloc(16);
/** The id's UTF-8 bytes, in a buffer kept from call to call (one per rollup or transform document). */
let scratch = Buffer.alloc(256);
let scratchView = new DataView(scratch.buffer, scratch.byteOffset, scratch.byteLength);

export const hashToFixedSize = (id: string): string => {
  // A UTF-16 unit takes at most 3 UTF-8 bytes.
  if (id.length * 3 > scratch.length) {
    scratch = Buffer.alloc(id.length * 3);
    scratchView = new DataView(scratch.buffer, scratch.byteOffset, scratch.byteLength);
  }
  const len = scratch.write(id, 0, 'utf8');
  const [h1Hi, h1Lo, h2Hi, h2Lo] = murmur3x64_128(scratch, DOCUMENT_ID_SEED, len, scratchView);
  out.writeUInt32BE(h1Hi, 0);
  out.writeUInt32BE(h1Lo, 4);
  out.writeUInt32BE(h2Hi, 8);
  out.writeUInt32BE(h2Lo, 12);
  return out.toString('base64url');
};
