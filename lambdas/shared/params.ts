import { OpenSearchError, illegalArgument } from './errors';

/** Query-parameter readers with OpenSearch's parse errors (RestRequest.paramAsInt & co). */
export type Query = Readonly<Record<string, string | undefined>>;

/**
 * RestRequest.paramAsInt/paramAsLong: Integer.parseInt/Long.parseLong (an optional sign and
 * digits, nothing else), their NumberFormatException as the cause.
 */
const parseNumber = (query: Query, name: string, kind: 'int' | 'long'): number | undefined => {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const limit = kind === 'int' ? 2 ** 31 : 2 ** 63;
  const value = /^[+-]?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= -limit && value < limit)) {
    throw new OpenSearchError(
      400,
      'illegal_argument_exception',
      `Failed to parse ${kind} parameter [${name}] with value [${raw}]`,
      {},
      { type: 'number_format_exception', reason: `For input string: "${raw}"` },
    );
  }
  return value;
};

export const intParam = (query: Query, name: string, fallback: number): number =>
  parseNumber(query, name, 'int') ?? fallback;

export const longParam = (query: Query, name: string): number | undefined => parseNumber(query, name, 'long');

export const boolParam = (query: Query, name: string, fallback: boolean): boolean => {
  const raw = query[name];
  if (raw === undefined) return fallback;
  // OpenSearch: a present but empty flag means true.
  if (raw === '' || raw === 'true') return true;
  if (raw === 'false') return false;
  throw illegalArgument(`Failed to parse value [${raw}] as only [true] or [false] are allowed.`);
};
