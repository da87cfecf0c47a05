import { findWorker } from '../../infra/workers';
import { runWorker } from '../../local/scheduler';
import { advanceSystemClock } from '../../lambdas/shared/clock';
import { startIsmHarness, MINUTE, type IsmHarness } from '../support/ism-harness';

/**
 * `PUT` and `GET _cluster/settings` as a user of the plugin's cluster sees them, on the real
 * plugin-free node: the plugin's settings are answered and kept by us (and steer our workers),
 * every other setting is the cluster's. A request holding both is all or nothing.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let h: IsmHarness;
beforeAll(async () => {
  h = await startIsmHarness();
});
afterAll(async () => {
  await h.cluster
    .request('PUT', '/_cluster/settings', {
      body: {
        persistent: { 'cluster.info.update.interval': null },
        transient: { 'cluster.info.update.interval': null },
      },
    })
    .catch(() => undefined);
  await h.close();
});

const JOB_INTERVAL = 'plugins.index_state_management.job_interval';
/** A cluster setting of OpenSearch itself, harmless to change on the shared test node. */
const INFO_INTERVAL = 'cluster.info.update.interval';

const put = (body: unknown, query = '') => h.api.request('PUT', `/_cluster/settings${query}`, body);
const get = async (query = '?flat_settings=true'): Promise<Json> => {
  const r = await h.api.request('GET', `/_cluster/settings${query}`);
  expect(r.status).toBe(200);
  return r.body;
};
/** What the cluster itself holds, without us. */
const clusterOwn = () =>
  h.cluster.request<Json>('GET', '/_cluster/settings', { query: { flat_settings: true } });

const ismRunner = findWorker('ism')!;
const runIsm = async () => (await runWorker(ismRunner)) as Json;

afterEach(async () => {
  // Each test starts from nothing set (ours and the cluster's test setting).
  const reset = { 'plugins.*': null, 'opendistro.*': null, [INFO_INTERVAL]: null };
  expect((await put({ persistent: reset, transient: reset })).status).toBe(200);
});

it("takes a plugin setting and a cluster setting in one request, and shows both as the plugin's cluster does", async () => {
  const r = await put({
    persistent: { plugins: { index_state_management: { job_interval: 2 } }, [INFO_INTERVAL]: '45s' },
    transient: { 'plugins.rollup.search.search_all_jobs': true },
  });
  expect(r.status).toBe(200);
  expect(r.body).toEqual({
    acknowledged: true,
    persistent: {
      cluster: { info: { update: { interval: '45s' } } },
      plugins: { index_state_management: { job_interval: '2' } },
    },
    transient: { plugins: { rollup: { search: { search_all_jobs: 'true' } } } },
  });

  expect(await get()).toEqual({
    persistent: { [INFO_INTERVAL]: '45s', [JOB_INTERVAL]: '2' },
    transient: { 'plugins.rollup.search.search_all_jobs': 'true' },
  });
  expect((await get('')).persistent).toEqual({
    cluster: { info: { update: { interval: '45s' } } },
    plugins: { index_state_management: { job_interval: '2' } },
  });
  // The cluster got its own setting and nothing of ours.
  expect((await clusterOwn()).persistent).toEqual({ [INFO_INTERVAL]: '45s' });
  expect(await get('?flat_settings=true&filter_path=persistent.plugins*')).toEqual({
    persistent: { [JOB_INTERVAL]: '2' },
  });
});

