import type { ClusterApi } from '../../lambdas/ism/cluster-api';
import { controlStore, managedStore, optOutStore, policyStore } from '../../lambdas/ism/managed-deps';
import { autoManage } from '../../lambdas/ism/managed-index/templates';
import { indexInfo } from '../../lambdas/ism/managed-index/cluster-indices';
import { SEARCH_REFRESH_MS } from '../../lambdas/ism/managed-index/explain';
import { rolloverHistory } from '../../lambdas/rollover/deps';
import { notifier } from '../../lambdas/notifications/notifier';
import { ismNotifier } from '../../lambdas/ism/runner/notify';
import { startWebhookReceiver } from '../support/webhook-receiver';
import type { TestApi } from '../support/api';
import { startIsmHarness, type IsmHarness } from '../support/ism-harness';
import { validateResponse } from '../support/spec';

/**
 * Managed indices end to end: the add/remove/change_policy/retry/explain API over HTTP, and the
 * runner (runDue + the ISM job function, driven with a ManualClock) acting on the real node.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

jest.setTimeout(60_000);

let h: IsmHarness;
let api: TestApi;
let cluster: ClusterApi;
const MINUTE = 60_000;

beforeAll(async () => {
  // The runner of these tests delivers notifications (error_notification, the notification action).
  h = await startIsmHarness(() => ({ notifier: ismNotifier(notifier()) }));
  api = h.api;
  cluster = h.cluster;
});
afterAll(async () => h.close());

/** One ism-runner invocation at the clock's time (items added through the API are due at once). */
const tick = (c?: ClusterApi) => h.tick(c);
/** Moves the clock past every schedule and runs once. */
const later = (ms = 2 * MINUTE, c?: ClusterApi) => h.later(ms, c);

const putPolicy = async (id: string, policy: Json) => {
  const r = await api.request('PUT', `/_plugins/_ism/policies/${id}`, { policy });
  expect(r.status).toBe(201);
};

const createIndex = async (name: string, alias?: string) =>
  cluster.request('PUT', `/${name}`, {
    body: {
      settings: { 'index.number_of_shards': 1, 'index.number_of_replicas': 0 },
      ...(alias ? { aliases: { [alias]: { is_write_index: true } } } : {}),
    },
  });

const indexDocs = async (index: string, n: number) => {
  for (let i = 0; i < n; i++) await cluster.request('POST', `/${index}/_doc`, { body: { n: i } });
  await cluster.request('POST', `/${index}/_refresh`);
};

const exists = async (index: string) => (await indexInfo(cluster, index)) !== undefined;

const explain = async (index: string): Promise<Json> => {
  const r = await api.request('GET', `/_plugins/_ism/explain/${index}`);
  expect(r.status).toBe(200);
  expect(validateResponse('ism', 'GET', '/_plugins/_ism/explain/{index}', 200, r.body)).toEqual([]);
  return r.body[index];
};

const add = async (index: string, policy_id: string) => {
  const r = await api.request('POST', `/_plugins/_ism/add/${index}`, { policy_id });
  expect(validateResponse('ism', 'POST', '/_plugins/_ism/add/{index}', 200, r.body)).toEqual([]);
  return r;
};

const rolloverPolicy = (docs: number, retry?: Json) => ({
  description: 'roll over, then read-only with no replicas',
  default_state: 'hot',
  states: [
    {
      name: 'hot',
      actions: [{ rollover: { min_doc_count: docs }, ...(retry ? { retry } : {}) }],
      transitions: [{ state_name: 'warm' }],
    },
    {
      name: 'warm',
      actions: [{ read_only: {} }, { replica_count: { number_of_replicas: 0 } }],
      transitions: [],
    },
  ],
});

