import {
  findTemplateConflict,
  matchesTemplate,
  validateIndexPatterns,
} from '../../../../lambdas/ism/policy/ism-template';
import type { ISMTemplate } from '../../../../lambdas/ism/policy/model';
import { languagesIntersect, simpleMatch } from '../../../../lambdas/ism/policy/wildcard';
import { NOW, errorOf, expectRejected, parse, policyBody } from './helpers';

const t = (index_patterns: string[], priority = 0): ISMTemplate => ({
  index_patterns,
  priority,
  last_updated_time: 1,
});
const templatesOf = (ism_template: unknown) => parse(policyBody({ ism_template })).ism_template;

describe('ism_template parsing', () => {
  test('one object becomes a one-element array; priority defaults to 0; last_updated_time defaults to now', () => {
    expect(templatesOf({ index_patterns: ['logs-*'] })).toEqual([
      { index_patterns: ['logs-*'], priority: 0, last_updated_time: NOW },
    ]);
  });

  test('an array is kept in order; a sent last_updated_time is kept as sent; null priority is 0', () => {
    expect(
      templatesOf([
        { index_patterns: ['a*'], priority: 5, last_updated_time: 123 },
        { index_patterns: ['b*'], priority: null },
      ]),
    ).toEqual([
      { index_patterns: ['a*'], priority: 5, last_updated_time: 123 },
      { index_patterns: ['b*'], priority: 0, last_updated_time: NOW },
    ]);
  });

  test('keys render as index_patterns, priority, last_updated_time', () => {
    expect(
      Object.keys((templatesOf({ last_updated_time: 9, priority: 1, index_patterns: ['x'] }) ?? [])[0]),
    ).toEqual(['index_patterns', 'priority', 'last_updated_time']);
  });

  test.each([
    [{ index_patterns: ['a'], priority: -1 }, 'illegal_argument_exception', 'Requires priority to be >= 0'],
    [{ index_patterns: [] }, 'illegal_argument_exception', 'Requires at least one index pattern'],
    [{ priority: 1 }, 'illegal_argument_exception', 'Requires at least one index pattern'],
    [
      { index_patterns: ['a'], name: 'x' },
      'illegal_argument_exception',
      'Invalid field: [name] found in ISMTemplate.',
    ],
    [
      { index_patterns: 'a*' },
      'parsing_exception',
      'Failed to parse object: expecting token of type [START_ARRAY] but found [VALUE_STRING]',
    ],
  ])('%j is rejected with %s', (tmpl, type, reason) => {
    expectRejected(() => parse(policyBody({ ism_template: tmpl })), type, reason);
  });
});

describe('index pattern validation', () => {
  test.each([
    [['log#*'], "Validation Failed: 1: index_pattern [log#*] must not contain a '#';"],
    [['log:*'], "Validation Failed: 1: index_pattern [log:*] must not contain a ':';"],
    [['_log*'], "Validation Failed: 1: index_pattern [_log*] must not start with '_';"],
    [
      [' '],
      'Validation Failed: 1: index_pattern [ ] must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?];',
    ],
    [['a', '-'], "Validation Failed: 1: index_pattern [-] must have content after '-' exclusion prefix;"],
    [
      ['-a*', '-b*'],
      'Validation Failed: 1: index_patterns must contain at least one inclusion pattern (patterns cannot be all exclusions);',
    ],
    [
      ['_a#', 'b?'],
      "Validation Failed: 1: index_pattern [_a#] must not contain a '#';2: index_pattern [_a#] must not start with '_';3: index_pattern [b?] must not contain the following characters [ , \", *, \\, <, |, ,, >, /, ?];",
    ],
  ])('%j fails with %j', (patterns, reason) => {
    const e = validateIndexPatterns(patterns);
    expect(e && { status: e.status, type: e.type, reason: e.reason }).toEqual({
      status: 400,
      type: 'index_management_exception',
      reason,
    });
    expect(e?.causedBy).toEqual({
      type: 'exception',
      reason: `org.opensearch.common.ValidationException: ${reason}`,
    });
  });

  test.each([[['logs-*', '-logs-test-*']], [['*']], [['a', 'b*c']]])('%j is valid', (patterns) => {
    expect(validateIndexPatterns(patterns)).toBeUndefined();
  });

  test('a PUT with a bad pattern fails after every other check, with all templates collected', () => {
    expectRejected(
      () => parse(policyBody({ ism_template: [{ index_patterns: ['a#'] }, { index_patterns: ['b:'] }] })),
      'index_management_exception',
      "Validation Failed: 1: index_pattern [a#] must not contain a '#';2: index_pattern [b:] must not contain a ':';",
    );
    expectRejected(
      () => parse(policyBody({ default_state: 'x', ism_template: { index_patterns: ['a#'] } })),
      'illegal_argument_exception',
      'Policy must have a valid default state',
    );
  });
});

