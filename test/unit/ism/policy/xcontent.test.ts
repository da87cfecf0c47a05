import {
  booleanValue,
  doubleValue,
  instant,
  intValue,
  longValue,
  text,
  withTokenLocations,
} from '../../../../lambdas/shared/xcontent';
import { errorOf, expectRejected, firstAction, parse, withActions } from './helpers';

describe('reading JSON tokens as OpenSearch does', () => {
  test.each([
    [() => longValue('12'), 12],
    [() => longValue('12.7'), 12],
    [() => longValue(12.7), 12],
    [() => intValue('7.9'), 7],
    [() => doubleValue('0.5'), 0.5],
    [() => booleanValue('true'), true],
    [() => booleanValue(''), false],
    [() => text(1.5), '1.5'],
    [() => text(false), 'false'],
    [() => instant(null), null],
    [() => instant('42'), 42],
  ])('coerces like XContentParser (%#)', (read, expected) => expect(read()).toEqual(expected));

  test.each([
    [
      () => intValue('3000000000'),
      'illegal_argument_exception',
      'Value [3000000000] is out of range for an integer',
    ],
    [
      () => intValue(3000000000),
      'input_coercion_exception',
      'Numeric value (3000000000) out of range of int (-2147483648 - 2147483647)',
    ],
    [() => intValue(''), 'number_format_exception', 'empty String'],
    [
      () => intValue(null),
      'json_parse_exception',
      'Current token (VALUE_NULL) not numeric, can not use numeric value accessors',
    ],
    [
      () => longValue({}),
      'json_parse_exception',
      'Current token (START_OBJECT) not numeric, can not use numeric value accessors',
    ],
    [() => longValue('1e30'), 'illegal_argument_exception', 'Value [1e30] is out of range for a long'],
    [
      () => doubleValue(true),
      'json_parse_exception',
      'Current token (VALUE_TRUE) not numeric, can not use numeric value accessors',
    ],
    [() => booleanValue(1), 'json_parse_exception', 'Current token (VALUE_NUMBER_INT) not of boolean type'],
    [
      () => booleanValue('yes'),
      'illegal_argument_exception',
      'Failed to parse value [yes] as only [true] or [false] are allowed.',
    ],
    [() => text([]), 'illegal_state_exception', "Can't get text on a START_ARRAY"],
    [() => instant([]), 'parsing_exception', 'Failed to parse object: unexpected token [START_ARRAY] found'],
  ])('rejects like XContentParser (%#)', (read, type, reason) => expectRejected(read, type, reason));
});

