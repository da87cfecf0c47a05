/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are read field by field */
import { startTestApi, type TestApi } from '../support/api';
import { validateResponse } from '../support/spec';

/**
 * The Snapshot Management policy API end to end: HTTP → local server → route table → handler →
 * DynamoDB Local, answers checked against OpenSearch's API specification.
 */
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.close());

const ONE = '/_plugins/_sm/policies/{policy_name}';
const expectSpec = (method: string, path: string, status: number, body: unknown) =>
  expect(validateResponse('sm', method, path, status, body)).toEqual([]);

const daily = (overrides: Record<string, unknown> = {}) => ({
  description: 'Daily snapshot policy',
  creation: { schedule: { cron: { expression: '0 8 * * *', timezone: 'UTC' } }, time_limit: '1h' },
  deletion: {
    schedule: { cron: { expression: '0 1 * * *', timezone: 'America/Los_Angeles' } },
    condition: { max_age: '7d', max_count: 21, min_count: 7 },
    time_limit: '90m',
  },
  snapshot_config: { repository: 's3-repo', date_format: 'yyyy-MM-dd-HH:mm', indices: '*' },
  notification: { channel: { id: 'NC3OpoEBzEoHMX183R3f' } },
  ...overrides,
});

const expectError = (
  res: { status: number; body: any },
  status: number,
  type: string,
  reason: string | RegExp,
) => {
  expect(res.status).toBe(status);
  expect(res.body.status).toBe(status);
  expect(res.body.error.type).toBe(type);
  if (typeof reason === 'string') expect(res.body.error.reason).toBe(reason);
  else expect(res.body.error.reason).toMatch(reason);
  expect(res.body.error.root_cause[0]).toMatchObject({ type, reason: res.body.error.reason });
};

describe('creating and reading a policy', () => {
  test('create answers 201 with a Location header, the <name>-sm-policy id and the server-filled fields', async () => {
    const before = Date.now();
    const res = await api.request('POST', '/_plugins/_sm/policies/daily-policy', daily());
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/_plugins/_sm/policies/daily-policy');
    expectSpec('POST', ONE, 201, res.body);
    expect(res.body).toMatchObject({ _id: 'daily-policy-sm-policy', _version: 1, _primary_term: 1 });
    const p = res.body.sm_policy;
    expect(p).toMatchObject({
      name: 'daily-policy',
      description: 'Daily snapshot policy',
      schema_version: 21,
      creation: { schedule: { cron: { expression: '0 8 * * *', timezone: 'UTC' } }, time_limit: '1h' },
      deletion: {
        condition: { max_age: '7d', min_count: 7, max_count: 21 },
        time_limit: '1.5h',
      },
      snapshot_config: { repository: 's3-repo', date_format: 'yyyy-MM-dd-HH:mm', indices: '*' },
      enabled: true,
      notification: {
        channel: { id: 'NC3OpoEBzEoHMX183R3f' },
        conditions: { creation: true, deletion: false, failure: false, time_limit_exceeded: false },
      },
    });
    expect(Object.keys(p.deletion.condition)).toEqual(['max_age', 'min_count', 'max_count']);
    expect(p.schedule).toEqual({ interval: { start_time: expect.any(Number), period: 1, unit: 'Minutes' } });
    expect(p.last_updated_time).toBeGreaterThanOrEqual(before);
    expect(p.enabled_time).toBe(p.last_updated_time);
    expect(p.user).toBeUndefined();
  });

  test('GET returns the stored policy with _version, _seq_no and _primary_term', async () => {
    const created = await api.request('POST', '/_plugins/_sm/policies/get-me', daily());
    const res = await api.request('GET', '/_plugins/_sm/policies/get-me');
    expect(res.status).toBe(200);
    expectSpec('GET', ONE, 200, res.body);
    expect(res.body).toEqual(created.body);
  });

  test('deletion without a schedule takes the creation schedule; min_count defaults to 1', async () => {
    const res = await api.request(
      'POST',
      '/_plugins/_sm/policies/inherit',
      daily({ deletion: { condition: { max_count: 5 } } }),
    );
    expect(res.status).toBe(201);
    expect(res.body.sm_policy.deletion).toEqual({
      schedule: { cron: { expression: '0 8 * * *', timezone: 'UTC' } },
      condition: { min_count: 1, max_count: 5 },
    });
    expect(Object.keys(res.body.sm_policy.deletion)).toEqual(['schedule', 'condition']);
  });

  test('a policy without creation is refused, as 2.19 refuses it; a disabled one has enabled_time null', async () => {
    const prune = {
      deletion: {
        schedule: { cron: { expression: '0 * * * *', timezone: 'Europe/Berlin' } },
        condition: { max_age: '30d' },
      },
      snapshot_config: { repository: 'repo' },
      enabled: false,
    };
    const refused = await api.request('POST', '/_plugins/_sm/policies/prune-only', prune);
    expectError(refused, 400, 'illegal_argument_exception', 'Must provide the creation configuration.');
    expect((await api.request('GET', '/_plugins/_sm/policies/prune-only')).status).toBe(404);
    const res = await api.request('POST', '/_plugins/_sm/policies/prune-only', {
      ...prune,
      creation: { schedule: { cron: { expression: '0 8 * * *', timezone: 'UTC' } } },
    });
    expect(res.status).toBe(201);
    // OpenSearch writes enabled_time: null here, which its API spec (integer) does not allow.
    expect(res.body.sm_policy).toMatchObject({ enabled: false, enabled_time: null });
  });

  test('creating a name that exists is a 409 version conflict', async () => {
    await api.request('POST', '/_plugins/_sm/policies/twice', daily());
    const res = await api.request('POST', '/_plugins/_sm/policies/twice', daily());
    expectError(
      res,
      409,
      'version_conflict_engine_exception',
      /\[twice-sm-policy\]: version conflict, document already exists/,
    );
    expectSpec('POST', ONE, 409, res.body);
  });

  test('a missing policy is a 404 status_exception', async () => {
    const res = await api.request('GET', '/_plugins/_sm/policies/nope');
    expectError(res, 404, 'status_exception', 'Snapshot management policy not found');
    expectSpec('GET', ONE, 404, res.body);
  });

  test('POST or PUT without a name answers 405', async () => {
    expect((await api.request('POST', '/_plugins/_sm/policies', daily())).status).toBe(405);
    expect((await api.request('PUT', '/_plugins/_sm/policies', daily())).status).toBe(405);
  });
});

