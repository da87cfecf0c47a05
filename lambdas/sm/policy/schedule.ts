import { CronExpressionParser } from 'cron-parser';
import { DateTime } from 'luxon';
import { illegalArgument } from '../../shared/errors';
import { normalizeZoneId } from '../../ism/policy/timezone';
import { validateCronExpression } from '../../ism/policy/transition';
import {
  fields,
  instant,
  intValue,
  required,
  textOrNull,
  tokenOf,
  unexpectedToken,
} from '../../shared/xcontent';
import type { IntervalUnit, Schedule } from './model';

/**
 * Schedules as job-scheduler reads them (ScheduleParser: `cron` or `interval`) and when they
 * fire next. Cron expressions are 5-field Unix cron in an IANA zone, read by cron-parser.
 *
 * Daylight saving: a local time that does not exist (the hour skipped in spring) does not fire
 * that day; a local time that happens twice (the hour repeated in autumn) fires once, at its
 * first occurrence.
 */
const UNIT_MS: Record<IntervalUnit, number> = { Minutes: 60_000, Hours: 3_600_000, Days: 86_400_000 };

/**
 * A schedule as ScheduleParser reads it. Whether it ever fires is the caller's check
 * ({@link nextFireTime} undefined), made where the plugin makes it.
 */
export const parseSchedule = (value: unknown, now: number): Schedule => {
  if (tokenOf(value) !== 'START_OBJECT') throw unexpectedToken('START_OBJECT', tokenOf(value));
  const entries = fields(value);
  if (entries.length === 0) throw illegalArgument('Invalid schedule document object.');
  const [type, body] = entries[0];
  if (type === 'interval') return parseInterval(body, now);
  if (type !== 'cron') throw illegalArgument(`Unknown schedule type ${type}`);
  let expression: string | null = null;
  let timezone: string | null = null;
  for (const [field, v] of fields(body)) {
    if (field === 'expression') expression = textOrNull(v);
    else if (field === 'timezone') timezone = textOrNull(v);
    else if (field !== 'schedule_delay') throw illegalArgument(`Unknown cron field ${field}`);
  }
  const expr = required(expression, 'Cron expression is null');
  const zone = normalizeZoneId(required(timezone, 'Cron timezone is null'));
  try {
    validateCronExpression(expr);
  } catch (e) {
    // cron-parser refuses dates no month has (Feb 30); job-scheduler parses them and finds no
    // next time (nextFireTime answers undefined for them).
    if (!(e instanceof Error && /Invalid explicit day of month/.test(e.message))) throw e;
  }
  return { cron: { expression: expr, timezone: zone } };
};

export const parseInterval = (value: unknown, now: number): Schedule & { interval: unknown } => {
  let start: number | null = null;
  let period: number | null = null;
  let unit: string | null = null;
  for (const [field, v] of fields(value)) {
    if (field === 'start_time') start = instant(v);
    else if (field === 'period') period = intValue(v);
    else if (field === 'unit') unit = textOrNull(v);
    else if (field !== 'schedule_delay') throw illegalArgument(`Unknown interval field ${field}`);
  }
  const u = required(unit, 'Interval unit is null');
  if (!(u in UNIT_MS)) throw illegalArgument(`Interval unit [${u}] is not one of Minutes, Hours, Days`);
  const p = required(period, 'Interval period is null');
  if (p <= 0) throw illegalArgument('Interval period must be greater than 0');
  return { interval: { start_time: start ?? now, period: p, unit: u as IntervalUnit } };
};

const MAX_CRON_STEPS = 10_000;

/** A Java zone id (as normalizeZoneId returns it) in a form luxon and cron-parser read. */
export const luxonZone = (zoneId: string): string => {
  if (zoneId === 'Z' || zoneId === 'UT' || zoneId === 'GMT') return 'UTC';
  const offset = /^(?:UTC|GMT|UT)?([+-]\d{2}:\d{2})(?::\d{2})?$/.exec(zoneId);
  return offset ? `UTC${offset[1]}` : zoneId;
};

/** The first time strictly after `after` (epoch ms) at which the schedule fires; undefined if never. */
export const nextFireTime = (schedule: Schedule, after: number): number | undefined => {
  if ('interval' in schedule) {
    const { start_time, period, unit } = schedule.interval;
    const step = period * UNIT_MS[unit];
    if (after < start_time) return start_time;
    return start_time + (Math.floor((after - start_time) / step) + 1) * step;
  }
  const { expression } = schedule.cron;
  const timezone = luxonZone(schedule.cron.timezone);
  let it;
  try {
    it = CronExpressionParser.parse(expression, {
      currentDate: new Date(after),
      tz: timezone,
      strict: false,
    });
  } catch {
    return undefined;
  }
  const hours = new Set<number>(it.fields.hour.values as number[]);
  const minutes = new Set<number>(it.fields.minute.values as number[]);
  for (let i = 0; i < MAX_CRON_STEPS; i++) {
    let next: number;
    try {
      next = it.next().getTime();
    } catch {
      return undefined; // no more dates
    }
    // cron-parser moves a local time that DST skipped to the next valid one (02:30 → 03:30):
    // keep only fire times whose wall clock the expression names.
    const local = DateTime.fromMillis(next, { zone: timezone });
    if (hours.has(local.hour) && minutes.has(local.minute) && next > after) return next;
  }
  return undefined;
};

/** The latest fire time at or before `at` (the start of the current period), if one is found within a year. */
export const previousFireTime = (schedule: Schedule, at: number): number | undefined => {
  if ('interval' in schedule) {
    const { start_time, period, unit } = schedule.interval;
    const step = period * UNIT_MS[unit];
    if (at < start_time) return undefined;
    return start_time + Math.floor((at - start_time) / step) * step;
  }
  const { expression } = schedule.cron;
  const timezone = luxonZone(schedule.cron.timezone);
  try {
    const it = CronExpressionParser.parse(expression, {
      currentDate: new Date(at + 1),
      tz: timezone,
      strict: false,
    });
    const prev = it.prev().getTime();
    return prev <= at ? prev : undefined;
  } catch {
    return undefined;
  }
};
