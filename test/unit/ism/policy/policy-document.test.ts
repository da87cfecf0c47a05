import { ISM_CONFIG_SCHEMA_VERSION } from '../../../../lambdas/ism/policy/parse';
import { NOW, expectRejected, parse, policyBody } from './helpers';

const rejects = (body: unknown, type: string, reason: string) =>
  expectRejected(() => parse(body), type, reason);

describe('the PUT body envelope', () => {
  test('the single top-level key may have any name', () => {
    const { policy } = policyBody() as { policy: unknown };
    expect(parse({ anything: policy }).description).toBe('test');
  });

  test.each([
    ['a missing body', undefined, 'parse_exception', 'request body is required'],
    [
      'an array',
      [],
      'parsing_exception',
      'Failed to parse object: expecting token of type [START_OBJECT] but found [START_ARRAY]',
    ],
    [
      'a string',
      'policy',
      'parsing_exception',
      'Failed to parse object: expecting token of type [START_OBJECT] but found [VALUE_STRING]',
    ],
    [
      'null',
      null,
      'parsing_exception',
      'Failed to parse object: expecting token of type [START_OBJECT] but found [VALUE_NULL]',
    ],
    [
      'an empty object',
      {},
      'parsing_exception',
      'Failed to parse object: expecting token of type [FIELD_NAME] but found [END_OBJECT]',
    ],
    [
      'a policy that is not an object',
      { policy: 'x' },
      'parsing_exception',
      'Failed to parse object: expecting token of type [START_OBJECT] but found [VALUE_STRING]',
    ],
    [
      'a second top-level key',
      { ...policyBody(), extra: 1 },
      'parsing_exception',
      'Failed to parse object: expecting token of type [END_OBJECT] but found [FIELD_NAME]',
    ],
  ])('%s is rejected with the 400 OpenSearch gives', (_what, body, type, reason) => {
    rejects(body, type, reason);
  });

  test('errors inside the policy win over a second top-level key', () => {
    rejects(
      { policy: { description: 'x' }, extra: 1 },
      'illegal_argument_exception',
      'default_state is null',
    );
  });
});

describe('policy fields', () => {
  test('server-filled fields: policy_id from the id, last_updated_time is now, schema_version as sent', () => {
    const p = parse(policyBody({ policy_id: 'ignored', last_updated_time: 5, schema_version: 7 }), 'my-id');
    expect(p.policy_id).toBe('my-id');
    expect(p.last_updated_time).toBe(NOW);
    expect(p.schema_version).toBe(7);
  });

  test('schema_version defaults to 1; the stored one is the config index version', () => {
    expect(parse(policyBody()).schema_version).toBe(1);
    expect(ISM_CONFIG_SCHEMA_VERSION).toBe(21);
  });

  test('a minimal policy renders every key, in the plugin order, with nulls for absent optionals', () => {
    const p = parse(policyBody());
    expect(Object.keys(p)).toEqual([
      'policy_id',
      'description',
      'last_updated_time',
      'schema_version',
      'error_notification',
      'default_state',
      'states',
      'ism_template',
    ]);
    expect(p.error_notification).toBeNull();
    expect(p.ism_template).toBeNull();
    expect(p.states).toEqual([{ name: 'hot', actions: [], transitions: [] }]);
  });

  test('a sent user is dropped; null error_notification and ism_template stay null', () => {
    const p = parse(policyBody({ user: { name: 'bob' }, error_notification: null, ism_template: null }));
    expect(p).not.toHaveProperty('user');
    expect(p.error_notification).toBeNull();
    expect(p.ism_template).toBeNull();
  });

  test('scalars are read as text where the plugin reads text', () => {
    const p = parse(policyBody({ description: 42, default_state: 'hot', schema_version: '3' }));
    expect(p.description).toBe('42');
    expect(p.schema_version).toBe(3);
  });

  test('states and transitions may be absent', () => {
    const p = parse(policyBody({ states: [{ name: 'hot' }] }));
    expect(p.states).toEqual([{ name: 'hot', actions: [], transitions: [] }]);
  });

  test.each([
    [
      'an unknown policy field',
      { foo: 1 },
      'illegal_argument_exception',
      'Invalid field: [foo] found in Policy.',
    ],
    [
      'a missing description',
      { description: undefined },
      'illegal_argument_exception',
      'description is null',
    ],
    [
      'a missing default_state',
      { default_state: undefined },
      'illegal_argument_exception',
      'default_state is null',
    ],
    [
      'a null description',
      { description: null },
      'illegal_state_exception',
      "Can't get text on a VALUE_NULL",
    ],
    [
      'an object description',
      { description: {} },
      'illegal_state_exception',
      "Can't get text on a START_OBJECT",
    ],
    [
      'states as an object',
      { states: {} },
      'parsing_exception',
      'Failed to parse object: expecting token of type [START_ARRAY] but found [START_OBJECT]',
    ],
    [
      'a state that is a string',
      { states: ['hot'] },
      'parsing_exception',
      'Failed to parse object: expecting token of type [START_OBJECT] but found [VALUE_STRING]',
    ],
    [
      'a non-numeric schema_version',
      { schema_version: 'x' },
      'illegal_argument_exception',
      'For input string: "x"',
    ],
    [
      'a boolean schema_version',
      { schema_version: true },
      'json_parse_exception',
      'Current token (VALUE_TRUE) not numeric, can not use numeric value accessors',
    ],
    [
      'an object last_updated_time',
      { last_updated_time: {} },
      'parsing_exception',
      'Failed to parse object: unexpected token [START_OBJECT] found',
    ],
    [
      'ism_template as a string',
      { ism_template: 'x' },
      'parsing_exception',
      'Failed to parse object: expecting token of type [START_ARRAY] but found [VALUE_STRING]',
    ],
  ])('%s is rejected', (_what, patch, type, reason) => {
    rejects(policyBody(patch), type, reason);
  });
});

