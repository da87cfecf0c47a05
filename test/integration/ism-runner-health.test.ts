import { findWorker } from '../../infra/workers';
import { runWorker } from '../../local/scheduler';
import { startIsmHarness, type IsmHarness } from '../support/ism-harness';

/**
 * The ism-runner, invoked as EventBridge invokes it, runs no managed index while the cluster is
 * red, as the plugin does, and picks them up on the first run after the cluster recovers.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let h: IsmHarness;
beforeAll(async () => {
  h = await startIsmHarness();
});
afterAll(async () => {
  await h.cluster.request('DELETE', '/red-maker').catch(() => undefined);
  await h.close();
});

const ismRunner = findWorker('ism');
const invoke = async () => (await runWorker(ismRunner!)) as Json;

const health = async () =>
  (await h.cluster.request<Json>('GET', '/_cluster/health', { query: { filter_path: 'status' } })).status;

it('skips a run while the cluster is red and runs the index once it is not', async () => {
  await h.putPolicy('red-policy', {
    description: 'red',
    default_state: 'hot',
    states: [{ name: 'hot', actions: [{ read_only: {} }], transitions: [] }],
  });
  await h.cluster.request('PUT', '/red-managed', {
    body: { settings: { 'index.number_of_shards': 1, 'index.number_of_replicas': 0 } },
  });
  await h.add('red-managed', 'red-policy');

  // A primary that can never be allocated turns the cluster red.
  await h.cluster.request('PUT', '/red-maker', {
    query: { wait_for_active_shards: 0 },
    body: {
      settings: {
        'index.number_of_shards': 1,
        'index.number_of_replicas': 0,
        'index.routing.allocation.require._name': 'no-such-node',
      },
    },
  });
  expect(await health()).toBe('red');

  expect(await invoke()).toMatchObject({ kind: 'ism', clusterRed: true, ran: 0 });
  // Not even initialized: no metadata yet.
  const untouched = await h.explain('red-managed');
  expect(untouched.policy_id).toBe('red-policy');
  expect(untouched.state).toBeUndefined();
  expect(untouched.policy_seq_no).toBeUndefined();
  expect((await h.settings('red-managed'))['index.blocks.write']).toBeUndefined();

  await h.cluster.request('DELETE', '/red-maker');
  expect(await health()).not.toBe('red');

  const run = await invoke();
  expect(run.clusterRed).toBeUndefined();
  expect(run.ran).toBeGreaterThanOrEqual(1);
  // Initialized, read_only applied, policy done: all in the first run after recovery.
  expect(await h.explain('red-managed')).toMatchObject({ policy_completed: true });
  expect((await h.settings('red-managed'))['index.blocks.write']).toBe('true');
});
