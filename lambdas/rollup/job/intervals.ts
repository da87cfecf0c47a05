import { DateTime } from 'luxon';
import { illegalArgument } from '../../shared/errors';

/**
 * Date-histogram intervals as OpenSearch reads them (DateHistogramInterval): calendar units
 * (`1h`/`hour`, ...) and fixed time values (`90m`, `30s`, `2d`). Bucket rounding in the job's
 * time zone gives a continuous job its windows: one bucket wide, aligned as the composite
 * aggregation aligns its buckets.
 */
type CalendarUnit = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';

const CALENDAR: Record<string, CalendarUnit> = {
  '1m': 'minute',
  minute: 'minute',
  '1h': 'hour',
  hour: 'hour',
  '1d': 'day',
  day: 'day',
  '1w': 'week',
  week: 'week',
  '1M': 'month',
  month: 'month',
  '1q': 'quarter',
  quarter: 'quarter',
  '1y': 'year',
  year: 'year',
};

const FIXED_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export const calendarUnit = (interval: string): CalendarUnit => {
  const unit = CALENDAR[interval];
  if (!unit)
    throw illegalArgument(`The supplied interval [${interval}] could not be parsed as a calendar interval.`);
  return unit;
};

export const fixedIntervalMs = (interval: string): number => {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(interval.trim());
  if (!m || Number(m[1]) <= 0) {
    throw illegalArgument(
      `failed to parse setting [date_histogram.fixedInterval] with value [${interval}] as a time value: unit is missing or unrecognized`,
    );
  }
  return Number(m[1]) * FIXED_UNITS[m[2]];
};

export interface DateInterval {
  fixed_interval?: string;
  calendar_interval?: string;
  timezone: string;
}

/** Fails with OpenSearch's message when the interval cannot be parsed. */
export const checkInterval = (d: DateInterval): void => {
  if (d.fixed_interval !== undefined) fixedIntervalMs(d.fixed_interval);
  else if (d.calendar_interval !== undefined) calendarUnit(d.calendar_interval);
};

/** Interval length in ms, calendar units at their nominal length (for comparing jobs). */
export const nominalIntervalMs = (d: DateInterval): number => {
  if (d.fixed_interval !== undefined) return fixedIntervalMs(d.fixed_interval);
  const nominal: Record<CalendarUnit, number> = {
    minute: 60_000,
    hour: 3_600_000,
    day: 86_400_000,
    week: 7 * 86_400_000,
    month: 30 * 86_400_000,
    quarter: 91 * 86_400_000,
    year: 365 * 86_400_000,
  };
  return nominal[calendarUnit(d.calendar_interval as string)];
};

const zoneOf = (tz: string): string => (tz === 'Z' ? 'UTC' : tz);

/** The start of the bucket that holds `ms`. */
export const bucketStart = (d: DateInterval, ms: number): number => {
  if (d.calendar_interval !== undefined) {
    return DateTime.fromMillis(ms, { zone: zoneOf(d.timezone) })
      .startOf(calendarUnit(d.calendar_interval))
      .toMillis();
  }
  const interval = fixedIntervalMs(d.fixed_interval as string);
  // Fixed intervals round on the local time line, as OpenSearch's TimeIntervalRounding does.
  const offset = DateTime.fromMillis(ms, { zone: zoneOf(d.timezone) }).offset * 60_000;
  const local = ms + offset;
  const floored = Math.floor(local / interval) * interval;
  return floored - offset;
};

/** The start of the bucket after the one that starts at `start`. */
export const nextBucketStart = (d: DateInterval, start: number): number => {
  if (d.calendar_interval !== undefined) {
    return DateTime.fromMillis(start, { zone: zoneOf(d.timezone) })
      .plus({ [`${calendarUnit(d.calendar_interval)}s`]: 1 })
      .toMillis();
  }
  return bucketStart(d, start + fixedIntervalMs(d.fixed_interval as string));
};
