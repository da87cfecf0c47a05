import { illegalArgument } from './errors';

/** Query-parameter readers with OpenSearch's parse errors (RestRequest.paramAsInt & co). */
export type Query = Readonly<Record<string, string | undefined>>;

const parseNumber = (query: Query, name: string, kind: 'int' | 'long'): number | undefined => {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const value = raw.trim() === '' ? NaN : Number(raw);
  const limit = kind === 'int' ? 2 ** 31 : 2 ** 63;
  if (!Number.isInteger(value) || value < -limit || value >= limit) {
    throw illegalArgument(`Failed to parse ${kind} parameter [${name}] with value [${raw}]`);
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
