import { startTestApi, type TestApi } from '../support/api';
import { validateResponse } from '../support/spec';

/**
 * The ISM policy API end to end: HTTP → local server → route table → handler → DynamoDB Local,
 * answers checked against OpenSearch's API specification.
 */
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.close());

const ONE = '/_plugins/_ism/policies/{policy_id}';

// Each policy gets its own template pattern: equal-priority overlaps are refused, as in OpenSearch.
let templates = 0;
const hotWarmDelete = (description = 'hot-warm-delete') => ({
  policy: {
    description,
    default_state: 'hot',
    states: [
      {
        name: 'hot',
        actions: [{ rollover: { min_index_age: '1d', min_size: '50gb' } }],
        transitions: [{ state_name: 'warm', conditions: { min_index_age: '7d' } }],
      },
      {
        name: 'warm',
        actions: [{ replica_count: { number_of_replicas: 1 } }],
        transitions: [{ state_name: 'delete', conditions: { min_index_age: '30d' } }],
      },
      { name: 'delete', actions: [{ delete: {} }], transitions: [] },
    ],
    ism_template: [{ index_patterns: [`logs-${++templates}-*`], priority: 100 }],
  },
});

const expectSpec = (method: string, path: string, status: number, body: unknown) =>
  expect(validateResponse('ism', method, path, status, body)).toEqual([]);

describe('creating and reading a policy', () => {
  test('a new policy is created with 201, a Location header and the server-filled fields', async () => {
    const before = Date.now();
    const res = await api.request('PUT', '/_plugins/_ism/policies/create-read', hotWarmDelete());
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/_plugins/_ism/policies/create-read');
    expectSpec('PUT', ONE, 201, res.body);
    expect(res.body).toMatchObject({ _id: 'create-read', _version: 1, _primary_term: 1 });
    expect(typeof res.body._seq_no).toBe('number');
    const policy = res.body.policy.policy;
    expect(policy.policy_id).toBe('create-read');
    expect(policy.last_updated_time).toBeGreaterThanOrEqual(before);
    expect(policy.schema_version).toBe(1);
    expect(policy.error_notification).toBeNull();
    expect(policy.states[0].actions[0].retry).toEqual({ count: 3, backoff: 'exponential', delay: '1m' });
    expect(policy.states[0].actions[0].rollover.copy_alias).toBe(false);
  });

  test('GET returns the stored policy with its version, seq_no and primary term', async () => {
    const created = await api.request('PUT', '/_plugins/_ism/policies/get-me', hotWarmDelete('read me'));
    const res = await api.request('GET', '/_plugins/_ism/policies/get-me');
    expect(res.status).toBe(200);
    expectSpec('GET', ONE, 200, res.body);
    expect(res.body).toMatchObject({
      _id: 'get-me',
      _version: 1,
      _seq_no: created.body._seq_no,
      _primary_term: 1,
      policy: { policy_id: 'get-me', description: 'read me', default_state: 'hot' },
    });
    expect(res.body.policy.states.map((s: { name: string }) => s.name)).toEqual(['hot', 'warm', 'delete']);
    expect(res.body.policy.ism_template[0]).toMatchObject({
      index_patterns: [expect.stringMatching(/^logs-\d+-\*$/)],
      priority: 100,
      last_updated_time: expect.any(Number),
    });
    expect(Object.keys(res.body.policy)).toEqual([
      'policy_id',
      'description',
      'last_updated_time',
      'schema_version',
      'error_notification',
      'default_state',
      'states',
      'ism_template',
    ]);
  });

  test('the legacy _opendistro prefix and the ?policyID= form reach the same documents', async () => {
    const created = await api.request('PUT', '/_opendistro/_ism/policies?policyID=legacy', hotWarmDelete());
    expect(created.status).toBe(201);
    // The plugin's Location is always its _plugins path.
    expect(created.headers.get('location')).toBe('/_plugins/_ism/policies/legacy');
    const viaPlugins = await api.request('GET', '/_plugins/_ism/policies/legacy');
    expect(viaPlugins.status).toBe(200);
    const viaList = await api.request('GET', '/_opendistro/_ism/policies?policyID=legacy');
    expect(viaList.body._id).toBe('legacy');
  });

  test('HEAD answers 200 for an existing policy and 404 for an unknown one, without a body', async () => {
    await api.request('PUT', '/_plugins/_ism/policies/head-me', hotWarmDelete());
    const found = await api.request('HEAD', '/_plugins/_ism/policies/head-me');
    expect(found.status).toBe(200);
    expect(found.text).toBe('');
    const missing = await api.request('HEAD', '/_plugins/_ism/policies/nope');
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('');
  });

  test('an unknown policy is a 404 status_exception', async () => {
    const res = await api.request('GET', '/_plugins/_ism/policies/does-not-exist');
    expect(res.status).toBe(404);
    expectSpec('GET', ONE, 404, res.body);
    expect(res.body).toEqual({
      error: {
        root_cause: [{ type: 'status_exception', reason: 'Policy not found' }],
        type: 'status_exception',
        reason: 'Policy not found',
      },
      status: 404,
    });
  });
});

