import { byteSizeBytes, parseByteSizeValue, parseTimeValue, timeValueMillis } from '../policy/units';

/**
 * OpenSearch's human renderings (TimeValue.toString(), ByteSizeValue.toString()): the largest
 * unit with at most one decimal, truncated (Strings.format1Decimals), e.g. `2.3h`, `1.2kb`.
 */
const oneDecimal = (value: number, suffix: string): string => {
  const t = Math.trunc(value * 10) / 10;
  return `${Number.isInteger(t) ? String(Math.trunc(t)) : t.toFixed(1)}${suffix}`;
};

export const formatMillis = (ms: number): string => {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  for (const [size, suffix] of units) if (Math.abs(ms) >= size) return oneDecimal(ms / size, suffix);
  return `${Math.trunc(ms)}ms`;
};

export const formatBytes = (bytes: number): string => {
  const units: [number, string][] = [
    [1024 ** 5, 'pb'],
    [1024 ** 4, 'tb'],
    [1024 ** 3, 'gb'],
    [1024 ** 2, 'mb'],
    [1024, 'kb'],
  ];
  for (const [size, suffix] of units) if (bytes >= size) return oneDecimal(bytes / size, suffix);
  return `${bytes}b`;
};

/** A stored policy's TimeValue string in ms (already validated on PUT). */
export const millisOf = (value: string): number => timeValueMillis(parseTimeValue(value, 'value'));

/** A stored policy's ByteSizeValue string in bytes. */
export const bytesOf = (value: string): number => byteSizeBytes(parseByteSizeValue(value, 'value'));
