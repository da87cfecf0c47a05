/**
 * Percent-decoding of a path segment as OpenSearch's RestUtils.decodeComponent does it: `%XX` are
 * bytes, the bytes are read as UTF-8 with U+FFFD for what is not (`%C0%AF` decodes, it does not
 * fail), and `+` stays `+` in a path. Only an escape that is cut short or not hex fails, and
 * OpenSearch then answers the path's methods as "Unexpected HTTP method" (405).
 *
 *   decodeComponent('a%20b%E6%97%A5'); // 'a b日'
 *   decodeComponent('%zz');            // throws UriDecodeError
 */
export class UriDecodeError extends Error {
  constructor(readonly component: string) {
    super(`invalid escape sequence in [${component}]`);
    this.name = 'UriDecodeError';
  }
}

const HEX = /^[0-9a-fA-F]{2}$/;

export const decodeComponent = (raw: string): string => {
  if (!raw.includes('%')) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length;) {
    if (raw[i] === '%') {
      const hex = raw.slice(i + 1, i + 3);
      if (!HEX.test(hex)) throw new UriDecodeError(raw);
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      const char = String.fromCodePoint(raw.codePointAt(i) ?? 0);
      bytes.push(...Buffer.from(char, 'utf8'));
      i += char.length;
    }
  }
  return Buffer.from(bytes).toString('utf8');
};

/** {@link decodeComponent}, or undefined for a malformed escape. */
export const tryDecodeComponent = (raw: string): string | undefined => {
  try {
    return decodeComponent(raw);
  } catch (e) {
    if (e instanceof UriDecodeError) return undefined;
    throw e;
  }
};
