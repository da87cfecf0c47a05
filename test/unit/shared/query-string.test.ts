import type { StoredDocument } from '../../../lambdas/shared/document-store';
import { compilePolicyQuery } from '../../../lambdas/ism/policy-query';
import { standardTokens } from '../../../lambdas/shared/query-string';
import type { Policy } from '../../../lambdas/ism/policy/model';

const policy = (id: string, description: string, extra: Partial<Policy> = {}): StoredDocument<Policy> => ({
  id,
  version: 1,
  seqNo: 1,
  primaryTerm: 1,
  source: {
    policy_id: id,
    description,
    last_updated_time: 1_700_000_000_000 + id.length,
    schema_version: 21,
    error_notification: null,
    default_state: 'hot',
    states: [{ name: 'hot', actions: [], transitions: [] }],
    ism_template: null,
    ...extra,
  },
});

const docs = [
  policy('cf-a', 'cfpqs alpha hot'),
  policy('cf-b', 'cfpqs beta warm', {
    ism_template: [{ index_patterns: ['logs-*'], priority: 5, last_updated_time: 1 }],
  }),
  policy('cf-c', 'Gamma HOT, rolled over'),
  policy('other', 'x'),
];
const ids = (q: string) => docs.filter(compilePolicyQuery(q)).map((d) => d.id);

describe('queryString over ISM policies, as the plugin’s query_string over its config index', () => {
  test.each([
    ['*', ['cf-a', 'cf-b', 'cf-c', 'other']],
    ['', ['cf-a', 'cf-b', 'cf-c', 'other']],
    ['cf-*', ['cf-a', 'cf-b', 'cf-c']],
    // The default field is the id's keyword: words of the description do not match.
    ['cfpqs', []],
    ['cf-a OR cf-b', ['cf-a', 'cf-b']],
    ['cf-a || cf-c', ['cf-a', 'cf-c']],
    ['cf-* AND NOT cf-b', ['cf-a', 'cf-c']],
    ['cf-* -cf-b', ['cf-a', 'cf-c']],
    ['-cf-b', ['cf-a', 'cf-c', 'other']],
    ['(cf-a OR cf-b) AND cf-b', ['cf-b']],
    // cf-a alone would match, but the default operator makes both terms required.
    ['cf-a cf-b', []],
    ['policy.description:beta', ['cf-b']],
    ['policy.description:hot', ['cf-a', 'cf-c']],
    ['policy.description:HOT', ['cf-a', 'cf-c']],
    ['policy.description:"rolled over"', ['cf-c']],
    ['policy.description:"over rolled"', []],
    ['policy.description:gam*', ['cf-c']],
    ['policy.description.keyword:beta', []],
    ['policy.description.keyword:"cfpqs beta warm"', ['cf-b']],
    ['policy.policy_id:cf', ['cf-a', 'cf-b', 'cf-c']],
    ['policy.default_state:hot', ['cf-a', 'cf-b', 'cf-c', 'other']],
    ['policy.default_state:HOT', []],
    ['policy.ism_template.index_patterns:logs-*', ['cf-b']],
    ['policy.ism_template.priority:[1 TO 5]', ['cf-b']],
    ['policy.ism_template.priority:{5 TO *}', []],
    ['policy.schema_version:21', ['cf-a', 'cf-b', 'cf-c', 'other']],
    ['_exists_:policy.ism_template.priority', ['cf-b']],
    ['_id:cf-c', ['cf-c']],
    // Nested fields match nothing outside a nested query; unmapped ones nothing at all.
    ['policy.states.name:hot', []],
    ['description:beta', []],
    ['*:*', ['cf-a', 'cf-b', 'cf-c', 'other']],
    ['cf\\-a', ['cf-a']],
    ['(cf-a', ['cf-a']],
  ])('%j matches %j', (q, expected) => {
    expect(ids(q)).toEqual(expected);
  });

  test('text fields are read as the standard analyzer splits them', () => {
    expect(standardTokens('Gamma HOT, rolled-over e.g. it’s 1.5')).toEqual([
      'gamma',
      'hot',
      'rolled',
      'over',
      'e.g',
      'it’s',
      '1.5',
    ]);
  });
});
