import { createClusterClient } from '../../lambdas/shared/cluster';
import { clusterApi } from '../../lambdas/ism/cluster-deps';
import { managedStore } from '../../lambdas/ism/managed-deps';
import { startClusterProxy, type ClusterProxy } from '../support/cluster-proxy';
import { MINUTE, startIsmHarness, type IsmHarness } from '../support/ism-harness';

/**
 * The cluster going away under the runner, for real: the runner's cluster client talks to the
 * node through a loopback proxy that the test shuts (connections refused) and reopens, or that
 * answers 503/429 for some requests. The index's info says so, the runner backs off per index
 * (the workers' shared back-off, lambdas/shared/backoff.ts, in the item's due time), the policy's retries are not spent, and the work
 * resumes when the cluster answers again.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let h: IsmHarness;
let proxy: ClusterProxy;
let viaProxy: ReturnType<typeof clusterApi>;

beforeAll(async () => {
  h = await startIsmHarness();
  proxy = await startClusterProxy(process.env.OPENSEARCH_URL as string);
  const client = createClusterClient({ endpoint: proxy.url, auth: 'none' });
  viaProxy = clusterApi(() => client);
});
afterAll(async () => {
  await proxy.close();
  await h.close();
});

const oneState = (actions: Json[]) => ({
  description: 'one state',
  default_state: 'a',
  states: [{ name: 'a', actions: actions.map((a) => ({ ...a, retry: { count: 0 } })), transitions: [] }],
});

const record = async (index: string) => {
  const uuid = (await h.explain(index)).index_uuid as string;
  return (await managedStore().get(uuid))!;
};

it('connections refused: clear info, per-index exponential back-off, no retry spent, recovery', async () => {
  await h.putPolicy('cu-roll', oneState([{ rollover: { min_doc_count: 1 } }]));
  await h.cluster.request('PUT', '/cu-000001', {
    body: { settings: { 'index.number_of_replicas': 0 }, aliases: { cu: { is_write_index: true } } },
  });
  await h.add('cu-000001', 'cu-roll');
  await h.tick(viaProxy);
  expect((await h.explain('cu-000001')).step).toMatchObject({ step_status: 'condition_not_met' });

  await proxy.down();
  await h.cluster.request('POST', '/cu/_doc', { body: { n: 1 }, query: { refresh: true } });
  await h.later(2 * MINUTE, viaProxy);
  let e = await h.explain('cu-000001');
  expect(e.info).toEqual({
    message:
      'The cluster could not be reached; retrying with back-off, this is not counted as a failure of the policy [index=cu-000001]',
    cause: expect.stringMatching(/^cluster_unavailable: /),
    attempts: 1,
    next_attempt_time: expect.any(Number),
  });
  expect(e.action).toMatchObject({ name: 'rollover', failed: false, consumed_retries: 0 });
  expect(e.step).toMatchObject({ name: 'attempt_rollover', step_status: 'condition_not_met' });
  expect(e.enabled).toBe(true);
  // The shared back-off: 1-2 min after the first attempt, then 2-4 min, in the item's due time.
  let due = (await record('cu-000001')).dueAt as number;
  expect(due).toBe(e.info.next_attempt_time);
  expect(due - h.clock.now()).toBeGreaterThanOrEqual(MINUTE);
  expect(due - h.clock.now()).toBeLessThan(2 * MINUTE);

  // Not due inside the back-off; then the delay doubles.
  await h.later(30_000, viaProxy);
  expect((await h.explain('cu-000001')).info.attempts).toBe(1);
  h.clock.set(due);
  await h.tick(viaProxy);
  e = await h.explain('cu-000001');
  expect(e.info.attempts).toBe(2);
  due = (await record('cu-000001')).dueAt as number;
  expect(due - h.clock.now()).toBeGreaterThanOrEqual(2 * MINUTE);
  expect(due - h.clock.now()).toBeLessThan(4 * MINUTE);

  await proxy.up();
  h.clock.set(due);
  await h.tick(viaProxy);
  e = await h.explain('cu-000001');
  expect(e).toMatchObject({ rolled_over: true, rolled_over_index_name: 'cu-000002', policy_completed: true });
  expect(await h.exists('cu-000002')).toBe(true);
  expect((await record('cu-000001')).state.cluster_unavailable).toBeUndefined();
});

it('503 and 429 during a step: the step stays started and is resumed, not failed', async () => {
  await h.putPolicy('cu-ro', oneState([{ read_only: {} }]));
  await h.cluster.request('PUT', '/cu-ro', { body: { settings: { 'index.number_of_replicas': 0 } } });
  await h.add('cu-ro', 'cu-ro');
  await proxy.answer(503, /^PUT \/cu-ro\/_settings/);
  await h.tick(viaProxy);
  let e = await h.explain('cu-ro');
  expect(e.step).toMatchObject({ name: 'set_read_only', step_status: 'starting' });
  expect(e.action).toMatchObject({ failed: false, consumed_retries: 0 });
  expect(e.info.message).toBe(
    'The cluster answered 503; retrying with back-off, this is not counted as a failure of the policy [index=cu-ro]',
  );
  expect(e.info.cause).toMatch(/injected 503/);

  await proxy.answer(429, /^PUT \/cu-ro\/_settings/);
  await h.later(2 * MINUTE, viaProxy);
  e = await h.explain('cu-ro');
  expect(e.info).toMatchObject({
    message:
      'The cluster is overloaded (429 Too Many Requests); retrying with back-off, this is not counted as a failure of the policy [index=cu-ro]',
    attempts: 2,
  });
  expect(e.action.failed).toBe(false);

  proxy.forward();
  await h.later(4 * MINUTE, viaProxy);
  expect(await h.explain('cu-ro')).toMatchObject({ policy_completed: true });
  expect((await h.settings('cu-ro'))['index.blocks.write']).toBe('true');
});

it('a request the cluster refuses (4xx) is still the policy failure it always was', async () => {
  await h.putPolicy('cu-bad', oneState([{ rollover: { min_doc_count: 1 } }]));
  await h.cluster.request('PUT', '/cu-bad', { body: { settings: { 'index.number_of_replicas': 0 } } });
  await h.add('cu-bad', 'cu-bad');
  await h.tick(viaProxy);
  expect(await h.explain('cu-bad')).toMatchObject({
    action: { failed: true },
    info: { message: 'Missing rollover_alias index setting [index=cu-bad]' },
  });
});
