import { nextFireTime, previousFireTime } from '../../../lambdas/sm/policy/schedule';
import type { Schedule } from '../../../lambdas/sm/policy/model';

/** Cron fire times in IANA zones, across daylight-saving changes and month ends. */
const cron = (expression: string, timezone: string): Schedule => ({ cron: { expression, timezone } });
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const fires = (s: Schedule, from: string, n: number): (string | undefined)[] => {
  const out: (string | undefined)[] = [];
  let t = Date.parse(from);
  for (let i = 0; i < n; i++) {
    const next = nextFireTime(s, t);
    out.push(iso(next));
    if (next === undefined) break;
    t = next;
  }
  return out;
};

describe('daylight saving time', () => {
  test('America/New_York, spring forward: 02:30 does not exist on March 8 2026 and is skipped', () => {
    expect(fires(cron('30 2 * * *', 'America/New_York'), '2026-03-07T12:00:00Z', 3)).toEqual([
      '2026-03-09T06:30:00.000Z', // 02:30 EDT on the 9th: the 8th had no 02:30
      '2026-03-10T06:30:00.000Z',
      '2026-03-11T06:30:00.000Z',
    ]);
  });

  test('America/New_York, fall back: 01:30 happens twice on November 1 2026 and fires once', () => {
    expect(fires(cron('30 1 * * *', 'America/New_York'), '2026-10-31T12:00:00Z', 3)).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT, the first of the two
      '2026-11-02T06:30:00.000Z', // 01:30 EST
      '2026-11-03T06:30:00.000Z',
    ]);
  });

  test('an hourly schedule keeps firing every hour across the spring gap, without doubles', () => {
    expect(fires(cron('0 * * * *', 'America/New_York'), '2026-03-08T05:30:00Z', 4)).toEqual([
      '2026-03-08T06:00:00.000Z', // 01:00 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT (02:00 did not exist)
      '2026-03-08T08:00:00.000Z',
      '2026-03-08T09:00:00.000Z',
    ]);
  });

  test('an hourly schedule fires at both 01:00s of the autumn repeat, since both are real instants', () => {
    expect(fires(cron('0 * * * *', 'America/New_York'), '2026-11-01T04:30:00Z', 3)).toEqual([
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T07:00:00.000Z', // 02:00 EST
    ]);
  });

  test('Europe/Berlin, spring forward: 02:30 on March 29 2026 is skipped', () => {
    expect(fires(cron('30 2 * * *', 'Europe/Berlin'), '2026-03-28T12:00:00Z', 2)).toEqual([
      '2026-03-30T00:30:00.000Z',
      '2026-03-31T00:30:00.000Z',
    ]);
  });

  test('Europe/Berlin, fall back: 02:30 on October 25 2026 fires once, at its first occurrence', () => {
    expect(fires(cron('30 2 * * *', 'Europe/Berlin'), '2026-10-24T12:00:00Z', 2)).toEqual([
      '2026-10-25T00:30:00.000Z', // 02:30 CEST
      '2026-10-26T01:30:00.000Z', // 02:30 CET
    ]);
  });

  test('08:00 local stays 08:00 local across the change (the UTC instant moves)', () => {
    expect(fires(cron('0 8 * * *', 'Europe/Berlin'), '2026-03-28T12:00:00Z', 2)).toEqual([
      '2026-03-29T06:00:00.000Z',
      '2026-03-30T06:00:00.000Z',
    ]);
  });
});

describe('month ends and other edges', () => {
  test('the 31st fires only in months that have one', () => {
    expect(fires(cron('0 0 31 * *', 'UTC'), '2026-01-31T12:00:00Z', 3)).toEqual([
      '2026-03-31T00:00:00.000Z',
      '2026-05-31T00:00:00.000Z',
      '2026-07-31T00:00:00.000Z',
    ]);
  });

  test('February 29 fires in leap years only', () => {
    expect(fires(cron('0 12 29 2 *', 'UTC'), '2026-01-01T00:00:00Z', 1)).toEqual([
      '2028-02-29T12:00:00.000Z',
    ]);
  });

  test('the next fire time is strictly after the given time', () => {
    const at = Date.parse('2026-06-01T08:00:00Z');
    expect(iso(nextFireTime(cron('0 8 * * *', 'UTC'), at))).toBe('2026-06-02T08:00:00.000Z');
    expect(iso(previousFireTime(cron('0 8 * * *', 'UTC'), at))).toBe('2026-06-01T08:00:00.000Z');
    expect(iso(previousFireTime(cron('0 8 * * *', 'UTC'), at - 1))).toBe('2026-05-31T08:00:00.000Z');
  });

  test('fixed-offset zones and Asia/Kolkata half-hour offsets', () => {
    expect(iso(nextFireTime(cron('0 8 * * *', '+05:30'), Date.parse('2026-06-01T00:00:00Z')))).toBe(
      '2026-06-01T02:30:00.000Z',
    );
    expect(iso(nextFireTime(cron('0 8 * * *', 'Asia/Kolkata'), Date.parse('2026-06-01T00:00:00Z')))).toBe(
      '2026-06-01T02:30:00.000Z',
    );
  });

  test('interval schedules count from their start time', () => {
    const s: Schedule = {
      interval: { start_time: Date.parse('2026-01-01T00:00:00Z'), period: 6, unit: 'Hours' },
    };
    expect(iso(nextFireTime(s, Date.parse('2026-01-01T07:00:00Z')))).toBe('2026-01-01T12:00:00.000Z');
  });
});
