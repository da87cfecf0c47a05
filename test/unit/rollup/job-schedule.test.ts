import { parseRollupJob } from '../../../lambdas/rollup/job/parse';
import { nextRunTime } from '../../../lambdas/rollup/job/schedule';
import { unmappedField } from '../../../lambdas/rollup/job/mapping';

/** A job's schedule as Rollup.parse and its init leave it, and when the job scheduler runs it. */
const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);
const START = Date.UTC(2026, 0, 1);

const body = (over: Record<string, unknown> = {}) => ({
  source_index: 'src',
  target_index: 'tgt',
  schedule: { interval: { period: 1, unit: 'Hours', start_time: START } },
  description: 'd',
  page_size: 10,
  delay: 0,
  dimensions: [{ date_histogram: { source_field: 'ts', fixed_interval: '1h' } }],
  metrics: [],
  ...over,
});

const parse = (over: Record<string, unknown>, create = true) =>
  parseRollupJob(body(over), { id: 'j', now: NOW, create });

describe('schedule_delay', () => {
  test('a new job: the interval schedule gets delay 0 and keeps its start time', () => {
    expect(parse({}).schedule).toEqual({
      interval: { start_time: START, period: 1, unit: 'Hours', schedule_delay: 0 },
    });
  });

  test('an update (if_seq_no given) keeps the schedule as sent: no delay unless one is given', () => {
    expect(parse({}, false).schedule).toEqual({ interval: { start_time: START, period: 1, unit: 'Hours' } });
  });

  test('a new job with a schedule delay starts that much later, as job-scheduler shifts it', () => {
    const s = parse({
      schedule: { interval: { period: 1, unit: 'Hours', start_time: START, schedule_delay: 500 } },
    });
    expect(s.schedule).toEqual({
      interval: { start_time: START + 500, period: 1, unit: 'Hours', schedule_delay: 500 },
    });
  });

  test("a continuous job's delay becomes its schedule's delay, cron or interval", () => {
    const cron = { cron: { expression: '0 * * * *', timezone: 'UTC' } };
    expect(parse({ continuous: true, delay: 0, schedule: cron }).schedule).toEqual({
      cron: { expression: '0 * * * *', timezone: 'UTC', schedule_delay: 0 },
    });
    expect(parse({ continuous: true, delay: 60_000, schedule: cron }, false).schedule).toEqual({
      cron: { expression: '0 * * * *', timezone: 'UTC', schedule_delay: 60_000 },
    });
    expect(parse({ continuous: true, delay: 60_000 }).schedule).toEqual({
      interval: { start_time: START, period: 1, unit: 'Hours', schedule_delay: 60_000 },
    });
    // A non-continuous job's cron schedule has no delay.
    expect(parse({ schedule: cron }).schedule).toEqual(cron);
  });

  test('an update without a start time keeps the stored one', () => {
    const job = parseRollupJob(body({ schedule: { interval: { period: 1, unit: 'Hours' } } }), {
      id: 'j',
      now: NOW,
      create: false,
      storedStartTime: START,
    });
    expect(job.schedule).toEqual({ interval: { start_time: START, period: 1, unit: 'Hours' } });
  });
});

describe('next run', () => {
  test('interval: the first start + k * period after now, shifted by the schedule delay', () => {
    const job = parse({});
    expect(nextRunTime(job, NOW)).toBe(NOW + 3_600_000);
    expect(nextRunTime(job, NOW + 1)).toBe(NOW + 3_600_000);
    const delayed = parse({ continuous: true, delay: 60_000 });
    expect(nextRunTime(delayed, NOW)).toBe(NOW + 60_000);
  });

  test('a start time still to come is the first run', () => {
    expect(
      nextRunTime(parse({ schedule: { interval: { period: 1, unit: 'Hours', start_time: NOW + 5 } } }), NOW),
    ).toBe(NOW + 5);
  });

  test('cron: its next match, shifted by the delay', () => {
    const cron = { cron: { expression: '30 * * * *', timezone: 'UTC' } };
    expect(nextRunTime(parse({ schedule: cron }), NOW)).toBe(NOW + 30 * 60_000);
    expect(nextRunTime(parse({ schedule: cron, continuous: true, delay: 60_000 }), NOW)).toBe(
      NOW + 31 * 60_000,
    );
  });
});

test('a date_histogram format is refused as the strict config mapping refuses it; a null one passes', () => {
  const dims = (format: unknown) => [
    { date_histogram: { source_field: 'ts', fixed_interval: '1h', format } },
  ];
  expect(unmappedField(parse({ dimensions: dims('yyyy') }))?.toEnvelope().error).toMatchObject({
    type: 'strict_dynamic_mapping_exception',
    reason:
      'mapping set to strict, dynamic introduction of [format] within [rollup.dimensions.date_histogram] is not allowed',
  });
  expect(unmappedField(parse({ dimensions: dims(null) }))).toBeUndefined();
});

describe("job-scheduler's schedule errors", () => {
  const refused = (schedule: unknown) => {
    try {
      parse({ schedule });
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('accepted');
  };

  test.each([
    [{ interval: { period: 1, unit: 'Days', every: 2 } }, 'Unknown interval field every'],
    [{ cron: { expression: '* * * * *', timezone: 'UTC', when: 1 } }, 'Unknown cron field when'],
    [{ weekly: {} }, 'Unknown schedule type weekly'],
    [{ interval: { unit: 'Days' } }, 'Rollup job schedule interval must be greater than 0'],
    [
      { interval: { period: 1, unit: 'Fortnights' } },
      'No enum constant java.time.temporal.ChronoUnit.FORTNIGHTS',
    ],
    [{ interval: { period: 1, unit: 'Weeks' } }, 'Unit must not have an estimated duration'],
    [
      { cron: { expression: '0 25 * * *', timezone: 'UTC' } },
      'Failed to parse cron expression. Value 25 not in range [0, 23]',
    ],
  ])('%j: %s', (schedule, message) => {
    expect(refused(schedule)).toBe(message);
  });

  test('any ChronoUnit of exact length, as ChronoUnit names it', () => {
    const s = parse({ schedule: { interval: { period: 30, unit: 'seconds', start_time: START } } });
    expect(s.schedule).toEqual({
      interval: { start_time: START, period: 30, unit: 'Seconds', schedule_delay: 0 },
    });
    expect(nextRunTime(s, START + 1)).toBe(START + 30_000);
  });

  test('a cron date no month has is taken, and never runs', () => {
    const s = parse({ schedule: { cron: { expression: '0 0 30 2 *', timezone: 'UTC' } } });
    expect(nextRunTime(s, NOW)).toBeNull();
  });
});