describe('template conflicts', () => {
  test('two templates of the same policy at equal priority with overlapping patterns conflict', () => {
    const e = errorOf(() => {
      throw findTemplateConflict('t1', [t(['ab*'], 100), t(['abc*'], 100)], []) ?? new Error('no conflict');
    });
    expect({ status: e.status, type: e.type, reason: e.reason }).toEqual({
      status: 400,
      type: 'index_management_exception',
      reason:
        "New policy t1 has an ISM template with index pattern [ab*] matching this policy's other ISM templates with index patterns [abc*], please use different priority",
    });
    expect(e.causedBy).toEqual({
      type: 'exception',
      reason: `java.lang.IllegalArgumentException: ${e.reason}`,
    });
  });

  test('the later templates are listed flattened', () => {
    expect(findTemplateConflict('p', [t(['a*']), t(['x*', 'ab*']), t(['q'])], [])?.reason).toBe(
      "New policy p has an ISM template with index pattern [a*] matching this policy's other ISM templates with index patterns [x*, ab*, q], please use different priority",
    );
  });

  test('a template overlapping another policy at equal priority conflicts', () => {
    const others = [
      { policyId: 't1', templates: [t(['log*'], 100)] },
      { policyId: 't2', templates: [t(['abc*'], 100)] },
    ];
    expect(findTemplateConflict('t3', [t(['*'], 100)], others)?.reason).toBe(
      'New policy t3 has an ISM template with index pattern [*] matching existing policy templates, please use a different priority than 100',
    );
  });

  test.each([
    ['different priorities', [t(['a*'], 1), t(['a*'], 2)], []],
    ['disjoint patterns', [t(['logs-*']), t(['metrics-*'])], []],
    ['an exclusion that removes the overlap', [t(['logs-*', '-logs-a*']), t(['logs-a*'])], []],
    ['another policy at another priority', [t(['a*'], 1)], [{ policyId: 'o', templates: [t(['a*'], 2)] }]],
    ['the previous version of the same policy', [t(['a*'])], [{ policyId: 'me', templates: [t(['a*'])] }]],
  ])('%s do not conflict', (_what, templates, others) => {
    expect(findTemplateConflict('me', templates, others)).toBeUndefined();
  });
});

describe('wildcard languages', () => {
  test.each([
    [['ab*'], ['abc*'], true],
    [['*-prod'], ['logs-*'], true],
    [['a*b'], ['*c'], false],
    [['logs-2024*'], ['logs-2023*'], false],
    [['a*b*c'], ['*bxc*'], true],
    [['x'], ['x'], true],
    [['x'], ['y', 'x*'], true],
    [['*a'], ['*b'], false],
  ])('%j and %j intersect: %s', (a, b, expected) => {
    expect(
      languagesIntersect([
        { include: a, exclude: [] },
        { include: b, exclude: [] },
      ]),
    ).toBe(expected);
  });

  test('exclusions are subtracted before intersecting', () => {
    expect(
      languagesIntersect([
        { include: ['logs-*'], exclude: ['logs-a*', 'logs-b*'] },
        { include: ['logs-*'], exclude: [] },
      ]),
    ).toBe(true);
    expect(
      languagesIntersect([
        { include: ['logs-a*'], exclude: ['logs-*'] },
        { include: ['*'], exclude: [] },
      ]),
    ).toBe(false);
  });

  test.each([
    ['logs-*', 'logs-2024', true],
    ['logs-*', 'logs-', true],
    ['logs-*', 'log', false],
    ['*-*-*', 'a-b-c', true],
    ['a?c', 'abc', false],
    ['a?c', 'a?c', true],
  ])('%j matches %j: %s', (pattern, name, expected) => expect(simpleMatch(pattern, name)).toBe(expected));

  test('matchesTemplate honours inclusions and exclusions', () => {
    const tmpl = t(['log-*', '-log-test-*', '-log-*-debug-*']);
    expect(matchesTemplate('log-production-001', tmpl)).toBe(true);
    expect(matchesTemplate('log-test-001', tmpl)).toBe(false);
    expect(matchesTemplate('log-production-debug-001', tmpl)).toBe(false);
    expect(matchesTemplate('metrics-1', tmpl)).toBe(false);
  });
});
