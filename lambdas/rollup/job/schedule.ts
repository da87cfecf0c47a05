import { CronExpressionParser } from 'cron-parser';
import type { IntervalUnit, RollupJob } from './model';

/**
 * When a job runs next, as the job scheduler computes it: an interval schedule fires at
 * `start_time + k * interval` (the first k whose time is past now), a cron schedule at its next match in its time zone,
 * both shifted by the schedule's `schedule_delay` (a continuous job's `delay`, see parse.ts).
 */
const UNIT_MS: Record<IntervalUnit, number> = {
  Nanos: 1e-6,
  Micros: 1e-3,
  Millis: 1,
  Seconds: 1_000,
  Minutes: 60_000,
  Hours: 3_600_000,
  HalfDays: 43_200_000,
  Days: 86_400_000,
};

/** The next run time; null when the cron expression never fires. */
export const nextRunTime = (job: Pick<RollupJob, 'schedule'>, now: number): number | null => {
  const shift = ('interval' in job.schedule ? job.schedule.interval : job.schedule.cron).schedule_delay ?? 0;
  if ('interval' in job.schedule) {
    const { start_time: start, period, unit } = job.schedule.interval;
    const every = Math.max(1, period * UNIT_MS[unit]);
    const base = now - shift;
    // A start time still to come is the first run (IntervalSchedule.getNextExecutionTime).
    if (base < start) return start + shift;
    return start + (Math.floor((base - start) / every) + 1) * every + shift;
  }
  const { expression, timezone } = job.schedule.cron;
  try {
    const next = CronExpressionParser.parse(expression, {
      tz: timezone === 'Z' ? 'UTC' : timezone,
      currentDate: new Date(now - shift),
    }).next();
    return next.getTime() + shift;
  } catch {
    // A date no month has (Feb 30): cron-utils takes it, and it never fires.
    return null;
  }
};
