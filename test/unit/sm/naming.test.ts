import { compileDateFormat } from '../../../lambdas/sm/policy/date-format';
import { parsePolicy } from '../../../lambdas/sm/policy/parse';
import { humanTimeValue } from '../../../lambdas/sm/policy/time-value';
import { snapshotName } from '../../../lambdas/sm/runner/creation';

/** Snapshot names: Java DateTimeFormatter patterns in the policy's zone, lowercased. */
const AT = Date.parse('2022-06-28T08:00:05.123Z');
const fmt = (pattern: string, zone = 'UTC') => compileDateFormat(pattern).format(AT, zone);

describe('date_format', () => {
  test.each([
    ["yyyy-MM-dd'T'HH:mm:ss", 'UTC', '2022-06-28T08:00:05'],
    ['yyyy-MM-dd-HH:mm', 'UTC', '2022-06-28-08:00'],
    ['yyyy.MM.dd', 'UTC', '2022.06.28'],
    ['uuuu-MM-dd', 'UTC', '2022-06-28'],
    ['yy-M-d', 'UTC', '22-6-28'],
    ['dd-MMM-yyyy', 'UTC', '28-Jun-2022'],
    ['EEE, d MMMM yyyy', 'UTC', 'Tue, 28 June 2022'],
    ['HH:mm:ss.SSS', 'UTC', '08:00:05.123'],
    ['hh:mm a', 'UTC', '08:00 AM'],
    ["yyyy-MM-dd'T'HH:mmXXX", 'UTC', '2022-06-28T08:00Z'],
    ["yyyy-MM-dd'T'HH:mmXXX", 'Asia/Kolkata', '2022-06-28T13:30+05:30'],
    ["yyyy-MM-dd'T'HH:mmZ", 'America/New_York', '2022-06-28T04:00-0400'],
    ['yyyy-MM-dd HH:mm', 'Europe/Berlin', '2022-06-28 10:00'],
    ["'snap'-yyyyMMdd''", 'UTC', "snap-20220628'"],
    ['D', 'UTC', '179'],
    ['strict_date_optional_time', 'UTC', '2022-06-28T08:00:05.123Z'],
    ['basic_date', 'UTC', '20220628'],
    ['date_hour_minute', 'UTC', '2022-06-28T08:00'],
    ['epoch_second', 'UTC', '1656403205'],
  ])('%s in %s → %s', (pattern, zone, expected) => {
    expect(fmt(pattern, zone)).toBe(expected);
  });

  test.each([
    ['yyyy-bb', 'Unknown pattern letter: b'],
    ["yyyy-'MM", "Pattern ends with an incomplete string literal: yyyy-'MM"],
    ['MMMMMM', 'Too many pattern letters: M'],
  ])('%s is refused: %s', (pattern, message) => {
    expect(() => compileDateFormat(pattern)).toThrow(message);
  });
});

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

  test('timezone is honoured when date_format_timezone is absent', () => {
    const p = policy({ repository: 'r', date_format: 'HH', timezone: 'America/Los_Angeles' });
    expect(snapshotName(p, AT, 'abcdefgh')).toBe('daily-policy-01-abcdefgh');
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