describe('validation', () => {
  const create = (name: string, body: unknown) => api.request('POST', `/_plugins/_sm/policies/${name}`, body);

  test.each([
    [
      'neither creation nor deletion',
      { snapshot_config: { repository: 'r' } },
      'Must provide the creation configuration.',
    ],
    ['no snapshot_config', { creation: daily().creation }, 'snapshot_config field must not be null'],
    [
      'no repository',
      { creation: daily().creation, snapshot_config: {} },
      'Must provide the repository in snapshot config.',
    ],
    [
      'creation without schedule',
      { creation: {}, snapshot_config: { repository: 'r' } },
      'schedule field must not be null',
    ],
    [
      'a cron that never fires',
      {
        creation: { schedule: { cron: { expression: '0 0 30 2 *', timezone: 'UTC' } } },
        snapshot_config: { repository: 'r' },
      },
      'Next execution time from the creation schedule is null, please provide a valid cron expression.',
    ],
    [
      'deletion without condition',
      { creation: daily().creation, deletion: {}, snapshot_config: { repository: 'r' } },
      'condition must not be null.',
    ],
    [
      'condition with neither max_age nor max_count',
      {
        creation: daily().creation,
        deletion: { condition: { min_count: 2 } },
        snapshot_config: { repository: 'r' },
      },
      'Please provide max_age or max_count.',
    ],
    [
      'min_count of 0',
      {
        creation: daily().creation,
        deletion: { condition: { max_count: 3, min_count: 0 } },
        snapshot_config: { repository: 'r' },
      },
      'min_count should be bigger than 0.',
    ],
    [
      'max_count 1 with the default min_count',
      {
        creation: daily().creation,
        deletion: { condition: { max_count: 1 } },
        snapshot_config: { repository: 'r' },
      },
      'max_count should be bigger than min_count.',
    ],
    [
      'a deletion-only policy without schedule',
      { deletion: { condition: { max_count: 3 } }, snapshot_config: { repository: 'r' } },
      'Must provide the creation configuration.',
    ],
    [
      'an unknown notification key',
      { ...daily(), notification: { channel: { id: 'c' }, when: 'always' } },
      'Invalid field: [when] found in Snapshot Management notification config.',
    ],
    [
      'an unknown notification condition',
      { ...daily(), notification: { channel: { id: 'c' }, conditions: { sometimes: true } } },
      'Invalid field: [sometimes] found in conditions.',
    ],
    [
      'a notification without channel',
      { ...daily(), notification: { conditions: { failure: true } } },
      'Snapshot Management notification channel must not be null',
    ],
    [
      'an unknown date_format letter',
      { ...daily(), snapshot_config: { repository: 'r', date_format: 'yyyy-bb' } },
      'Please provide a valid date format. Unknown pattern letter: b',
    ],
    [
      'a date_format letter we cannot print as OpenSearch does',
      { ...daily(), snapshot_config: { repository: 'r', date_format: "yyyy-MM-dd'T'HH:mm z" } },
      'Please provide a valid date format. Pattern letter z cannot be rendered here: the short time-zone name (CEST, BRT, IST...) comes from Java\'s own tables; use "zzzz", "VV", "O" or "XXX"',
    ],
    [
      'a date_format checked before the repository',
      { ...daily(), snapshot_config: { date_format: 'yyyy-bb' } },
      'Please provide a valid date format. Unknown pattern letter: b',
    ],
    [
      'an unknown cron time zone',
      {
        creation: { schedule: { cron: { expression: '0 8 * * *', timezone: 'Nowhere/City' } } },
        snapshot_config: { repository: 'r' },
      },
      'Unknown time-zone ID: Nowhere/City',
    ],
    [
      'a time_limit without unit',
      { creation: { ...daily().creation, time_limit: '10' }, snapshot_config: { repository: 'r' } },
      'failed to parse setting [time_limit] with value [10] as a time value: unit is missing or unrecognized',
    ],
  ])('%s is a 400 that says what to fix', async (_, body, reason) => {
    const res = await create('invalid', body);
    expect(res.status).toBe(400);
    expect(res.body.error.reason).toBe(reason);
    expectSpec('POST', ONE, 400, res.body);
    // nothing was written
    expect((await api.request('GET', '/_plugins/_sm/policies/invalid')).status).toBe(404);
  });

  test('what the plugin only finds out when a snapshot is due is accepted, as it accepts it', async () => {
    for (const [name, snapshot_config] of [
      ['comma-date', { repository: 'r', date_format: 'EEE, d MMM yyyy' }],
      ['mars-zone', { repository: 'r', date_format_timezone: 'Mars/Olympus' }],
    ] as const) {
      const res = await create(name, { ...daily(), snapshot_config });
      expect(res.status).toBe(201);
      expect(res.body.sm_policy.snapshot_config).toEqual(snapshot_config);
    }
  });

  test('a bad cron expression is a 400', async () => {
    const res = await create('badcron', {
      creation: { schedule: { cron: { expression: '0 25 * * *', timezone: 'UTC' } } },
      snapshot_config: { repository: 'r' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('illegal_argument_exception');
    // job-scheduler's cron-utils words.
    expect(res.body.error.reason).toBe('Failed to parse cron expression. Value 25 not in range [0, 23]');
  });

  test('every broken policy-name rule is reported at once', async () => {
    const res = await create('_Bad%23Name', daily());
    expectError(
      res,
      400,
      'illegal_argument_exception',
      [
        "Policy name must not contain '#'.",
        "Policy name must not start with '_'.",
        'Policy name must be lowercase.',
      ].join('\n'),
    );
    const star = await create('a*b', daily());
    expect(star.body.error.reason).toBe(
      'Policy name must not contain the following characters [\\, /, *, ?, ", <, >, |,  , ,].',
    );
  });

  test('malformed JSON is a 400, never a 500', async () => {
    const res = await api.request('POST', '/_plugins/_sm/policies/json', '{"creation": ');
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('json_parse_exception');
  });

  test('an unknown query parameter is refused', async () => {
    const res = await api.request('POST', '/_plugins/_sm/policies/params?if_seq_no=1', daily());
    expect(res.status).toBe(400);
    expect(res.body.error.reason).toBe(
      'request [/_plugins/_sm/policies/params] contains unrecognized parameter: [if_seq_no]',
    );
  });
});

describe('updating a policy', () => {
  test('an update with the current seq_no and primary term replaces the policy', async () => {
    const created = await api.request('POST', '/_plugins/_sm/policies/upd', daily());
    const { _seq_no, _primary_term } = created.body;
    const res = await api.request(
      'PUT',
      `/_plugins/_sm/policies/upd?if_seq_no=${_seq_no}&if_primary_term=${_primary_term}`,
      daily({
        description: 'changed',
        creation: { schedule: { cron: { expression: '0 9 * * *', timezone: 'UTC' } } },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBe('/_plugins/_sm/policies/upd');
    expectSpec('PUT', ONE, 200, res.body);
    expect(res.body._version).toBe(2);
    expect(res.body._seq_no).toBeGreaterThan(_seq_no);
    expect(res.body.sm_policy).toMatchObject({ description: 'changed', enabled: true });
    expect(res.body.sm_policy.creation).toEqual({
      schedule: { cron: { expression: '0 9 * * *', timezone: 'UTC' } },
    });
  });

  test('an update without if_seq_no/if_primary_term is a 400 validation failure', async () => {
    await api.request('POST', '/_plugins/_sm/policies/upd-noseq', daily());
    const res = await api.request('PUT', '/_plugins/_sm/policies/upd-noseq', daily());
    expectError(
      res,
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: Sequence number and primary term must be provided when updating a snapshot management policy;',
    );
  });

  test('a stale seq_no is a 409 and changes nothing; so is updating a missing policy', async () => {
    const created = await api.request('POST', '/_plugins/_sm/policies/upd-stale', daily());
    const { _seq_no } = created.body;
    await api.request(
      'PUT',
      `/_plugins/_sm/policies/upd-stale?if_seq_no=${_seq_no}&if_primary_term=1`,
      daily(),
    );
    const stale = await api.request(
      'PUT',
      `/_plugins/_sm/policies/upd-stale?if_seq_no=${_seq_no}&if_primary_term=1`,
      daily({ description: 'lost' }),
    );
    expectError(stale, 409, 'version_conflict_engine_exception', /version conflict, required seqNo/);
    expect((await api.request('GET', '/_plugins/_sm/policies/upd-stale')).body.sm_policy.description).toBe(
      'Daily snapshot policy',
    );
    const missing = await api.request(
      'PUT',
      '/_plugins/_sm/policies/never?if_seq_no=0&if_primary_term=1',
      daily(),
    );
    expect(missing.status).toBe(409);
  });
});

describe('listing policies', () => {
  beforeAll(async () => {
    for (const name of ['list-b', 'list-a', 'list-c', 'other-x']) {
      await api.request('POST', `/_plugins/_sm/policies/${name}`, daily({ description: name }));
    }
  });

  test('queryString filters names; items have no _version; total counts every hit', async () => {
    const res = await api.request('GET', '/_plugins/_sm/policies?queryString=list-*&size=2');
    expect(res.status).toBe(200);
    expectSpec('GET', '/_plugins/_sm/policies', 200, res.body);
    expect(res.body.total_policies).toBe(3);
    expect(res.body.policies.map((p: any) => p.sm_policy.name)).toEqual(['list-a', 'list-b']);
    expect(res.body.policies[0]._version).toBeUndefined();
    expect(res.body.policies[0]._id).toBe('list-a-sm-policy');
  });

  test('from, sortOrder=desc and OR queries', async () => {
    const res = await api.request(
      'GET',
      '/_plugins/_sm/policies?queryString=list-a%20OR%20other-*&sortOrder=desc',
    );
    expect(res.body.policies.map((p: any) => p.sm_policy.name)).toEqual(['other-x', 'list-a']);
    const page = await api.request('GET', '/_plugins/_sm/policies?queryString=list-*&from=2');
    expect(page.body.policies.map((p: any) => p.sm_policy.name)).toEqual(['list-c']);
  });

  test('a bad sortOrder is a 400', async () => {
    const res = await api.request('GET', '/_plugins/_sm/policies?sortOrder=up');
    expect(res.status).toBe(400);
  });

  test('queryString is a query_string over the policy mapping: fields, words of a text field', async () => {
    const byField = await api.request(
      'GET',
      '/_plugins/_sm/policies?queryString=sm_policy.description:other',
    );
    expect(byField.body.policies.map((p: any) => p.sm_policy.name)).toEqual(['other-x']);
    const notMapped = await api.request(
      'GET',
      '/_plugins/_sm/policies?queryString=sm_policy.snapshot_config.indices:*',
    );
    expect(notMapped.body).toEqual({ policies: [], total_policies: 0 });
  });

  test('sorting by a field the config index maps as text, or not at all, fails as its search does', async () => {
    const text = await api.request('GET', '/_plugins/_sm/policies?sortField=sm_policy.description');
    expect(text.status).toBe(400);
    expect(text.body.error.type).toBe('search_phase_execution_exception');
    expect(text.body.error.root_cause[0].reason).toMatch(/fielddata=true on \[sm_policy\.description\]/);
    const unmapped = await api.request(
      'GET',
      '/_plugins/_sm/policies?sortField=sm_policy.snapshot_config.indices',
    );
    expect(unmapped.body.error.root_cause[0]).toMatchObject({
      type: 'query_shard_exception',
      reason: 'No mapping found for [sm_policy.snapshot_config.indices] in order to sort on',
    });
    const byTime = await api.request(
      'GET',
      '/_plugins/_sm/policies?queryString=list-*&sortField=sm_policy.last_updated_time&sortOrder=desc',
    );
    expect(byTime.body.policies.map((p: any) => p.sm_policy.name)).toEqual(['list-c', 'list-a', 'list-b']);
  });
});

describe('start, stop, explain and delete', () => {
  test('stop disables, start enables; each answers acknowledged, also when nothing changes', async () => {
    await api.request('POST', '/_plugins/_sm/policies/toggle', daily());
    const stop = await api.request('POST', '/_plugins/_sm/policies/toggle/_stop');
    expect(stop.status).toBe(200);
    expectSpec('POST', `${ONE}/_stop`, 200, stop.body);
    expect(stop.body).toEqual({ acknowledged: true });
    let doc = (await api.request('GET', '/_plugins/_sm/policies/toggle')).body;
    expect(doc.sm_policy).toMatchObject({ enabled: false, enabled_time: null });
    expect((await api.request('POST', '/_plugins/_sm/policies/toggle/_stop')).body).toEqual({
      acknowledged: true,
    });

    const start = await api.request('POST', '/_plugins/_sm/policies/toggle/_start');
    expectSpec('POST', `${ONE}/_start`, 200, start.body);
    expect(start.body).toEqual({ acknowledged: true });
    doc = (await api.request('GET', '/_plugins/_sm/policies/toggle')).body;
    expect(doc.sm_policy.enabled).toBe(true);
    expect(doc.sm_policy.enabled_time).toEqual(expect.any(Number));
  });

  test('start/stop of a missing policy is a 404', async () => {
    const res = await api.request('POST', '/_plugins/_sm/policies/ghost/_start');
    expectError(res, 404, 'status_exception', 'Snapshot management policy not found');
  });

  test('explain shows the name and enabled only until the policy first runs (sm-runner.test.ts runs it)', async () => {
    await api.request('POST', '/_plugins/_sm/policies/explain-me', daily());
    const res = await api.request('GET', '/_plugins/_sm/policies/explain-me/_explain');
    expect(res.status).toBe(200);
    expectSpec('GET', `${ONE}/_explain`, 200, res.body);
    expect(res.body).toEqual({ policies: [{ name: 'explain-me', enabled: true }] });
  });

  test('filter_path applies to the answers (a GET, an explain), never to an error', async () => {
    await api.request('POST', '/_plugins/_sm/policies/filtered', daily());
    const get = await api.request(
      'GET',
      '/_plugins/_sm/policies/filtered?filter_path=sm_policy.enabled,sm_policy.name',
    );
    expect(get.body).toEqual({ sm_policy: { name: 'filtered', enabled: true } });
    const explained = await api.request(
      'GET',
      '/_plugins/_sm/policies/filtered,nothing/_explain?filter_path=policies.name',
    );
    expect(explained.body).toEqual({ policies: [{ name: 'filtered' }] });
    const missing = await api.request('GET', '/_plugins/_sm/policies/nothing?filter_path=sm_policy.name');
    expectError(missing, 404, 'status_exception', 'Snapshot management policy not found');
  });

  test('explain takes comma lists and wildcards; names that match nothing are simply absent', async () => {
    const res = await api.request('GET', '/_plugins/_sm/policies/list-a,list-c,nothing,other-*/_explain');
    expect(res.status).toBe(200);
    expect(res.body.policies.map((p: any) => p.name).sort()).toEqual(['list-a', 'list-c', 'other-x']);
    const none = await api.request('GET', '/_plugins/_sm/policies/nothing-at-all/_explain');
    expect(none.body).toEqual({ policies: [] });
  });

  test('delete answers the document delete response; the policy is gone', async () => {
    await api.request('POST', '/_plugins/_sm/policies/doomed', daily());
    const res = await api.request('DELETE', '/_plugins/_sm/policies/doomed');
    expect(res.status).toBe(200);
    expectSpec('DELETE', ONE, 200, res.body);
    expect(res.body).toMatchObject({
      _index: '.opendistro-ism-config',
      _id: 'doomed-sm-policy',
      result: 'deleted',
    });
    expect((await api.request('GET', '/_plugins/_sm/policies/doomed')).status).toBe(404);
    const again = await api.request('DELETE', '/_plugins/_sm/policies/doomed');
    expectError(again, 404, 'status_exception', 'Snapshot management policy not found');
    expectSpec('DELETE', ONE, 404, again.body);
  });
});
