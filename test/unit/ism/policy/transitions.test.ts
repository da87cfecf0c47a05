import { validateCronExpression } from '../../../../lambdas/ism/policy/transition';
import { normalizeZoneId } from '../../../../lambdas/ism/policy/timezone';
import { expectRejected, parse, policyBody, withConditions } from './helpers';

const transitionOf = (conditions: unknown) => parse(withConditions(conditions)).states[0].transitions[0];
const rejects = (conditions: unknown, type: string, reason: string) =>
  expectRejected(() => parse(withConditions(conditions)), type, reason);

describe('transitions', () => {
  test('a transition without conditions always holds and renders without a conditions key', () => {
    const p = parse(policyBody({ states: [{ name: 'hot', transitions: [{ state_name: 'hot' }] }] }));
    expect(p.states[0].transitions).toEqual([{ state_name: 'hot' }]);
  });

  test.each([
    [{ min_index_age: '7D' }, { min_index_age: '7d' }],
    [{ min_doc_count: '1000' }, { min_doc_count: 1000 }],
    [{ min_size: '50GB' }, { min_size: '50gb' }],
    [{ min_rollover_age: '30d' }, { min_rollover_age: '30d' }],
    [{ min_state_age: '2h' }, { min_state_age: '2h' }],
    [{ no_alias: true }, { no_alias: true }],
    [
      { cron: { cron: { expression: '0 17 * * SAT', timezone: 'America/Los_Angeles' } } },
      { cron: { cron: { expression: '0 17 * * SAT', timezone: 'America/Los_Angeles' } } },
    ],
  ])('condition %j is normalized to %j', (conditions, rendered) => {
    expect(transitionOf(conditions)).toEqual({ state_name: 'warm', conditions: rendered });
  });

  test.each([
    [{ min_index_age: '1d', min_doc_count: 5 }, 'Cannot provide more than one Transition condition'],
    [{}, 'Cannot provide more than one Transition condition'],
    [{ min_doc_count: 0 }, 'Transition doc count condition must be greater than 0'],
    [{ min_size: '0b' }, 'Transition size condition must be greater than 0'],
    [{ min_size: '-1' }, 'Transition size condition must be greater than 0'],
    [{ max_age: '1d' }, 'Invalid field: [max_age] found in Conditions.'],
    [
      { min_index_age: '1y' },
      'failed to parse setting [min_index_age] with value [1y] as a time value: unit is missing or unrecognized',
    ],
    [
      { min_rollover_age: '-3d' },
      'failed to parse setting [min_rollover_age] with value [-3d] as a time value: negative durations are not supported',
    ],
  ])('%j is rejected with %j', (conditions, reason) =>
    rejects(conditions, 'illegal_argument_exception', reason),
  );

  test('a fractional age is a parse_exception', () => {
    rejects(
      { min_index_age: '1.5d' },
      'parse_exception',
      'failed to parse [1.5d], fractional time values are not supported',
    );
  });

  test.each([
    [{ state: 'warm' }, 'Invalid field: [state] found in Transition.'],
    [{ conditions: { min_index_age: '1d' } }, 'Transition state name is null'],
  ])('transition %j is rejected with %j', (transition, reason) => {
    expectRejected(
      () => parse(policyBody({ states: [{ name: 'hot', transitions: [transition] }] })),
      'illegal_argument_exception',
      reason,
    );
  });

  test('null conditions are a token error', () => {
    expectRejected(
      () =>
        parse(
          policyBody({ states: [{ name: 'hot', transitions: [{ state_name: 'hot', conditions: null }] }] }),
        ),
      'parsing_exception',
      'Failed to parse object: expecting token of type [START_OBJECT] but found [VALUE_NULL]',
    );
  });
});

describe('cron conditions', () => {
  const cron = (c: unknown) => ({ cron: { cron: c } });

  test.each([
    [
      { expression: '0 17 * * 8', timezone: 'UTC' },
      'Invalid cron expression [0 17 * * 8]: Constraint error, got value 8 expected range 0-7',
    ],
    [
      { expression: '0 0 * * * *', timezone: 'UTC' },
      'Invalid cron expression [0 0 * * * *]: expected 5 fields (minute hour day-of-month month day-of-week), found 6',
    ],
    [
      { expression: '@daily', timezone: 'UTC' },
      'Invalid cron expression [@daily]: expected 5 fields (minute hour day-of-month month day-of-week), found 1',
    ],
    [
      { expression: '0 0 L * *', timezone: 'UTC' },
      'Invalid cron expression [0 0 L * *]: unsupported value [L]',
    ],
    [{ expression: '0 0 * * SAT', timezone: 'Mars/Olympus' }, 'Unknown time-zone ID: Mars/Olympus'],
    [
      { expression: '0 0 * * SAT', timezone: 'america/los_angeles' },
      'Unknown time-zone ID: america/los_angeles',
    ],
    [{ expression: '0 0 * * SAT' }, 'Cron timezone is null'],
    [{ timezone: 'UTC' }, 'Cron expression is null'],
    [{ expression: '0 0 * * SAT', timezone: 'UTC', tz: 1 }, 'Unknown cron field tz'],
  ])('%j is rejected with %j', (c, reason) => rejects(cron(c), 'illegal_argument_exception', reason));

  test.each([
    [{ daily: {} }, 'Unknown schedule type daily'],
    [{}, 'Invalid schedule document object.'],
  ])('schedule %j is rejected with %j', (schedule, reason) =>
    rejects({ cron: schedule }, 'illegal_argument_exception', reason),
  );

  test('an interval schedule is not a cron and so counts as no condition', () => {
    rejects(
      { cron: { interval: { period: 1, unit: 'Minutes' } } },
      'illegal_argument_exception',
      'Cannot provide more than one Transition condition',
    );
  });

  test('schedule_delay is kept', () => {
    expect(
      transitionOf(cron({ expression: '*/5 * * * *', timezone: 'UTC', schedule_delay: 10 })).conditions,
    ).toEqual({
      cron: { cron: { expression: '*/5 * * * *', timezone: 'UTC', schedule_delay: 10 } },
    });
  });

  test.each(['0 17 * * SAT', '*/15 9-17 * * MON-FRI', '0 0 1,15 JAN,JUL *', '5 4 * * 7'])(
    '%j is a valid Unix cron',
    (e) => {
      expect(validateCronExpression(e)).toBe(e);
    },
  );
});

describe('time-zone ids, as Java ZoneId.of reads them', () => {
  test.each([
    ['America/New_York', 'America/New_York'],
    ['UTC', 'UTC'],
    ['Z', 'Z'],
    ['+1', '+01:00'],
    ['-0530', '-05:30'],
    ['+00:00', 'Z'],
    ['UTC+2', 'UTC+02:00'],
    ['GMT-0', 'GMT'],
    ['US/Pacific', 'US/Pacific'],
  ])('%j is %j', (id, normalized) => expect(normalizeZoneId(id)).toBe(normalized));

  test.each([
    ['+25', 'Invalid ID for ZoneOffset, invalid format: +25'],
    ['UTC+x', 'Invalid ID for offset-based ZoneId: UTC+x'],
    ['Nowhere', 'Unknown time-zone ID: Nowhere'],
  ])('%j is rejected with %j', (id, reason) =>
    expectRejected(() => normalizeZoneId(id), 'illegal_argument_exception', reason),
  );
});
