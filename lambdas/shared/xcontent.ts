import { OpenSearchError, illegalArgument } from './errors';
import { tokenLocations, type TokenLocation } from './token-locations';

/**
 * Reading parsed JSON the way OpenSearch's XContentParser reads a request body, so that a wrong
 * token type fails with the same error type and reason the plugin returns.
 *
 * What cannot be reproduced from an already-parsed body: the `[line:col]` location OpenSearch puts
 * in some reasons, duplicate-key detection, and number literals as written (1.0 reads as 1).
 * Token errors (`parsing_exception`) carry the `line`/`col` of the offending token when the body
 * is read inside {@link withTokenLocations}.
 * Where the plugin answers 500 (IllegalStateException from `text()` on an object, Jackson's
 * coercion errors) we answer 400 with the plugin's type and reason.
 */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export type Token =
  'START_OBJECT' | 'START_ARRAY' | 'VALUE_STRING' | 'VALUE_NUMBER' | 'VALUE_BOOLEAN' | 'VALUE_NULL';

export const tokenOf = (value: unknown): Token => {
  if (value === null || value === undefined) return 'VALUE_NULL';
  if (Array.isArray(value)) return 'START_ARRAY';
  switch (typeof value) {
    case 'object':
      return 'START_OBJECT';
    case 'string':
      return 'VALUE_STRING';
    case 'number':
      return 'VALUE_NUMBER';
    case 'boolean':
      return 'VALUE_BOOLEAN';
    default:
      return 'VALUE_NULL';
  }
};

/** Jackson names numbers and booleans more finely than XContent does, in its own messages. */
const jacksonToken = (value: unknown): string => {
  if (typeof value === 'number') return Number.isInteger(value) ? 'VALUE_NUMBER_INT' : 'VALUE_NUMBER_FLOAT';
  if (typeof value === 'boolean') return value ? 'VALUE_TRUE' : 'VALUE_FALSE';
  return tokenOf(value);
};

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// ---- errors, named after the Java exceptions they stand for ---------------------------------

export const parsingException = (reason: string): OpenSearchError =>
  new OpenSearchError(400, 'parsing_exception', reason);

export const xContentParseException = (reason: string, causedBy?: OpenSearchError): OpenSearchError =>
  new OpenSearchError(400, 'x_content_parse_exception', reason, {}, causedBy && cause(causedBy));

/** The plugin's IllegalStateException is a 500 there; an invalid body is a 400 here. */
export const illegalState = (reason: string): OpenSearchError =>
  new OpenSearchError(400, 'illegal_state_exception', reason);

export const cause = (e: OpenSearchError): { type: string; reason: string } => ({
  type: e.type,
  reason: e.reason,
});

// ---- token locations ------------------------------------------------------------------------

/** The token a parsing error is about: a value, an object's field name, or a closing bracket. */
export type TokenAt = { value: unknown } | { name: string; in: object } | { end: object };

const pointedAt = new WeakMap<OpenSearchError, TokenAt>();
/** Objects and arrays read so far, while a body is read inside withTokenLocations. */
let entered: object[] | undefined;

const enter = (value: object): void => {
  entered?.push(value);
};

const pointAt = (error: OpenSearchError, at: TokenAt | undefined): OpenSearchError => {
  if (at && entered) pointedAt.set(error, at);
  return error;
};

/** A primitive's place: the most recently read container holding it (the reader is depth-first). */
const locatePrimitive = (
  value: unknown,
  containers: object[],
  root: unknown,
): [object, string | number] | undefined => {
  for (const c of [...containers].reverse().concat(isObject(root) || Array.isArray(root) ? [root] : [])) {
    const key = Array.isArray(c)
      ? c.findIndex((v) => Object.is(v, value))
      : Object.keys(c).find((k) => Object.is((c as JsonObject)[k], value));
    if (key !== undefined && key !== -1) return [c, key];
  }
  return undefined;
};

/**
 * Reads a request body with `read`, and gives the token errors it throws the `line`/`col` of
 * the token in `rawBody`, as Jackson's token location: what OpenSearch adds to a
 * `parsing_exception`.
 */
export const withTokenLocations = <T>(rawBody: string | undefined, body: unknown, read: () => T): T => {
  if (rawBody === undefined) return read();
  const previous = entered;
  const containers: object[] = [];
  entered = containers;
  try {
    return read();
  } catch (e) {
    const at = e instanceof OpenSearchError ? pointedAt.get(e) : undefined;
    if (!at || !(e instanceof OpenSearchError)) throw e;
    const locations = tokenLocations(rawBody, body);
    let location: TokenLocation | undefined;
    if ('name' in at) location = locations.ofName(at.in, at.name);
    else if ('end' in at) location = locations.ofEnd(at.end);
    else if (Object.is(at.value, body)) location = locations.root;
    else if (typeof at.value === 'object' && at.value !== null) location = locations.ofValue(at.value);
    else {
      const place = locatePrimitive(at.value, containers, body);
      location = place && locations.ofKey(place[0], place[1]);
    }
    if (!location) throw e;
    throw new OpenSearchError(
      e.status,
      e.type,
      e.reason,
      { ...e.metadata, line: location.line, col: location.col },
      e.causedBy,
    );
  } finally {
    entered = previous;
  }
};

/** XContentParserUtils.ensureExpectedToken; `at` is the token found, for its location. */
export const unexpectedToken = (expected: string, found: string, at?: TokenAt): OpenSearchError =>
  pointAt(
    parsingException(`Failed to parse object: expecting token of type [${expected}] but found [${found}]`),
    at,
  );

/** The plugin's `else -> throw IllegalArgumentException("Invalid field: [x] found in Y.")`. */
export const invalidField = (field: string, where: string): OpenSearchError =>
  illegalArgument(`Invalid field: [${field}] found in ${where}.`);

