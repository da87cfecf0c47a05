import { parsePolicy } from '../../../lambdas/sm/policy/parse';
import { humanTimeValue } from '../../../lambdas/sm/policy/time-value';
import { snapshotName } from '../../../lambdas/sm/runner/creation';

/** Snapshot names: the policy's date_format (see date-format.test.ts) in its zone, lowercased. */
const AT = Date.parse('2022-06-28T08:00:05.123Z');

describe('snapshot names', () => {
  const policy = (snapshot_config: Record<string, unknown>) =>
    parsePolicy(
      { creation: { schedule: { cron: { expression: '0 8 * * *', timezone: 'UTC' } } }, snapshot_config },
      { name: 'daily-policy', now: AT },
    );

  test('the default format, lowercased, with the 8-character suffix', () => {
    expect(snapshotName(policy({ repository: 'r' }), AT, 'x7k2m9qa')).toBe(
      'daily-policy-2022-06-28t08:00:05-x7k2m9qa',
    );
  });

  test('month names are lowercased; date_format_timezone wins over timezone', () => {
    const p = policy({
      repository: 'r',
      date_format: 'dd-MMM-yyyy-HH',
      date_format_timezone: 'Asia/Tokyo',
      timezone: 'UTC',
    });
    expect(snapshotName(p, AT, 'abcdefgh')).toBe('daily-policy-28-jun-2022-17-abcdefgh');
  });

  test('timezone is not read for names: without date_format_timezone the date is in UTC, as on the plugin', () => {
    const p = policy({ repository: 'r', date_format: 'HH', timezone: 'America/Los_Angeles' });
    expect(snapshotName(p, AT, 'abcdefgh')).toBe('daily-policy-08-abcdefgh');
  });
});

describe('time values are echoed as OpenSearch renders them', () => {
  test.each([
    [90 * 60_000, '1.5h'],
    [24 * 3_600_000, '1d'],
    [7 * 86_400_000, '7d'],
    [100 * 60_000, '1.6h'],
    [30 * 60_000, '30m'],
    [45_000, '45s'],
    [1500, '1.5s'],
    [36 * 3_600_000, '1.5d'],
  ])('%d ms → %s', (ms, text) => {
    expect(humanTimeValue(ms)).toBe(text);
  });
});
