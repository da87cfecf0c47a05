import { parseTimeValue, timeValueMillis } from '../../ism/policy/units';

/**
 * SM echoes time values as OpenSearch's `TimeValue.toString()`: the largest unit that fits, with
 * at most one decimal, truncated (`90m` → `1.5h`, `24h` → `1d`, `100m` → `1.6h`).
 */
const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

export const humanTimeValue = (millis: number): string => {
  if (millis < 0) return String(millis);
  if (millis === 0) return '0s';
  const [suffix, size] = UNITS.find(([, size]) => millis >= size) ?? ['ms', 1];
  const value = millis / size;
  const tenths = Math.floor(value * 10 + 1e-9) % 10;
  return `${Math.floor(value)}${tenths === 0 ? '' : `.${tenths}`}${suffix}`;
};

/** Parses a time setting as OpenSearch does (same errors) and returns its millis. */
export const timeValueToMillis = (value: string, setting: string): number =>
  timeValueMillis(parseTimeValue(value, setting));

export const normalizeSmTimeValue = (value: string, setting: string): string =>
  humanTimeValue(timeValueToMillis(value, setting));