/** Kotlin's `require(cond) { reason }`. */
export function check(condition: boolean, reason: string): asserts condition {
  if (!condition) throw illegalArgument(reason);
}

/** Kotlin's `requireNotNull(value) { reason }`. */
export const required = <T>(value: T | null | undefined, reason: string): T => {
  if (value === null || value === undefined) throw illegalArgument(reason);
  return value;
};

// ---- token readers ------------------------------------------------------------------------

export const expectObject = (value: unknown): JsonObject => {
  if (!isObject(value)) throw unexpectedToken('START_OBJECT', tokenOf(value), { value });
  enter(value);
  return value;
};

export const expectArray = (value: unknown): Json[] => {
  if (!Array.isArray(value)) throw unexpectedToken('START_ARRAY', tokenOf(value), { value });
  enter(value);
  return value as Json[];
};

/** The fields of an object in document order (what `while (nextToken() != END_OBJECT)` sees). */
export const fields = (value: unknown): [string, Json][] => Object.entries(expectObject(value));

/** XContentParser.text(): any scalar reads as its text; objects, arrays and null do not. */
export const text = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw illegalState(`Can't get text on a ${tokenOf(value)}`);
};

export const textOrNull = (value: unknown): string | null => (value === null ? null : text(value));

const notNumeric = (value: unknown): OpenSearchError =>
  new OpenSearchError(
    400,
    'json_parse_exception',
    `Current token (${jacksonToken(value)}) not numeric, can not use numeric value accessors`,
  );

/** Long.MAX_VALUE as the nearest double (2^63); precision beyond 2^53 is lost in JSON.parse anyway. */
const LONG_MAX = 2 ** 63;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/** Java's Double.parseDouble, as far as JSON text needs it (trims, accepts NaN/Infinity and a d/f suffix). */
export const javaParseDouble = (s: string): number | undefined => {
  const t = s.trim();
  if (/^[+-]?(NaN|Infinity)$/.test(t)) return Number(t.replace('+', ''));
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?$/.test(t)) return undefined;
  return Number(t.replace(/[fFdD]$/, ''));
};

/** Java's Long.parseLong: optional sign, digits only, within range. */
export const javaParseLong = (s: string): number | undefined => {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Math.abs(n) > LONG_MAX ? undefined : n;
};

const numberFormat = (s: string): OpenSearchError =>
  new OpenSearchError(
    400,
    'number_format_exception',
    s.trim() === '' ? 'empty String' : `For input string: "${s}"`,
  );

/** XContentParser.longValue() with coercion: numeric strings are accepted, fractions truncated. */
export const longValue = (value: unknown): number => {
  if (typeof value === 'string') {
    const exact = javaParseLong(value);
    if (exact !== undefined) return exact;
    const approx = javaParseDouble(value);
    if (approx === undefined || !Number.isFinite(approx))
      throw illegalArgument(`For input string: "${value}"`);
    if (Math.abs(approx) >= LONG_MAX) throw illegalArgument(`Value [${value}] is out of range for a long`);
    return Math.trunc(approx);
  }
  if (typeof value !== 'number') throw notNumeric(value);
  if (Math.abs(value) > LONG_MAX) {
    throw new OpenSearchError(
      400,
      'input_coercion_exception',
      `Numeric value (${value}) out of range of long (-9223372036854775808 - 9223372036854775807)`,
    );
  }
  return Math.trunc(value);
};

/** XContentParser.intValue() with coercion. */
export const intValue = (value: unknown): number => {
  if (typeof value === 'string') {
    const parsed = javaParseDouble(value);
    if (parsed === undefined) throw numberFormat(value);
    if (parsed < INT_MIN || parsed > INT_MAX)
      throw illegalArgument(`Value [${value}] is out of range for an integer`);
    return Math.trunc(parsed);
  }
  if (typeof value !== 'number') throw notNumeric(value);
  if (value < INT_MIN || value > INT_MAX) {
    throw new OpenSearchError(
      400,
      'input_coercion_exception',
      `Numeric value (${value}) out of range of int (${INT_MIN} - ${INT_MAX})`,
    );
  }
  return Math.trunc(value);
};

/** XContentParser.doubleValue() with coercion. */
export const doubleValue = (value: unknown): number => {
  if (typeof value === 'string') {
    const parsed = javaParseDouble(value);
    if (parsed === undefined) throw numberFormat(value);
    return parsed;
  }
  if (typeof value !== 'number') throw notNumeric(value);
  return value;
};

/** XContentParser.booleanValue(): true/false, or the strings "true"/"false" ("" reads as false). */
export const booleanValue = (value: unknown): boolean => {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (value === 'true') return true;
    if (value === 'false' || value === '') return false;
    throw illegalArgument(`Failed to parse value [${value}] as only [true] or [false] are allowed.`);
  }
  throw new OpenSearchError(
    400,
    'json_parse_exception',
    `Current token (${jacksonToken(value)}) not of boolean type`,
  );
};

/** XContentParser.mapOrdered(): any object, kept as written. */
export const mapOrdered = (value: unknown): JsonObject => expectObject(value);

/** XContentParser.mapStrings(): an object whose values are read as text. */
export const mapStrings = (value: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of fields(value)) out[k] = text(v);
  return out;
};

/** `epoch millis` fields read by the plugin's `xcp.instant()`: null stays null. */
export const instant = (value: unknown): number | null => {
  if (value === null) return null;
  if (isObject(value) || Array.isArray(value)) {
    throw pointAt(parsingException(`Failed to parse object: unexpected token [${tokenOf(value)}] found`), {
      value,
    });
  }
  return longValue(value);
};