describe('updating with optimistic concurrency', () => {
  test('an update carrying the current seq_no and primary term answers 200 with the next version', async () => {
    const created = await api.request('PUT', '/_plugins/_ism/policies/upd', hotWarmDelete('v1'));
    const { _seq_no: seq, _primary_term: term } = created.body;
    const res = await api.request(
      'PUT',
      `/_plugins/_ism/policies/upd?if_seq_no=${seq}&if_primary_term=${term}`,
      hotWarmDelete('v2'),
    );
    expect(res.status).toBe(200);
    expectSpec('PUT', ONE, 200, res.body);
    expect(res.body._version).toBe(2);
    expect(res.body._seq_no).toBeGreaterThan(seq);
    expect((await api.request('GET', '/_plugins/_ism/policies/upd')).body.policy.description).toBe('v2');
  });

  test('a policy update with a stale seq_no is rejected with 409 and changes nothing', async () => {
    const created = await api.request('PUT', '/_plugins/_ism/policies/stale', hotWarmDelete('v1'));
    const seq = created.body._seq_no;
    await api.request(
      'PUT',
      `/_plugins/_ism/policies/stale?if_seq_no=${seq}&if_primary_term=1`,
      hotWarmDelete('v2'),
    );
    const current = await api.request('GET', '/_plugins/_ism/policies/stale');
    const res = await api.request(
      'PUT',
      `/_plugins/_ism/policies/stale?if_seq_no=${seq}&if_primary_term=1`,
      hotWarmDelete('v3'),
    );
    expect(res.status).toBe(409);
    expect(res.body.error.type).toBe('version_conflict_engine_exception');
    expect(res.body.error.reason).toBe(
      `[stale]: version conflict, required seqNo [${seq}], primary term [1]. current document has seqNo [${current.body._seq_no}] and primary term [1]`,
    );
    // The config index's shard, as OpenSearch names it, with a stable uuid of ours.
    const shard = {
      index: '.opendistro-ism-config',
      shard: '0',
      index_uuid: expect.stringMatching(/^[\w-]{22}$/),
    };
    expect(res.body.error).toMatchObject(shard);
    expect(res.body.error.root_cause[0]).toMatchObject(shard);
    const after = await api.request('GET', '/_plugins/_ism/policies/stale');
    expect(after.body).toEqual(current.body);
  });

  test('a create over an existing id (no seq_no, or only one of the pair) is a 409', async () => {
    await api.request('PUT', '/_plugins/_ism/policies/exists', hotWarmDelete());
    for (const query of ['', '?if_seq_no=0', '?if_primary_term=1']) {
      const res = await api.request('PUT', `/_plugins/_ism/policies/exists${query}`, hotWarmDelete('again'));
      expect(res.status).toBe(409);
      expect(res.body.error.reason).toBe(
        '[exists]: version conflict, document already exists (current version [1])',
      );
    }
  });

  test('an update of a policy that does not exist is a 409 saying no document was found', async () => {
    const res = await api.request(
      'PUT',
      '/_plugins/_ism/policies/ghost?if_seq_no=3&if_primary_term=1',
      hotWarmDelete(),
    );
    expect(res.status).toBe(409);
    expect(res.body.error.reason).toBe(
      '[ghost]: version conflict, required seqNo [3], primary term [1]. but no document was found',
    );
    expect((await api.request('GET', '/_plugins/_ism/policies/ghost')).status).toBe(404);
  });

  test('of 20 concurrent updates with the same seq_no exactly one wins and its document is stored', async () => {
    const created = await api.request('PUT', '/_plugins/_ism/policies/race', hotWarmDelete('start'));
    const { _seq_no: seq, _primary_term: term } = created.body;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.request(
          'PUT',
          `/_plugins/_ism/policies/race?if_seq_no=${seq}&if_primary_term=${term}`,
          hotWarmDelete(`writer-${i}`),
        ),
      ),
    );
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    const stored = await api.request('GET', '/_plugins/_ism/policies/race');
    expect(stored.body.policy.description).toBe(winners[0].body.policy.policy.description);
    expect(stored.body._seq_no).toBe(winners[0].body._seq_no);
    expect(stored.body._version).toBe(2);
  });

  test('a seq_no/primary_term pair from a deleted policy never matches the re-created one', async () => {
    const first = await api.request('PUT', '/_plugins/_ism/policies/aba', hotWarmDelete('first'));
    await api.request('DELETE', '/_plugins/_ism/policies/aba');
    const second = await api.request('PUT', '/_plugins/_ism/policies/aba', hotWarmDelete('second'));
    expect(second.status).toBe(201);
    const res = await api.request(
      'PUT',
      `/_plugins/_ism/policies/aba?if_seq_no=${first.body._seq_no}&if_primary_term=${first.body._primary_term}`,
      hotWarmDelete('stale writer'),
    );
    expect(res.status).toBe(409);
    expect((await api.request('GET', '/_plugins/_ism/policies/aba')).body.policy.description).toBe('second');
  });

  test('a non-numeric if_seq_no is a 400 that names the parameter', async () => {
    const res = await api.request(
      'PUT',
      '/_plugins/_ism/policies/bad-seq?if_seq_no=abc&if_primary_term=1',
      hotWarmDelete(),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.reason).toBe('Failed to parse long parameter [if_seq_no] with value [abc]');
    expect(res.body.error.caused_by).toEqual({
      type: 'number_format_exception',
      reason: 'For input string: "abc"',
    });
  });

  test("a rollup action's date_histogram format is read but refused by the config index's strict mapping", async () => {
    const rollup = (format: string | null) => ({
      policy: {
        description: 'rollup',
        default_state: 's',
        states: [
          {
            name: 's',
            actions: [
              {
                rollup: {
                  ism_rollup: {
                    description: 'r',
                    target_index: 'r-tgt',
                    page_size: 10,
                    dimensions: [{ date_histogram: { source_field: 'ts', fixed_interval: '1h', format } }],
                    metrics: [],
                  },
                },
              },
            ],
          },
        ],
      },
    });
    const refused = await api.request('PUT', '/_plugins/_ism/policies/fmt', rollup('yyyy-MM-dd'));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      type: 'strict_dynamic_mapping_exception',
      reason:
        'mapping set to strict, dynamic introduction of [format] within [policy.states.actions.rollup.ism_rollup.dimensions.date_histogram] is not allowed',
    });
    expect((await api.request('GET', '/_plugins/_ism/policies/fmt')).status).toBe(404);
    const created = await api.request('PUT', '/_plugins/_ism/policies/fmt', rollup(null));
    expect(created.status).toBe(201);
    expect(
      created.body.policy.policy.states[0].actions[0].rollup.ism_rollup.dimensions[0].date_histogram.format,
    ).toBeNull();
  });

  test('a body of the wrong shape is a parsing_exception that says where, as Jackson counts', async () => {
    const res = await api.request(
      'PUT',
      '/_plugins/_ism/policies/shape',
      '{\n  "policy": {"states": "hot"}\n}',
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      type: 'parsing_exception',
      reason: 'Failed to parse object: expecting token of type [START_ARRAY] but found [VALUE_STRING]',
      line: 2,
      col: 24,
    });
    expect((await api.request('GET', '/_plugins/_ism/policies/shape')).status).toBe(404);
  });
});