it("include_defaults lists every plugin setting's value in force beside the cluster's defaults", async () => {
  await put({ persistent: { 'opendistro.index_state_management.job_interval': 3 } });
  const body = await get('?flat_settings=true&include_defaults=true');
  expect(body.persistent).toEqual({ 'opendistro.index_state_management.job_interval': '3' });
  // The plugins.* setting falls back to its opendistro.* twin; the twin itself is not a default any more.
  expect(body.defaults[JOB_INTERVAL]).toBe('3');
  expect(body.defaults).not.toHaveProperty(['opendistro.index_state_management.job_interval']);
  expect(body.defaults).toMatchObject({
    'plugins.index_state_management.enabled': 'true',
    'plugins.index_state_management.jitter': '0.6',
    'plugins.index_state_management.history.max_age': '24h',
    'plugins.index_state_management.history.rollover_retention_period': '30d',
    'plugins.index_state_management.coordinator.sweep_period': '10m',
    'plugins.rollup.search.enabled': 'true',
    'plugins.rollup.search.search_all_jobs': 'false',
    // The cluster's own defaults are still there.
    'cluster.max_shards_per_node': '1000',
  });
  expect(body.defaults['plugins.index_state_management.allow_list']).toContain('rollover');
});

it('resets with null, one key or a pattern', async () => {
  await put({
    persistent: { [JOB_INTERVAL]: 2, 'plugins.index_state_management.jitter': 0.1, [INFO_INTERVAL]: '45s' },
  });
  expect((await put({ persistent: { [JOB_INTERVAL]: null, [INFO_INTERVAL]: null } })).body).toEqual({
    acknowledged: true,
    persistent: {},
    transient: {},
  });
  expect((await get()).persistent).toEqual({ 'plugins.index_state_management.jitter': '0.1' });
  await put({ persistent: { 'plugins.index_state_management.*': null } });
  expect((await get()).persistent).toEqual({});
  expect((await clusterOwn()).persistent).toEqual({});
});

it("refuses a bad value with the plugin's reason, and writes nothing of the request", async () => {
  const cases: [unknown, string, Json?][] = [
    [
      'x',
      `Failed to parse value [x] for setting [${JOB_INTERVAL}]`,
      { type: 'number_format_exception', reason: 'For input string: "x"' },
    ],
    [0, `Failed to parse value [0] for setting [${JOB_INTERVAL}] must be >= 1`],
    [
      1.5,
      `Failed to parse value [1.5] for setting [${JOB_INTERVAL}]`,
      { type: 'number_format_exception', reason: 'For input string: "1.5"' },
    ],
  ];
  for (const [value, reason, causedBy] of cases) {
    const r = await put({ persistent: { [JOB_INTERVAL]: value, [INFO_INTERVAL]: '45s' } });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      error: {
        root_cause: [{ type: 'illegal_argument_exception', reason }],
        type: 'illegal_argument_exception',
        reason,
        ...(causedBy ? { caused_by: causedBy } : {}),
      },
      status: 400,
    });
  }
  const bool = await put({ transient: { 'plugins.index_state_management.enabled': 'yes' } });
  expect(bool.body.error.reason).toBe('Failed to parse value [yes] as only [true] or [false] are allowed.');
  const time = await put({ transient: { 'plugins.index_state_management.history.max_age': '5' } });
  expect(time.body.error.reason).toBe(
    'failed to parse setting [plugins.index_state_management.history.max_age] with value [5] as a time value: unit is missing or unrecognized',
  );
  expect(await get()).toEqual({ persistent: {}, transient: {} });
  expect((await clusterOwn()).persistent).toEqual({});
});

it('a cluster setting the cluster refuses: its answer, and nothing of ours written', async () => {
  const r = await put({ persistent: { [JOB_INTERVAL]: 2, 'cluster.max_shards_per_node': 0 } });
  expect(r.status).toBe(400);
  expect(r.body.error.reason).toBe(
    'Failed to parse value [0] for setting [cluster.max_shards_per_node] must be >= 1',
  );
  const unknown = await put({ transient: { [JOB_INTERVAL]: 2, 'plugins.no_such_setting': 1 } });
  expect(unknown.body.error.reason).toBe('transient setting [plugins.no_such_setting], not recognized');
  expect(await get()).toEqual({ persistent: {}, transient: {} });
});