describe('attaching a policy and running it', () => {
  beforeAll(async () => {
    await putPolicy('roll', rolloverPolicy(2));
  });

  it('add attaches once; explain shows the managed index before and after the first run', async () => {
    await createIndex('alpha-000001', 'alpha');
    const r = await add('alpha-000001', 'roll');
    expect(r.body).toEqual({ updated_indices: 1, failures: false, failed_indices: [] });

    const again = await add('alpha-*', 'roll');
    expect(again.body).toMatchObject({
      updated_indices: 0,
      failures: true,
      failed_indices: [
        {
          index_name: 'alpha-000001',
          index_uuid: expect.any(String),
          reason: 'This index already has a policy, use the update policy API to update index policies',
        },
      ],
    });
    expect(await explain('alpha-000001')).toEqual({
      'index.plugins.index_state_management.policy_id': 'roll',
      'index.opendistro.index_state_management.policy_id': 'roll',
      index: 'alpha-000001',
      index_uuid: expect.any(String),
      policy_id: 'roll',
      enabled: true,
    });

    await tick();
    const e = await explain('alpha-000001');
    expect(e).toMatchObject({
      policy_id: 'roll',
      policy_seq_no: expect.any(Number),
      rolled_over: false,
      state: { name: 'hot', start_time: expect.any(Number) },
      action: { name: 'rollover', index: 0, failed: false, consumed_retries: 0, last_retry_time: 0 },
      step: { name: 'attempt_rollover', step_status: 'condition_not_met' },
      info: {
        message: 'Pending rollover of index [index=alpha-000001]',
        conditions: { min_doc_count: { condition: 2, current: 0 } },
      },
      enabled: true,
    });
  });

  it('rolls over on the real alias once the condition holds, then runs the next state to completion', async () => {
    await indexDocs('alpha', 2);
    await later();
    expect(await exists('alpha-000002')).toBe(true);
    const alias = (await cluster.request('GET', '/_alias/alpha')) as Json;
    expect(alias['alpha-000002'].aliases.alpha.is_write_index).toBe(true);
    const settings = (await cluster.request('GET', '/alpha-000001/_settings/index.blocks.write')) as Json;
    expect(settings['alpha-000001'].settings.index.blocks.write).toBe('true');

    const e = await explain('alpha-000001');
    expect(e).toMatchObject({
      rolled_over: true,
      rolled_over_index_name: 'alpha-000002',
      policy_completed: true,
    });
    expect(e.state).toBeUndefined();
    // Recorded in the rollover history like any rollover of the control plane.
    expect(await rolloverHistory().forAlias('alpha')).toEqual([
      expect.objectContaining({ old_index: 'alpha-000001', new_index: 'alpha-000002', source: 'ism' }),
    ]);
  });

  it('explain without an index lists managed indices only, with total_managed_indices', async () => {
    const r = await api.request('GET', '/_plugins/_ism/explain?show_policy=true');
    expect(validateResponse('ism', 'GET', '/_plugins/_ism/explain', 200, r.body)).toEqual([]);
    expect(r.body.total_managed_indices).toBeGreaterThanOrEqual(1);
    expect(r.body['alpha-000001'].policy.policy_id).toBe('roll');
    const unmanaged = await explain('alpha-000002');
    expect(unmanaged).toEqual({
      'index.plugins.index_state_management.policy_id': null,
      'index.opendistro.index_state_management.policy_id': null,
      enabled: null,
    });
  });
});

describe('failures, retry and back-off', () => {
  it('a failing step is retried after its back-off, fails the index when out of retries, and retry resumes it', async () => {
    await putPolicy('roll-retry', rolloverPolicy(1, { count: 1, backoff: 'constant', delay: '1m' }));
    await createIndex('beta-000001');
    await add('beta-000001', 'roll-retry');
    await tick();
    let e = await explain('beta-000001');
    expect(e.step).toMatchObject({ name: 'attempt_rollover', step_status: 'failed' });
    expect(e.action).toMatchObject({ failed: false, consumed_retries: 1 });
    expect(e.info.message).toBe('Missing rollover_alias index setting [index=beta-000001]');

    // Inside the back-off window nothing runs.
    h.clock.advance(30_000);
    await tick();
    expect((await explain('beta-000001')).action.consumed_retries).toBe(1);

    await later(MINUTE);
    e = await explain('beta-000001');
    expect(e.action).toMatchObject({ failed: true, consumed_retries: 1 });
    expect(e.enabled).toBe(false);

    const failedOnly = await api.request('POST', '/_plugins/_ism/explain', { filter: { failed: true } });
    expect(Object.keys(failedOnly.body)).toContain('beta-000001');

    const notFailed = await api.request('POST', '/_plugins/_ism/retry/alpha-000001');
    expect(notFailed.body.failed_indices[0].reason).toBe('This index is not in failed state.');

    // Fix the cause, retry: the index rolls over.
    await cluster.request('POST', '/_aliases', {
      body: { actions: [{ add: { index: 'beta-000001', alias: 'beta', is_write_index: true } }] },
    });
    await indexDocs('beta', 1);
    const retry = await api.request('POST', '/_plugins/_ism/retry/beta-000001');
    expect(validateResponse('ism', 'POST', '/_plugins/_ism/retry/{index}', 200, retry.body)).toEqual([]);
    expect(retry.body).toEqual({ updated_indices: 1, failures: false, failed_indices: [] });
    expect((await explain('beta-000001')).info).toEqual({ message: 'Pending retry of failed managed index' });
    await later();
    expect(await exists('beta-000002')).toBe(true);
    expect((await explain('beta-000001')).policy_completed).toBe(true);
  });
});