describe('deleting a policy', () => {
  test('DELETE answers with the write response, and the policy is gone', async () => {
    await api.request('PUT', '/_plugins/_ism/policies/del', hotWarmDelete());
    const res = await api.request('DELETE', '/_plugins/_ism/policies/del');
    expect(res.status).toBe(200);
    expectSpec('DELETE', ONE, 200, res.body);
    expect(res.body).toMatchObject({
      _index: '.opendistro-ism-config',
      _id: 'del',
      _version: 2,
      result: 'deleted',
      _primary_term: 1,
    });
    expect((await api.request('GET', '/_plugins/_ism/policies/del')).status).toBe(404);
  });

  test('deleting an unknown policy is a 404 naming it', async () => {
    const res = await api.request('DELETE', '/_plugins/_ism/policies/never-was');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({
      type: 'status_exception',
      reason: 'Policy never-was is not found',
    });
  });
});

describe('bad input never writes anything', () => {
  test('a transition to a state that does not exist is a 400 and nothing is stored', async () => {
    const body = hotWarmDelete();
    body.policy.states[0].transitions[0].state_name = 'lukewarm';
    const res = await api.request('PUT', '/_plugins/_ism/policies/dangling', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      type: 'illegal_argument_exception',
      reason: 'Policy contains a transition in state=hot pointing to a nonexistent state=lukewarm',
    });
    expect((await api.request('GET', '/_plugins/_ism/policies/dangling')).status).toBe(404);
  });

  test('a template overlapping another policy at the same priority is a 400 and nothing is stored', async () => {
    const first = hotWarmDelete();
    first.policy.ism_template = [{ index_patterns: ['app-*'], priority: 5 }];
    expect((await api.request('PUT', '/_plugins/_ism/policies/app-first', first)).status).toBe(201);
    const second = hotWarmDelete();
    second.policy.ism_template = [{ index_patterns: ['app-web-*'], priority: 5 }];
    const res = await api.request('PUT', '/_plugins/_ism/policies/app-second', second);
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('index_management_exception');
    expect(res.body.error.reason).toContain('please use a different priority than 5');
    expect((await api.request('GET', '/_plugins/_ism/policies/app-second')).status).toBe(404);
    second.policy.ism_template[0].priority = 6;
    expect((await api.request('PUT', '/_plugins/_ism/policies/app-second', second)).status).toBe(201);
  });

  test('malformed JSON is a 400 in the error envelope', async () => {
    const res = await api.request('PUT', '/_plugins/_ism/policies/broken', '{"policy": {');
    expect(res.status).toBe(400);
    expectSpec('PUT', ONE, 400, res.body);
    expect((await api.request('GET', '/_plugins/_ism/policies/broken')).status).toBe(404);
  });

  test('a PUT without a body is a 400 asking for one', async () => {
    const res = await api.request('PUT', '/_plugins/_ism/policies/empty');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'parse_exception', reason: 'request body is required' });
  });

  test('a PUT without an id is a 400 Missing policy ID', async () => {
    const res = await api.request('PUT', '/_plugins/_ism/policies', hotWarmDelete());
    expect(res.status).toBe(400);
    expect(res.body.error.reason).toBe('Missing policy ID');
  });

  test('an unknown query parameter is a 400 naming it', async () => {
    const res = await api.request('GET', '/_plugins/_ism/policies/x?colour=blue');
    expect(res.status).toBe(400);
    expect(res.body.error.reason).toBe(
      'request [/_plugins/_ism/policies/x] contains unrecognized parameter: [colour]',
    );
  });

  test('an oversized body is refused with 413 and nothing is stored', async () => {
    const body = hotWarmDelete('x'.repeat(400 * 1024));
    const res = await api.request('PUT', '/_plugins/_ism/policies/huge', body);
    expect(res.status).toBe(413);
    expect((await api.request('GET', '/_plugins/_ism/policies/huge')).status).toBe(404);
  });
});

describe('routes the control plane owns but does not serve', () => {
  test('a wrong method on a known path is a 405 listing the allowed methods', async () => {
    const res = await api.request('POST', '/_plugins/_ism/policies/x');
    expect(res.status).toBe(405);
    expect(res.body.error).toBe(
      'Incorrect HTTP method for uri [/_plugins/_ism/policies/x] and method [POST], allowed: [HEAD, PUT, GET, DELETE]',
    );
    const slash = await api.request('DELETE', '/_plugins/_ism/policies/');
    expect(slash.body.error).toBe(
      'Incorrect HTTP method for uri [/_plugins/_ism/policies/] and method [DELETE], allowed: [PUT, GET]',
    );
  });

  test('an unknown path under _plugins is a 400 no handler found', async () => {
    const res = await api.request('GET', '/_plugins/_nothing_here');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'no handler found for uri [/_plugins/_nothing_here] and method [GET]',
    });
  });
});
