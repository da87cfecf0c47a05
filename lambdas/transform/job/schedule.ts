import { CronExpressionParser } from 'cron-parser';
import { normalizeZoneId } from '../../ism/policy/timezone';
import { illegalArgument } from '../../shared/errors';
import { check, fields, instant, intValue, longValue, required, text } from '../../shared/xcontent';

/**
 * A job-scheduler schedule (ScheduleParser / IntervalSchedule / CronSchedule), as a transform
 * stores it, and when the job runs next. (The rollup namespace has its own copy, with rollup's
 * schedule_delay handling.)
 *
 *   parseJobSchedule({ interval: { period: 1, unit: 'Minutes' } }, { now, create: true, ... })
 *   // { interval: { start_time: now, period: 1, unit: 'Minutes' } }
 */
export type IntervalUnit = 'Minutes' | 'Hours' | 'Days';

export type JobSchedule =
  | { interval: { start_time: number; period: number; unit: IntervalUnit; schedule_delay?: number } }
  | { cron: { expression: string; timezone: string } };

export interface ScheduleParseOptions {
  readonly now: number;
  /** The job type's check of the interval, e.g. `Transform job schedule interval must be greater than 0`. */
  readonly intervalMessage: string;
  /** The job type's message for a missing schedule, e.g. `Transform schedule is null`. */
  readonly nullMessage: string;
}

const UNITS: Record<string, IntervalUnit> = { minutes: 'Minutes', hours: 'Hours', days: 'Days' };
const UNIT_MS: Record<IntervalUnit, number> = { Minutes: 60_000, Hours: 3_600_000, Days: 86_400_000 };

export const parseJobSchedule = (value: unknown, options: ScheduleParseOptions): JobSchedule => {
  let schedule: JobSchedule | undefined;
  for (const [field, v] of fields(value)) {
    if (field === 'interval') {
      let start: number | null = null;
      let period: number | null = null;
      let unit: string | null = null;
      let delay: number | undefined;
      for (const [f, x] of fields(v)) {
        if (f === 'start_time') start = instant(x);
        else if (f === 'period') period = intValue(x);
        else if (f === 'unit') unit = text(x);
        else if (f === 'schedule_delay') delay = longValue(x);
        else throw illegalArgument(`Unknown field [${f}] in interval schedule`);
      }
      const u = UNITS[required(unit, 'Interval unit is null').toLowerCase()];
      if (!u) throw illegalArgument(`Interval unit [${unit}] is not supported; use Minutes, Hours or Days`);
      const p = required(period, 'Interval period is null');
      check(p >= 1, options.intervalMessage);
      schedule = {
        interval: {
          // A job created without a start time starts now (Transform.parse).
          start_time: start ?? options.now,
          period: p,
          unit: u,
          ...(delay !== undefined ? { schedule_delay: delay } : {}),
        },
      };
    } else if (field === 'cron') {
      let expression: string | null = null;
      let timezone: string | null = null;
      for (const [f, x] of fields(v)) {
        if (f === 'expression') expression = text(x);
        else if (f === 'timezone') timezone = text(x);
        else if (f === 'schedule_delay') longValue(x);
        else throw illegalArgument(`Unknown field [${f}] in cron schedule`);
      }
      const expr = required(expression, 'Cron expression is null');
      const zone = normalizeZoneId(required(timezone, 'Cron timezone is null'));
      try {
        CronExpressionParser.parse(expr, { tz: zone === 'Z' ? 'UTC' : zone });
      } catch (e) {
        throw illegalArgument(`Invalid cron expression [${expr}]: ${(e as Error).message}`);
      }
      schedule = { cron: { expression: expr, timezone: zone } };
    } else {
      throw illegalArgument(`Unknown schedule type [${field}]`);
    }
  }
  return required(schedule, options.nullMessage);
};

/**
 * The job scheduler's next run: an interval schedule fires at `start_time + k * interval`
 * (k ≥ 1, the first one after `now`), a cron schedule at its next match in its time zone.
 */
export const nextScheduledRun = (schedule: JobSchedule, now: number): number => {
  if ('interval' in schedule) {
    const { start_time: start, period, unit } = schedule.interval;
    const every = period * UNIT_MS[unit];
    const k = Math.max(1, Math.floor((now - start) / every) + 1);
    return start + k * every;
  }
  const { expression, timezone } = schedule.cron;
  return CronExpressionParser.parse(expression, {
    tz: timezone === 'Z' ? 'UTC' : timezone,
    currentDate: new Date(now),
  })
    .next()
    .getTime();
};