describe('change_policy', () => {
  it('waits for the safe point (the transition) before switching policies', async () => {
    await putPolicy('roll-5', rolloverPolicy(5));
    await putPolicy('other', {
      description: 'other',
      default_state: 'hot',
      states: [
        {
          name: 'hot',
          actions: [{ index_priority: { priority: 7 } }],
          transitions: [{ state_name: 'done' }],
        },
        { name: 'done', actions: [], transitions: [] },
      ],
    });
    await createIndex('gamma-000001', 'gamma');
    await add('gamma-000001', 'roll-5');
    await tick();
    const r = await api.request('POST', '/_plugins/_ism/change_policy/gamma-000001', { policy_id: 'other' });
    expect(validateResponse('ism', 'POST', '/_plugins/_ism/change_policy/{index}', 200, r.body)).toEqual([]);
    expect(r.body).toEqual({ updated_indices: 1, failures: false, failed_indices: [] });

    // Mid-action (rollover waiting): still the old policy.
    await later();
    expect(await explain('gamma-000001')).toMatchObject({
      policy_id: 'roll-5',
      action: { name: 'rollover' },
    });

    // The rollover completes: at the transition the index switches to the new policy and, as in
    // OpenSearch, evaluates the transitions of the same-named state (its actions are not run).
    await indexDocs('gamma', 5);
    await later();
    const e = await explain('gamma-000001');
    expect(e).toMatchObject({ policy_id: 'other', rolled_over: true, policy_completed: true });
    expect(e.policy_seq_no).toBeDefined();
  });
});

describe('remove', () => {
  it('detaches the policy; removing again reports it is not managed; unknown names are 404', async () => {
    const r = await api.request('POST', '/_plugins/_ism/remove/alpha-000001');
    expect(validateResponse('ism', 'POST', '/_plugins/_ism/remove/{index}', 200, r.body)).toEqual([]);
    expect(r.body).toEqual({ updated_indices: 1, failures: false, failed_indices: [] });
    const again = await api.request('POST', '/_plugins/_ism/remove/alpha-000001');
    expect(again.body.failed_indices[0].reason).toBe('This index does not have a policy to remove');
    const missing = await api.request('POST', '/_plugins/_ism/remove/no-such-index');
    expect(missing.status).toBe(404);
    expect(missing.body.error.type).toBe('index_not_found_exception');
  });

  it('answers OpenSearch errors for missing arguments', async () => {
    expect((await api.request('POST', '/_plugins/_ism/add/alpha-000002', {})).body.error.reason).toBe(
      'Missing policy_id',
    );
    expect(
      (await api.request('POST', '/_plugins/_ism/add/alpha-000002', { policy_id: 'nope' })).body,
    ).toMatchObject({
      status: 404,
      error: { type: 'status_exception', reason: 'Could not find policy=nope' },
    });
    expect(
      (await api.request('POST', '/_plugins/_ism/change_policy/alpha-000002', { policy_id: 'roll', bad: 1 }))
        .body.error.reason,
    ).toBe('Invalid field: [bad] found in ChangePolicy.');
  });
});

describe('indices deleted behind our back', () => {
  it('are forgotten at the next run', async () => {
    await createIndex('delta-000001', 'delta');
    await add('delta-000001', 'roll');
    await tick();
    await cluster.request('DELETE', '/delta-000001');
    await later();
    const all = await api.request('GET', '/_plugins/_ism/explain?queryString=delta*');
    expect(all.body).toEqual({ total_managed_indices: 0 });
  });
});

