import { nextFire } from '../../../local/scheduler';

/** The local scheduler reads EventBridge schedule expressions as EventBridge does. */
describe('nextFire', () => {
  const from = Date.UTC(2026, 10, 23, 10, 7, 30);

  it('counts a rate from now', () => {
    expect(nextFire('rate(1 minute)', from)).toBe(from + 60_000);
    expect(nextFire('rate(5 minutes)', from)).toBe(from + 300_000);
    expect(nextFire('rate(2 hours)', from)).toBe(from + 7_200_000);
    expect(nextFire('rate(1 day)', from)).toBe(from + 86_400_000);
  });

  it('reads a six-field cron in UTC, with ? and the year field', () => {
    expect(new Date(nextFire('cron(0/15 * * * ? *)', from)).toISOString()).toBe('2026-11-23T10:15:00.000Z');
    expect(new Date(nextFire('cron(0 2 ? * MON *)', from)).toISOString()).toBe('2026-11-30T02:00:00.000Z');
  });

  it('refuses what EventBridge would refuse', () => {
    expect(() => nextFire('every 5 minutes', from)).toThrow(/unsupported schedule expression/);
    expect(() => nextFire('cron(0 2 * * *)', from)).toThrow(/6 fields/);
  });
});
