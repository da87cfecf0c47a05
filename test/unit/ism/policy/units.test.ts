import {
  byteSizeBytes,
  formatByteSizeValue,
  formatTimeValue,
  normalizeByteSizeValue,
  normalizeTimeValue,
  parseByteSizeValue,
  parseTimeValue,
  timeValueMillis,
} from '../../../../lambdas/ism/policy/units';
import { errorOf, expectRejected } from './helpers';

describe('TimeValue, as OpenSearch parses and re-renders durations', () => {
  test.each([
    ['30d', '30d'],
    ['1D', '1d'],
    [' 12h ', '12h'],
    ['500ms', '500ms'],
    ['5S', '5s'],
    ['10m', '10m'],
    ['7nanos', '7nanos'],
    ['3micros', '3micros'],
    ['01d', '1d'],
    ['+2h', '2h'],
    ['0', '0ms'],
    ['000', '0ms'],
    ['-1', '-1'],
    ['-1d', '-1'],
  ])('%j is read and rendered back as %j', (input, rendered) => {
    expect(normalizeTimeValue(input, 'min_index_age')).toBe(rendered);
  });

  test('a duration converts to milliseconds', () => {
    expect(timeValueMillis(parseTimeValue('2h', 'x'))).toBe(7_200_000);
    expect(timeValueMillis(parseTimeValue('1500micros', 'x'))).toBe(1.5);
    expect(formatTimeValue({ duration: 3, unit: 'd' })).toBe('3d');
  });

  test.each([
    [
      '5',
      'illegal_argument_exception',
      'failed to parse setting [min_index_age] with value [5] as a time value: unit is missing or unrecognized',
    ],
    [
      '5M',
      'illegal_argument_exception',
      'failed to parse setting [min_index_age] with value [5M] as a time value: unit is missing or unrecognized',
    ],
    [
      '5w',
      'illegal_argument_exception',
      'failed to parse setting [min_index_age] with value [5w] as a time value: unit is missing or unrecognized',
    ],
    [
      '-2d',
      'illegal_argument_exception',
      'failed to parse setting [min_index_age] with value [-2d] as a time value: negative durations are not supported',
    ],
    // TimeValue sits in OpenSearch's libs, where a parse failure is an IllegalArgumentException.
    [
      '1.5d',
      'illegal_argument_exception',
      'failed to parse [1.5d], fractional time values are not supported',
    ],
    ['xd', 'illegal_argument_exception', 'failed to parse [xd]'],
    ['d', 'illegal_argument_exception', 'failed to parse [d]'],
    ['10 minutes', 'illegal_argument_exception', 'failed to parse [10 minutes]'],
  ])('%j is rejected with %s', (input, type, reason) => {
    expectRejected(() => parseTimeValue(input, 'min_index_age'), type, reason);
  });

  test('an unparseable number carries the NumberFormatException as its cause', () => {
    expect(errorOf(() => parseTimeValue('abcd', 'timeout')).causedBy).toEqual({
      type: 'number_format_exception',
      reason: 'For input string: "abc"',
    });
  });
});

describe('ByteSizeValue, as OpenSearch parses and re-renders sizes', () => {
  test.each([
    ['50gb', '50gb', 50 * 1024 ** 3],
    ['50GB', '50gb', 50 * 1024 ** 3],
    ['5k', '5kb', 5120],
    ['5m', '5mb', 5 * 1024 ** 2],
    ['2t', '2tb', 2 * 1024 ** 4],
    ['1p', '1pb', 1024 ** 5],
    ['10b', '10b', 10],
    ['0', '0', 0],
    ['0gb', '0', 0],
    ['-1', '-1', -1],
    ['1.5gb', '1610612736b', 1610612736],
  ])('%j is rendered as %j (%d bytes)', (input, rendered, bytes) => {
    const v = parseByteSizeValue(input, 'min_size');
    expect(formatByteSizeValue(v)).toBe(rendered);
    expect(byteSizeBytes(v)).toBe(bytes);
    expect(normalizeByteSizeValue(input, 'min_size')).toBe(rendered);
  });

  test.each([
    [
      '50',
      'parse_exception',
      'failed to parse setting [min_size] with value [50] as a size in bytes: unit is missing or unrecognized',
    ],
    [
      '50x',
      'parse_exception',
      'failed to parse setting [min_size] with value [50x] as a size in bytes: unit is missing or unrecognized',
    ],
    ['xgb', 'parse_exception', 'failed to parse [xgb]'],
    ['-5gb', 'parse_exception', 'failed to parse setting [min_size] with value [-5gb] as a size in bytes'],
    // Plain bytes go through Long.parseLong unwrapped.
    ['10xb', 'number_format_exception', 'For input string: "10x"'],
    ['1qb', 'number_format_exception', 'For input string: "1q"'],
    ['b', 'number_format_exception', 'For input string: ""'],
    ['-2b', 'illegal_argument_exception', 'Values less than -1 bytes are not supported: -2b'],
  ])('%j is rejected with %s', (input, type, reason) => {
    expectRejected(() => parseByteSizeValue(input, 'min_size'), type, reason);
  });

  test('a negative size names the rule it broke in its cause', () => {
    expect(errorOf(() => parseByteSizeValue('-1gb', 'min_size')).causedBy).toEqual({
      type: 'illegal_argument_exception',
      reason: 'Values less than -1 bytes are not supported: -1gb',
    });
  });
});