describe('crash safety of rollover', () => {
  beforeAll(async () => {
    await putPolicy('roll-crash', rolloverPolicy(2));
  });

  // Killed at a boundary of the step (test/support/ism-harness.ts), the lease left to expire.
  const crashOnce = (when: 'before' | 'after', index = 'eps-000001', stepName = 'attempt_rollover') =>
    h.crashOnce(when, index, stepName);

  it.each([
    ['before the rollover call (after the starting checkpoint)', 'before'],
    ['after the rollover call, before the result is saved', 'after'],
  ] as const)('a run that dies %s is resumed without a second rollover', async (_label, when) => {
    for (const i of ['eps-000001', 'eps-000002', 'eps-000003'])
      if (await exists(i)) await cluster.request('DELETE', `/${i}`);
    await createIndex('eps-000001', 'eps');
    await add('eps-000001', 'roll-crash');
    await tick();
    await indexDocs('eps', 2);
    h.clock.advance(2 * MINUTE);
    await crashOnce(when);
    const mid = await explain('eps-000001');
    expect(mid.step).toMatchObject({ name: 'attempt_rollover', step_status: 'starting' });
    expect(await exists('eps-000002')).toBe(when === 'after');

    // The lease expires; the next run resumes.
    await later(7 * MINUTE);
    expect(await exists('eps-000002')).toBe(true);
    expect(await exists('eps-000003')).toBe(false);
    const e = await explain('eps-000001');
    expect(e).toMatchObject({
      rolled_over: true,
      rolled_over_index_name: 'eps-000002',
      policy_completed: true,
    });
    await api.request('POST', '/_plugins/_ism/remove/eps-000001');
  });

  it('a snapshot started just before a crash is found by its recorded name, not taken again', async () => {
    const nodes = (await cluster.request('GET', '/_nodes/settings')) as Json;
    const repoPath = [Object.values(nodes.nodes as Json)[0].settings.path.repo].flat()[0] as string;
    await cluster.request('PUT', '/_snapshot/ism-repo', {
      body: { type: 'fs', settings: { location: `${repoPath}/ism-crash` } },
    });
    await putPolicy('snap-crash', {
      description: 'snapshot',
      default_state: 'keep',
      states: [
        {
          name: 'keep',
          actions: [{ snapshot: { repository: 'ism-repo', snapshot: 'theta' } }],
          transitions: [],
        },
      ],
    });
    await createIndex('theta-1');
    await indexDocs('theta-1', 1);
    await add('theta-1', 'snap-crash');
    await tick(); // initialized (and the snapshot started, or the crash below)
    // A fresh index for the crash: the first tick above may have run the whole policy already.
    await createIndex('theta-2');
    await add('theta-2', 'snap-crash');
    h.clock.set(Math.max(h.clock.now(), Date.now()) + 1000);
    await crashOnce('after', 'theta-2', 'attempt_snapshot');
    const mid = await explain('theta-2');
    expect(mid.step).toMatchObject({ name: 'attempt_snapshot', step_status: 'starting' });
    const name = mid.action.action_properties.snapshot_name as string;
    expect(name).toMatch(/^theta-\d{4}\.\d{2}\.\d{2}-/);

    await later(7 * MINUTE);
    for (let i = 0; i < 10 && (await explain('theta-2')).policy_completed !== true; i++) await later();
    expect(await explain('theta-2')).toMatchObject({ policy_completed: true });
    const snaps = (await cluster.request('GET', '/_snapshot/ism-repo/_all')) as Json;
    const forTheta2 = (snaps.snapshots as Json[]).filter((x) => (x.indices as string[]).includes('theta-2'));
    expect(forTheta2.map((x) => x.snapshot)).toEqual([name]);
  });
});

describe('ism_template', () => {
  const discover = () =>
    autoManage({
      cluster,
      policies: policyStore(),
      managed: managedStore(),
      optOut: optOutStore(),
      control: controlStore(),
      now: Date.now(),
    });
  const template = (patterns: string[], priority: number) => ({
    description: `template ${priority}`,
    default_state: 'only',
    states: [{ name: 'only', actions: [], transitions: [] }],
    ism_template: [{ index_patterns: patterns, priority }],
  });

  it('manages a new matching index with the highest-priority template, and never older indices', async () => {
    await createIndex('tpl-old-1');
    await new Promise((r) => setTimeout(r, 20));
    await putPolicy('tpl-low', template(['tpl-*'], 1));
    await putPolicy('tpl-high', template(['tpl-new-*'], 9));
    await new Promise((r) => setTimeout(r, 20));
    await createIndex('tpl-new-1');
    await createIndex('tpl-other-1');
    expect(await discover()).toBe(2);
    expect((await explain('tpl-new-1')).policy_id).toBe('tpl-high');
    expect((await explain('tpl-other-1')).policy_id).toBe('tpl-low');
    expect((await explain('tpl-old-1')).enabled).toBeNull();
    // Already looked at: the next tick reads no index again.
    expect(await discover()).toBe(0);

    // Removed indices stay unmanaged (once explain's search no longer sees the removed job).
    await api.request('POST', '/_plugins/_ism/remove/tpl-other-1');
    await controlStore().delete('template-discovery');
    expect(await discover()).toBe(0);
    await new Promise((r) => setTimeout(r, SEARCH_REFRESH_MS));
    expect((await explain('tpl-other-1')).enabled).toBeNull();
  });
});

