import { OpenSearchError, illegalArgument, parseException } from '../../shared/errors';
import { cause, javaParseDouble, javaParseLong } from '../../shared/xcontent';

/**
 * OpenSearch's TimeValue and ByteSizeValue: the same accepted spellings, the same error types and
 * reasons, and the same re-rendering (`getStringRep()`), which is what a policy echoes back.
 * No npm library parses these exactly (units, case rules, the `-1`/`0` specials), hence our own.
 */

// ---- TimeValue ------------------------------------------------------------------------------

export type TimeUnit = 'nanos' | 'micros' | 'ms' | 's' | 'm' | 'h' | 'd';

export interface TimeValue {
  duration: number;
  unit: TimeUnit;
}

const NANOS_PER: Record<TimeUnit, number> = {
  nanos: 1,
  micros: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
  d: 86400e9,
};

/** Java's NumberFormatException from Long.parseLong. */
const numberFormat = (numberText: string): OpenSearchError =>
  new OpenSearchError(400, 'number_format_exception', `For input string: "${numberText}"`);

/** `type` ("failed to parse [x]") caused by Long.parseLong's NumberFormatException. */
const failedWithCause = (type: string, reason: string, numberText: string): OpenSearchError =>
  new OpenSearchError(400, type, reason, {}, cause(numberFormat(numberText)));

/** TimeValue.parseTimeValue(value, settingName). */
export const parseTimeValue = (value: string, settingName: string): TimeValue => {
  const normalized = value.toLowerCase().trim();
  const withUnit = (suffix: string, unit: TimeUnit): TimeValue => {
    const number = normalized.slice(0, normalized.length - suffix.length).trim();
    const duration = javaParseLong(number);
    if (duration === undefined) {
      const fractional = javaParseDouble(number) !== undefined;
      // TimeValue lives in OpenSearch's libs: its parse errors are IllegalArgumentExceptions.
      throw failedWithCause(
        'illegal_argument_exception',
        fractional
          ? `failed to parse [${value}], fractional time values are not supported`
          : `failed to parse [${value}]`,
        number,
      );
    }
    if (duration < -1) {
      throw illegalArgument(
        `failed to parse setting [${settingName}] with value [${value}] as a time value: negative durations are not supported`,
      );
    }
    return { duration, unit };
  };
  if (normalized.endsWith('nanos')) return withUnit('nanos', 'nanos');
  if (normalized.endsWith('micros')) return withUnit('micros', 'micros');
  if (normalized.endsWith('ms')) return withUnit('ms', 'ms');
  if (normalized.endsWith('s')) return withUnit('s', 's');
  // Case-sensitive on purpose, as in OpenSearch: 'M' would be months, which TimeValue rejects.
  if (value.endsWith('m')) return withUnit('m', 'm');
  if (normalized.endsWith('h')) return withUnit('h', 'h');
  if (normalized.endsWith('d')) return withUnit('d', 'd');
  if (/^-0*1$/.test(normalized)) return { duration: -1, unit: 'ms' };
  if (/^0+$/.test(normalized)) return { duration: 0, unit: 'ms' };
  throw illegalArgument(
    `failed to parse setting [${settingName}] with value [${value}] as a time value: unit is missing or unrecognized`,
  );
};

/** TimeValue.getStringRep(): the number and unit as parsed, negatives without a unit. */
export const formatTimeValue = (t: TimeValue): string =>
  t.duration < 0 ? String(t.duration) : `${t.duration}${t.unit}`;

export const timeValueMillis = (t: TimeValue): number => (t.duration * NANOS_PER[t.unit]) / 1e6;

/** Parse and re-render, as a policy field goes through the plugin. */
export const normalizeTimeValue = (value: string, settingName: string): string =>
  formatTimeValue(parseTimeValue(value, settingName));

// ---- ByteSizeValue --------------------------------------------------------------------------

export type ByteSizeUnit = 'b' | 'kb' | 'mb' | 'gb' | 'tb' | 'pb';

export interface ByteSizeValue {
  size: number;
  unit: ByteSizeUnit;
}

const BYTES_PER: Record<ByteSizeUnit, number> = {
  b: 1,
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
  tb: 1024 ** 4,
  pb: 1024 ** 5,
};

// Order matters: OpenSearch tests the one-letter suffix before the two-letter one. A bare `b`
// is read apart (see parseByteSizeValue).
const BYTE_SUFFIXES: [string, ByteSizeUnit][] = [
  ['k', 'kb'],
  ['kb', 'kb'],
  ['m', 'mb'],
  ['mb', 'mb'],
  ['g', 'gb'],
  ['gb', 'gb'],
  ['t', 'tb'],
  ['tb', 'tb'],
  ['p', 'pb'],
  ['pb', 'pb'],
];

const makeByteSize = (size: number, unit: ByteSizeUnit): ByteSizeValue => {
  if (size < -1 || (size === -1 && unit !== 'b')) {
    throw illegalArgument(`Values less than -1 bytes are not supported: ${size}${unit}`);
  }
  return { size, unit };
};

/** ByteSizeValue.parseBytesSizeValue(value, settingName). */
export const parseByteSizeValue = (value: string, settingName: string): ByteSizeValue => {
  const lower = value.toLowerCase().trim();
  for (const [suffix, unit] of BYTE_SUFFIXES) {
    if (!lower.endsWith(suffix)) continue;
    const number = lower.slice(0, lower.length - suffix.length).trim();
    try {
      const size = javaParseLong(number);
      if (size !== undefined) return makeByteSize(size, unit);
      const fractional = javaParseDouble(number);
      // Fractional sizes are deprecated but accepted, and become whole bytes.
      if (fractional === undefined)
        throw failedWithCause('parse_exception', `failed to parse [${value}]`, number);
      return makeByteSize(Math.trunc(fractional * BYTES_PER[unit]), 'b');
    } catch (e) {
      if (e instanceof OpenSearchError && e.type === 'illegal_argument_exception') {
        throw new OpenSearchError(
          400,
          'parse_exception',
          `failed to parse setting [${settingName}] with value [${value}] as a size in bytes`,
          {},
          cause(e),
        );
      }
      throw e;
    }
  }
  // Plain bytes: Long.parseLong straight, its NumberFormatException and the range check unwrapped.
  if (lower.endsWith('b')) {
    const number = lower.slice(0, -1).trim();
    const size = javaParseLong(number);
    if (size === undefined) throw numberFormat(number);
    return makeByteSize(size, 'b');
  }
  if (lower === '-1') return { size: -1, unit: 'b' };
  if (lower === '0') return { size: 0, unit: 'b' };
  throw parseException(
    `failed to parse setting [${settingName}] with value [${value}] as a size in bytes: unit is missing or unrecognized`,
  );
};

/** ByteSizeValue.getStringRep(): `<size><unit>`, or the bare number when not positive. */
export const formatByteSizeValue = (v: ByteSizeValue): string =>
  v.size <= 0 ? String(v.size) : `${v.size}${v.unit}`;

export const byteSizeBytes = (v: ByteSizeValue): number =>
  Math.min(v.size * BYTES_PER[v.unit], Number.MAX_SAFE_INTEGER);

export const normalizeByteSizeValue = (value: string, settingName: string): string =>
  formatByteSizeValue(parseByteSizeValue(value, settingName));