it('plugins.index_state_management.enabled is the ISM switch: the ism-runner stops, _ism/status agrees', async () => {
  await h.putPolicy('settings-switch', {
    description: 'never leaves hot',
    default_state: 'hot',
    states: [{ name: 'hot', actions: [], transitions: [] }],
  });
  await h.cluster.request('PUT', '/settings-switch-1', {
    body: { settings: { 'index.number_of_shards': 1, 'index.number_of_replicas': 0 } },
  });
  await h.add('settings-switch-1', 'settings-switch');

  await put({ transient: { 'plugins.index_state_management.enabled': false } });
  expect((await h.api.request('GET', '/_plugins/_ism/status')).body).toEqual({ enabled: false });
  expect(await runIsm()).toMatchObject({ stopped: true, ran: 0 });
  // Not even initialized.
  expect((await h.explain('settings-switch-1')).policy_seq_no).toBeUndefined();

  // _ism/start sets the same setting (persistent; the transient value that would win is removed).
  expect((await h.api.request('POST', '/_plugins/_ism/start')).status).toBe(200);
  expect(await get()).toEqual({
    persistent: { 'plugins.index_state_management.enabled': 'true' },
    transient: {},
  });
  const run = await runIsm();
  expect(run.stopped).toBeUndefined();
  expect(run.ran).toBe(1);
  // A policy of one state without actions: done in its first run.
  expect(await h.explain('settings-switch-1')).toMatchObject({ policy_seq_no: 0, policy_completed: true });

  await h.api.request('POST', '/_plugins/_ism/stop');
  expect((await get()).persistent).toEqual({ 'plugins.index_state_management.enabled': 'false' });
  expect((await h.api.request('GET', '/_plugins/_ism/status')).body).toEqual({ enabled: false });

  await h.api.request('POST', '/_plugins/_ism/remove/settings-switch-1');
  await h.cluster.request('DELETE', '/settings-switch-1');
});

it('job_interval (and jitter) set when the ism-runner runs an index next', async () => {
  await put({ transient: { [JOB_INTERVAL]: 10, 'plugins.index_state_management.jitter': 0 } });
  await h.putPolicy('settings-interval', {
    description: 'waits for documents that never come',
    default_state: 'hot',
    states: [
      {
        name: 'hot',
        actions: [],
        transitions: [{ state_name: 'warm', conditions: { min_doc_count: 1_000_000 } }],
      },
      { name: 'warm', actions: [], transitions: [] },
    ],
  });
  await h.cluster.request('PUT', '/settings-interval-1', {
    body: { settings: { 'index.number_of_shards': 1, 'index.number_of_replicas': 0 } },
  });
  await h.add('settings-interval-1', 'settings-interval');
  expect((await runIsm()).ran).toBe(1);

  advanceSystemClock(9 * MINUTE);
  expect((await runIsm()).ran).toBe(0);
  advanceSystemClock(2 * MINUTE);
  expect((await runIsm()).ran).toBe(1);

  // A shorter interval applies from the next run on.
  await put({ transient: { [JOB_INTERVAL]: 1 } });
  advanceSystemClock(11 * MINUTE);
  expect((await runIsm()).ran).toBe(1);
  advanceSystemClock(2 * MINUTE);
  expect((await runIsm()).ran).toBe(1);
});

it('concurrent updates never fail and none is lost', async () => {
  const settings: [string, unknown][] = [
    [JOB_INTERVAL, 3],
    ['plugins.index_state_management.jitter', 0.2],
    ['plugins.index_state_management.history.enabled', false],
    ['plugins.index_state_management.history.max_docs', 1000],
    ['plugins.index_state_management.history.max_age', '2h'],
    ['plugins.index_state_management.history.number_of_replicas', 0],
    ['plugins.rollup.search.enabled', false],
    ['plugins.rollup.search.search_all_jobs', true],
    ['plugins.rollup.dashboards.enabled', false],
    ['plugins.transform.circuit_breaker.jvm.threshold', 90],
  ];
  const replies = await Promise.all(
    settings.flatMap(([key, value]) => [
      put({ persistent: { [key]: value } }),
      put({ transient: { [key]: value } }),
    ]),
  );
  expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
  const expected = Object.fromEntries(settings.map(([k, v]) => [k, String(v)]));
  expect(await get()).toEqual({ persistent: expected, transient: expected });
});
