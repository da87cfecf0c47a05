import { validateCronExpression } from '../../../../lambdas/ism/policy/transition';
import { normalizeZoneId } from '../../../../lambdas/ism/policy/timezone';
import { errorOf, expectRejected, parse, policyBody, withConditions } from './helpers';

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

  test("a fractional age is TimeValue's illegal_argument_exception", () => {
    rejects(
      { min_index_age: '1.5d' },
      'illegal_argument_exception',
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

  // job-scheduler's cron-utils, with its messages: the field count and nicknames as they are,
  // per-field errors wrapped in "Failed to parse cron expression." with the original as cause.
  test.each([
    [
      { expression: '0 0 * * * *', timezone: 'UTC' },
      'Cron expression contains 6 parts but we expect one of [5]',
    ],
    [{ expression: 'every day' }, 'Cron expression contains 2 parts but we expect one of [5]'],
    [{ expression: '@daily', timezone: 'UTC' }, 'Nicknames not supported!'],
    [{ expression: '  ', timezone: 'UTC' }, 'Empty expression!'],
    [
      { expression: '0 0 1, * *', timezone: 'UTC' },
      "Invalid field value! Trailing commas not permitted! '1,'",
    ],
    [{ expression: '0 0 * * SAT' }, 'Cron timezone is null'],
    [{ timezone: 'UTC' }, 'Cron expression is null'],
    [{ expression: '0 0 * * SAT', timezone: 'UTC', tz: 1 }, 'Unknown cron field tz'],
  ])('%j is rejected with %j', (c, reason) => rejects(cron(c), 'illegal_argument_exception', reason));

  test.each([
    ['61 * * * *', 'Value 61 not in range [0, 59]'],
    ['0 17 * * 8', 'Value 8 not in range [0, 7]'],
    ['0 25 * * *', 'Value 25 not in range [0, 23]'],
    ['*/60 * * * *', 'Period 60 not in range [0, 59]'],
    ['5-2 * * * *', 'Invalid range! [5,2]'],
    ['5- * * * *', 'Missing values for range: 5-'],
    ['0 0 L * *', 'Invalid chars in expression! Expression: L Invalid chars: L'],
    ['0 0 * JANX *', 'Invalid chars in expression! Expression: JANX Invalid chars: JANX'],
    ['1#2 * * * *', 'Invalid expression: 1#2'],
  ])('%j fails to parse: %j', (expression, why) => {
    const e = errorOf(() => parse(withConditions(cron({ expression, timezone: 'UTC' }))));
    expect({ type: e.type, reason: e.reason, causedBy: e.causedBy }).toEqual({
      type: 'illegal_argument_exception',
      reason: `Failed to parse cron expression. ${why}`,
      causedBy: { type: 'illegal_argument_exception', reason: why },
    });
  });

  test('a step that is not a number fails with its NumberFormatException as cause', () => {
    expect(errorOf(() => validateCronExpression('*/x * * * *')).causedBy).toEqual({
      type: 'number_format_exception',
      reason: 'For input string: "X"',
    });
  });

  test('a date no month has passes cron-utils and is refused by cron-parser', () => {
    expectRejected(
      () => validateCronExpression('0 0 31 2 *'),
      'illegal_argument_exception',
      'Invalid cron expression [0 0 31 2 *]: Invalid explicit day of month definition',
    );
  });

  // The plugin answers these with a 500; Java's exception types and messages, as a 400, here.
  test.each([
    [{ expression: '0 0 * * SAT', timezone: 'Mars/Olympus' }, 'Unknown time-zone ID: Mars/Olympus'],
    [
      { expression: '0 0 * * SAT', timezone: 'america/los_angeles' },
      'Unknown time-zone ID: america/los_angeles',
    ],
    // ZoneId.of runs as the field is read: a bad zone is reported before a bad expression.
    [{ timezone: 'Mars/Olympus', expression: '61 * * * *' }, 'Unknown time-zone ID: Mars/Olympus'],
  ])('%j is a zone_rules_exception %j', (c, reason) => rejects(cron(c), 'zone_rules_exception', reason));

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
    ['+25', 'date_time_exception', 'Invalid ID for ZoneOffset, invalid format: +25'],
    ['UTC+x', 'date_time_exception', 'Invalid ID for offset-based ZoneId: UTC+x'],
    ['a b', 'date_time_exception', 'Invalid ID for region-based ZoneId, invalid format: a b'],
    ['Nowhere', 'zone_rules_exception', 'Unknown time-zone ID: Nowhere'],
  ])('%j is rejected with %s %j', (id, type, reason) =>
    expectRejected(() => normalizeZoneId(id), type, reason),
  );
});
