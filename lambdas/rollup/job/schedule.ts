import { CronExpressionParser } from 'cron-parser';
import type { RollupJob } from './model';

/**
 * When a job runs next, as the job scheduler computes it: an interval schedule fires at
 * `start_time + k * interval` (k ≥ 1), a cron schedule at its next match in its time zone.
 * A continuous job's runs are shifted by its `delay` (schedule_delay).
 */
const UNIT_MS = { Minutes: 60_000, Hours: 3_600_000, Days: 86_400_000 } as const;

export const nextRunTime = (
  job: Pick<RollupJob, 'schedule' | 'delay' | 'continuous'>,
  now: number,
): number => {
  const shift = job.continuous ? (job.delay ?? 0) : 0;
  if ('interval' in job.schedule) {
    const { start_time: start, period, unit } = job.schedule.interval;
    const every = period * UNIT_MS[unit];
    const base = now - shift;
    const k = Math.max(1, Math.floor((base - start) / every) + 1);
    return start + k * every + shift;
  }
  const { expression, timezone } = job.schedule.cron;
  const next = CronExpressionParser.parse(expression, {
    tz: timezone === 'Z' ? 'UTC' : timezone,
    currentDate: new Date(now - shift),
  }).next();
  return next.getTime() + shift;
};
