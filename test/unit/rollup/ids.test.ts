import { randomBytes } from 'node:crypto';
import { hashToFixedSize, murmur3x64_128 } from '../../../lambdas/shared/murmur3';
import { javaDoubleToString } from '../../../lambdas/shared/java-number';

/**
 * Rollup document ids must be the plugin's, so that a job moved from the plugin to us (or the
 * other way) overwrites its own documents. Expected values were computed with OpenSearch 2.19's
 * own `MurmurHash3.hash128` + `Base64.getUrlEncoder().withoutPadding()`, seed 72390.
 */
describe('rollup document ids', () => {
  it.each([
    ['nyc#1546300800000#132', 'LAglHm4h1gmx6-KXMTiMaQ'],
    ['job#1546300800000#ODFE-MAGIC-NULL-MAGIC-ODFE', 'tyMAwuATTDLNnpXcHpnVzg'],
    ['', 'SitS-vdGdFHz6D8iR0ZjZA'],
    ['a', 'Rw3ZtWQ2-JocxyhfL70x4Q'],
    ['rollup-job#1700000000000#abc#2.5E-4#1.0E7', '6_5MN31yR6TGfcuPhn47cw'],
    ['ünïcode#日本#1', 'bCwieBGWMEX1TSeUvTgmKQ'],
    ['0123456789abcdef0123456789abcdefX', 'q7XQccpPM1HhKHO-JuoiHg'],
  ])('hashes %j as the plugin does', (source, id) => {
    expect(hashToFixedSize(source)).toBe(id);
  });

  it.each([
    [1, '1.0'],
    [2.5e-4, '2.5E-4'],
    [1e7, '1.0E7'],
    [0.001, '0.001'],
    [123456.789, '123456.789'],
    [9999999, '9999999.0'],
    [1e21, '1.0E21'],
    [100, '100.0'],
    [-0.5, '-0.5'],
    [1e-7, '1.0E-7'],
    [0.1 + 0.2, '0.30000000000000004'],
  ])('renders the double %p as Java does: %s', (value, text) => {
    expect(javaDoubleToString(value)).toBe(text);
  });
});

/** The reference algorithm transcribed on BigInt: slow but plainly 64-bit, the oracle below. */
const MASK = (1n << 64n) - 1n;
const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & MASK;
const mul = (a: bigint, b: bigint): bigint => (a * b) & MASK;
const add = (a: bigint, b: bigint): bigint => (a + b) & MASK;
const fmix = (k0: bigint): bigint => {
  let k = k0;
  k ^= k >> 33n;
  k = mul(k, 0xff51afd7ed558ccdn);
  k ^= k >> 33n;
  k = mul(k, 0xc4ceb9fe1a85ec53n);
  return k ^ (k >> 33n);
};
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;
const reference = (bytes: Uint8Array, seed: number): [bigint, bigint] => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let h1 = BigInt(seed) & MASK;
  let h2 = h1;
  const blocks = Math.floor(bytes.length / 16);
  for (let i = 0; i < blocks; i++) {
    h1 ^= mul(rotl(mul(view.getBigUint64(i * 16, true), C1), 31n), C2);
    h1 = add(mul(add(rotl(h1, 27n), h2), 5n), 0x52dce729n);
    h2 ^= mul(rotl(mul(view.getBigUint64(i * 16 + 8, true), C2), 33n), C1);
    h2 = add(mul(add(rotl(h2, 31n), h1), 5n), 0x38495ab5n);
  }
  const tail = blocks * 16;
  const rest = bytes.length & 15;
  let k1 = 0n;
  let k2 = 0n;
  for (let i = rest - 1; i >= 8; i--) k2 ^= BigInt(bytes[tail + i]) << BigInt((i - 8) * 8);
  if (rest > 8) h2 ^= mul(rotl(mul(k2, C2), 33n), C1);
  for (let i = Math.min(rest, 8) - 1; i >= 0; i--) k1 ^= BigInt(bytes[tail + i]) << BigInt(i * 8);
  if (rest > 0) h1 ^= mul(rotl(mul(k1, C1), 31n), C2);
  h1 ^= BigInt(bytes.length);
  h2 ^= BigInt(bytes.length);
  h1 = add(h1, h2);
  h2 = add(h2, h1);
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = add(h1, h2);
  h2 = add(h2, h1);
  return [h1, h2];
};

describe('murmur3 on 32-bit words', () => {
  it('agrees with the 64-bit reference on 2000 random inputs of every length up to 80 bytes', () => {
    for (let i = 0; i < 2000; i++) {
      const bytes = randomBytes(i % 81);
      const seed = [0, 72390, 0xffffffff, 123456789][i % 4];
      const [h1Hi, h1Lo, h2Hi, h2Lo] = murmur3x64_128(bytes, seed);
      const [h1, h2] = reference(bytes, seed);
      expect([(BigInt(h1Hi) << 32n) | BigInt(h1Lo), (BigInt(h2Hi) << 32n) | BigInt(h2Lo)]).toEqual([h1, h2]);
    }
  });
});