describe('states', () => {
  const states = (...s: unknown[]) => policyBody({ states: s });

  test.each([
    ['an unknown state field', [{ name: 'hot', foo: [] }], 'Invalid field: [foo] found in State.'],
    ['a state without a name', [{ actions: [] }], 'State name is null'],
    ['a blank state name', [{ name: '  ' }], 'State must contain a valid name'],
    [
      'an action after delete',
      [{ name: 'hot', actions: [{ delete: {} }, { read_only: {} }] }],
      'State=hot must not contain an action after a delete action',
    ],
    [
      'transitions in a state that deletes',
      [{ name: 'hot', actions: [{ delete: {} }], transitions: [{ state_name: 'hot' }] }],
      'State=hot cannot contain transitions if using delete action',
    ],
  ])('%s is rejected', (_what, s, reason) => {
    rejects(states(...s), 'illegal_argument_exception', reason);
  });

  test('actions as an object are a token error', () => {
    rejects(
      states({ name: 'hot', actions: {} }),
      'parsing_exception',
      'Failed to parse object: expecting token of type [START_ARRAY] but found [START_OBJECT]',
    );
  });
});

describe('policy-wide rules, checked in the plugin order', () => {
  test('a transition to a state that does not exist is rejected', () => {
    rejects(
      policyBody({ states: [{ name: 'hot', transitions: [{ state_name: 'warm' }] }] }),
      'illegal_argument_exception',
      'Policy contains a transition in state=hot pointing to a nonexistent state=warm',
    );
  });

  test('duplicate state names are rejected', () => {
    rejects(
      policyBody({ states: [{ name: 'hot' }, { name: 'hot' }] }),
      'illegal_argument_exception',
      'Policy cannot have duplicate state names',
    );
  });

  test('a dangling transition is reported before duplicate names', () => {
    rejects(
      policyBody({ states: [{ name: 'hot' }, { name: 'hot', transitions: [{ state_name: 'x' }] }] }),
      'illegal_argument_exception',
      'Policy contains a transition in state=hot pointing to a nonexistent state=x',
    );
  });

  test('a policy without states is rejected', () => {
    rejects(
      policyBody({ states: [] }),
      'illegal_argument_exception',
      'Policy must contain at least one State',
    );
  });

  test('a default_state that names no state is rejected', () => {
    rejects(
      policyBody({ default_state: 'cold' }),
      'illegal_argument_exception',
      'Policy must have a valid default state',
    );
  });

  test('field errors come before required-field errors', () => {
    rejects({ policy: { foo: 1 } }, 'illegal_argument_exception', 'Invalid field: [foo] found in Policy.');
  });
});