describe('dimensions and shrink aliases', () => {
  const rollupWith = (dimensions: unknown[]) =>
    withActions({
      rollup: { ism_rollup: { description: 'd', target_index: 't', page_size: 1, dimensions, metrics: [] } },
    });

  test('histogram and time-zoned date_histogram dimensions are normalized', () => {
    const a = firstAction(
      rollupWith([
        { date_histogram: { source_field: 'ts', target_field: 'day', fixed_interval: '1d', timezone: '+1' } },
        { histogram: { source_field: 'size', interval: '10' } },
      ]),
    ) as { rollup: { ism_rollup: { dimensions: unknown[] } } };
    expect(a.rollup.ism_rollup.dimensions).toEqual([
      {
        date_histogram: {
          fixed_interval: '1d',
          source_field: 'ts',
          target_field: 'day',
          timezone: '+01:00',
          format: null,
        },
      },
      { histogram: { source_field: 'size', target_field: 'size', interval: 10 } },
    ]);
  });

  test.each([
    [[{ date_histogram: { fixed_interval: '1h' } }], 'Source field must not be null'],
    [
      [{ date_histogram: { source_field: 'ts', fixed_interval: '1h', size: 1 } }],
      'Invalid field [size] found in date histogram',
    ],
    [
      [
        { date_histogram: { source_field: 'ts', fixed_interval: '1h' } },
        { histogram: { source_field: 's' } },
      ],
      'Interval must not be null',
    ],
    [
      [
        { date_histogram: { source_field: 'ts', fixed_interval: '1h' } },
        { histogram: { source_field: 's', interval: 0 } },
      ],
      'Interval must be a positive decimal',
    ],
    [
      [
        { date_histogram: { source_field: 'ts', fixed_interval: '1h' } },
        { terms: { source_field: 's', size: 1 } },
      ],
      'Invalid field [size] found in terms',
    ],
    [[{}], 'Dimension cannot be null'],
  ])('dimensions %j are rejected with %j', (dimensions, reason) => {
    expectRejected(() => firstAction(rollupWith(dimensions)), 'illegal_argument_exception', reason);
  });

  test('shrink aliases render as OpenSearch Alias objects', () => {
    const a = firstAction(
      withActions({
        shrink: {
          percentage_of_source_shards: 0.5,
          switch_aliases: true,
          aliases: [
            { a: { routing: 'r', is_hidden: true, filter: { term: { x: 1 } } } },
            { b: { index_routing: 'i', is_write_index: false } },
          ],
        },
      }),
    );
    expect(a).toMatchObject({
      shrink: {
        percentage_of_source_shards: 0.5,
        aliases: [
          { a: { filter: { term: { x: 1 } }, routing: 'r', is_write_index: null, is_hidden: true } },
          { b: { index_routing: 'i', is_write_index: false } },
        ],
        switch_aliases: true,
      },
    });
  });

  test('an unsupported alias property is rejected as OpenSearch rejects it', () => {
    expectRejected(
      () => firstAction(withActions({ shrink: { num_new_shards: 1, aliases: [{ a: { colour: 'red' } }] } })),
      'illegal_argument_exception',
      'Unsupported String type value [red] for field [colour] in alias [a]',
    );
  });
});

describe('token errors say where the token is, as Jackson locates it', () => {
  const located = (raw: string) => {
    const body: unknown = JSON.parse(raw);
    const e = errorOf(() => withTokenLocations(raw, body, () => parse(body)));
    return { reason: e.reason, ...e.metadata };
  };
  const expecting = (expected: string, found: string) =>
    `Failed to parse object: expecting token of type [${expected}] but found [${found}]`;

  test.each([
    // The plugin's own answers (conformance corpus, ism-policy-err-wrong-types).
    [
      '{"policy":{"description":"x","default_state":"s","states":{"name":"s"}}}',
      'START_ARRAY',
      'START_OBJECT',
      1,
      59,
    ],
    ['{"policy":"text"}', 'START_OBJECT', 'VALUE_STRING', 1, 11],
    [
      '{"policy":{"description":"cf policy","default_state":"s","states":[{"name":"s","actions":"read_only","transitions":[]}]}}',
      'START_ARRAY',
      'VALUE_STRING',
      1,
      90,
    ],
    // Lines count from 1, columns from 1 within their line.
    [
      '{\n  "policy": {\n    "description": "x",\n    "states": 5\n  }\n}',
      'START_ARRAY',
      'VALUE_NUMBER',
      4,
      15,
    ],
    // The same value elsewhere in the body does not mislead it.
    [
      '{"policy":{"description":"read_only","states":[{"name":"s","actions":"read_only"}]}}',
      'START_ARRAY',
      'VALUE_STRING',
      1,
      70,
    ],
    // A second top-level key: the field name's location.
    [
      '{"policy":{"description":"x","default_state":"s","states":[{"name":"s"}]}, "more": 1}',
      'END_OBJECT',
      'FIELD_NAME',
      1,
      76,
    ],
  ])('%s → [%s] but found [%s] at %d:%d', (raw, expected, found, line, col) => {
    expect(located(raw)).toEqual({ reason: expecting(expected, found), line, col });
  });

  test('other errors and bodies read without the text have no location', () => {
    const body = { policy: { states: 5 } };
    expect(errorOf(() => withTokenLocations(undefined, body, () => parse(body))).metadata).toEqual({});
    const raw = '{"policy":{"description":"x","default_state":"nowhere","states":[{"name":"s"}]}}';
    expect(located(raw)).toEqual({ reason: 'Policy must have a valid default state' });
  });
});
