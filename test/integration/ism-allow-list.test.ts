import { managedStore } from '../../lambdas/ism/managed-deps';
import { runDue } from '../../lambdas/shared/jobs/run-due';
import { startIsmHarness, type IsmHarness } from '../support/ism-harness';

/**
 * The deployment's ISM allow list (`plugins.index_state_management.allow_list`; `ismAllowList`
 * in the CDK context, ISM_ALLOW_LIST in the functions): a policy with another action type is
 * refused with OpenSearch's plain-text 403, and an index whose stored policy reaches an action
 * taken off the list fails there, until a retry once the list allows it.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let h: IsmHarness;
beforeAll(async () => {
  process.env.ISM_ALLOW_LIST = 'rollover,delete,read_only,replica_count';
  h = await startIsmHarness();
});
afterAll(async () => {
  delete process.env.ISM_ALLOW_LIST;
  await h.close();
});

const policy = (...actions: Json[]) => ({
  policy: {
    description: 'allow list',
    default_state: 'hot',
    states: [{ name: 'hot', actions, transitions: [] }],
  },
});

describe('putting a policy', () => {
  it('refuses action types off the allow list with a plain-text 403, and stores nothing', async () => {
    const r = await h.api.request(
      'PUT',
      '/_plugins/_ism/policies/al-refused',
      policy(
        { force_merge: { max_num_segments: 1 } },
        { read_only: {} },
        { close: {} },
        { force_merge: { max_num_segments: 2 } },
      ),
    );
    expect(r.status).toBe(403);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(r.text).toBe('You have actions that are not allowed in your policy [force_merge, close]');
    expect((await h.api.request('GET', '/_plugins/_ism/policies/al-refused')).status).toBe(404);
  });

  it('checks the policy itself first: a malformed policy is a 400 whatever its actions', async () => {
    const r = await h.api.request('PUT', '/_plugins/_ism/policies/al-bad', {
      policy: {
        default_state: 'nowhere',
        states: [{ name: 'hot', actions: [{ close: {} }], transitions: [] }],
      },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.type).toBeDefined();
  });

  it('accepts a policy whose actions are all allowed', async () => {
    const r = await h.api.request('PUT', '/_plugins/_ism/policies/al-ok', policy({ read_only: {} }));
    expect(r.status).toBe(201);
  });
});

describe('running a managed index', () => {
  it('fails an action taken off the list before it starts; retry runs it once the list allows it', async () => {
    await h.cluster.request('PUT', '/al-index', {
      body: { settings: { 'index.number_of_shards': 1, 'index.number_of_replicas': 0 } },
    });
    await h.putPolicy(
      'al-two',
      policy({ replica_count: { number_of_replicas: 0 } }, { read_only: {} }).policy,
    );
    await h.add('al-index', 'al-two');

    // The deployment's list no longer has read_only (changed after the policy was stored).
    const narrowed = () => h.runner(undefined, { allowList: ['rollover', 'delete', 'replica_count'] });
    const tick = async (work = narrowed()) => {
      h.clock.advance(2 * 60_000);
      h.clock.set(Math.max(h.clock.now(), Date.now()));
      return runDue({ store: managedStore(), clock: h.clock, work, leaseMs: 6 * 60_000 });
    };
    for (let i = 0; i < 4; i++) await tick();

    const failed = await h.explain('al-index');
    // As in the plugin, nothing of read_only is recorded: the metadata still shows the last
    // action that ran, with the failure in retry_info and info.
    expect(failed.action).toMatchObject({ name: 'replica_count' });
    expect(failed.retry_info).toMatchObject({ failed: true });
    expect(failed.info).toEqual({ message: 'Attempted to execute action=read_only which is not allowed.' });
    expect(failed.enabled).toBe(false);
    // replica_count, allowed, ran; read_only never touched the index.
    expect((await h.settings('al-index'))['index.blocks.write']).toBeUndefined();

    const retry = await h.api.request('POST', '/_plugins/_ism/retry/al-index');
    expect(retry.body).toMatchObject({ updated_indices: 1, failures: false });
    for (let i = 0; i < 3; i++) await tick(h.runner());

    expect(await h.explain('al-index')).toMatchObject({ policy_completed: true });
    expect((await h.settings('al-index'))['index.blocks.write']).toBe('true');
  });
});