describe('notifications', () => {
  it('the notification action and error_notification reach their webhook destinations', async () => {
    const hook = await startWebhookReceiver();
    try {
      await putPolicy('notify', {
        description: 'notify, then fail',
        default_state: 'tell',
        error_notification: {
          destination: { slack: { url: hook.url('/errors') } },
          message_template: { source: 'ISM failed on {{ctx.index}}: {{ctx.info.message}}' },
        },
        states: [
          {
            name: 'tell',
            actions: [
              {
                notification: {
                  destination: { custom_webhook: { url: hook.url('/hook') } },
                  message_template: { source: 'Index {{ctx.index}} is in state {{ctx.state.name}}' },
                },
              },
              { rollover: {}, retry: { count: 0, backoff: 'constant', delay: '1m' } },
            ],
            transitions: [],
          },
        ],
      });
      await createIndex('zeta-1');
      await add('zeta-1', 'notify');
      await tick();
      expect(hook.requests.map((r) => r.path)).toEqual(['/hook', '/errors']);
      expect(hook.requests[0].body).toContain('Index zeta-1 is in state tell');
      expect(hook.requests[1].json).toMatchObject({
        text: expect.stringContaining(
          'ISM failed on zeta-1: Missing rollover_alias index setting [index=zeta-1]',
        ),
      });
      const e = await explain('zeta-1');
      expect(e.action).toMatchObject({ name: 'rollover', failed: true });
      expect(e.info.error_notification).toBe('Successfully published error notification [index = zeta-1]');
    } finally {
      await hook.close();
    }
  });
});

describe('ISM status, start and stop', () => {
  it('reports and switches the deployment-wide flag', async () => {
    expect((await api.request('GET', '/_plugins/_ism/status')).body).toEqual({ enabled: true });
    expect((await api.request('POST', '/_plugins/_ism/stop')).body).toEqual({ acknowledged: true });
    expect((await api.request('GET', '/_opendistro/_ism/status')).body).toEqual({ enabled: false });
    await api.request('POST', '/_plugins/_ism/start');
    expect((await api.request('GET', '/_plugins/_ism/status')).body).toEqual({ enabled: true });
  });
});

describe('what remove leaves behind', () => {
  const waits = {
    description: 'waits',
    default_state: 'a',
    states: [{ name: 'a', actions: [], transitions: [] }],
  };

  it("leaves the plugin's auto_manage: false on the index, as GET _settings shows it", async () => {
    await putPolicy('rm-waits', waits);
    await createIndex('rm-a');
    await createIndex('rm-b');
    await add('rm-a', 'rm-waits');
    expect((await api.request('POST', '/_plugins/_ism/remove/rm-a,rm-b')).body).toMatchObject({
      updated_indices: 1,
      failed_indices: [{ index_name: 'rm-b', reason: 'This index does not have a policy to remove' }],
    });
    const nested = await api.request('GET', '/rm-*/_settings?filter_path=*.settings.index.plugins');
    expect(nested.body).toEqual({
      'rm-a': { settings: { index: { plugins: { index_state_management: { auto_manage: 'false' } } } } },
    });
    const flat = await api.request('GET', '/rm-a/_settings/index.plugins*?flat_settings=true');
    expect(flat.body).toEqual({
      'rm-a': { settings: { 'index.plugins.index_state_management.auto_manage': 'false' } },
    });
    // Added again, the index keeps the setting, as the plugin leaves it.
    await add('rm-a', 'rm-waits');
    const again = await api.request('GET', '/rm-a/_settings/index.plugins*?flat_settings=true');
    expect(again.body['rm-a'].settings).toEqual({
      'index.plugins.index_state_management.auto_manage': 'false',
    });
  });

  it("takes a data stream's name for its backing indices", async () => {
    await putPolicy('rm-ds-waits', waits);
    await cluster.request('PUT', '/_index_template/rm-ds-tpl', {
      body: {
        index_patterns: ['rm-ds*'],
        data_stream: {},
        template: { settings: { number_of_replicas: 0 } },
      },
    });
    await cluster.request('PUT', '/_data_stream/rm-ds');
    expect(
      (await api.request('POST', '/_plugins/_ism/add/rm-ds', { policy_id: 'rm-ds-waits' })).body,
    ).toMatchObject({ updated_indices: 1 });
    const r = await api.request('POST', '/_plugins/_ism/remove/rm-ds');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ updated_indices: 1, failures: false, failed_indices: [] });
    expect((await api.request('POST', '/_plugins/_ism/remove/rm-dsx')).status).toBe(404);
    await cluster.request('DELETE', '/_data_stream/rm-ds');
    await cluster.request('DELETE', '/_index_template/rm-ds-tpl');
  });
});
