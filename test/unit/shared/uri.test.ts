import { decodeComponent, tryDecodeComponent, UriDecodeError } from '../../../lambdas/shared/uri';

describe('decoding a path segment as OpenSearch does', () => {
  it('decodes escapes as UTF-8 and leaves + alone', () => {
    expect(decodeComponent('a%20b+c%E6%97%A5')).toBe('a b+c日');
    expect(decodeComponent('%25')).toBe('%');
    expect(decodeComponent('plain')).toBe('plain');
  });

  it('reads bytes that are no UTF-8 as U+FFFD instead of failing', () => {
    expect(decodeComponent('%C0%AF')).toBe('\ufffd\ufffd');
    expect(decodeComponent('x%FF')).toBe('x\ufffd');
  });

  it('fails only on an escape that is cut short or not hex', () => {
    for (const raw of ['%', 'a%', '%z', '%zz', '%E0%A4%A', '%%']) {
      expect(() => decodeComponent(raw)).toThrow(UriDecodeError);
      expect(tryDecodeComponent(raw)).toBeUndefined();
    }
  });
});
