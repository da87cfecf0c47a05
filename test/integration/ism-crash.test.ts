import { MINUTE, startIsmHarness, type IsmHarness } from '../support/ism-harness';

/**
 * Crash safety of the actions that change the cluster in one call (delete, replica_count, alias,
 * force_merge): the runner is killed right after the step's `starting` checkpoint (before the
 * call) or right after the call (before its result is saved); the lease expires and the next run
 * finishes the job once, and explain tells the truth. (rollover and snapshot: ism-managed.test.ts;
 * shrink: ism-shrink.test.ts.)
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let h: IsmHarness;
beforeAll(async () => {
  h = await startIsmHarness();
});
afterAll(async () => h.close());

const WHEN = [['before'], ['after']] as const;

const setUp = async (index: string, action: Json, body: Json = {}) => {
  await h.putPolicy(`p-${index}`, {
    description: 'one action',
    default_state: 'a',
    states: [{ name: 'a', actions: [action], transitions: [] }],
  });
  await h.cluster.request('PUT', `/${index}`, {
    body: { settings: { 'index.number_of_shards': 1, 'index.number_of_replicas': 0 }, ...body },
  });
  await h.add(index, `p-${index}`);
};

/**
 * Runs until the policy completes (or the index is gone). A step that waits for the cluster
 * (a force merge) needs real time too: up to about 20 s of it, on a loaded machine.
 */
const finish = async (index: string) => {
  await h.later(7 * MINUTE); // past the dead run's lease
  for (
    let i = 0;
    i < 40 && (await h.exists(index)) && (await h.explain(index)).policy_completed !== true;
    i++
  ) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 500));
    await h.later();
  }
};

const expectStarted = async (index: string, step: string) =>
  expect((await h.explain(index)).step).toMatchObject({ name: step, step_status: 'starting' });

describe.each(WHEN)('killed %s the cluster call', (when) => {
  it('delete: the index is deleted once; a new index of the same name is left alone', async () => {
    const index = `cr-delete-${when}`;
    await setUp(index, { delete: {} });
    await h.crashOnce(when, index, 'attempt_delete');
    expect(await h.exists(index)).toBe(when === 'before');
    if (when === 'before') await expectStarted(index, 'attempt_delete');
    else {
      // Re-created under the same name before the next run: a different index (another UUID).
      await h.cluster.request('PUT', `/${index}`, { body: { settings: { 'index.number_of_replicas': 0 } } });
    }
    await finish(index);
    expect(await h.exists(index)).toBe(when === 'after');
    const all = await h.api.request('GET', `/_plugins/_ism/explain?queryString=${index}`);
    expect(all.body).toEqual({ total_managed_indices: 0 });
  });

  it('replica_count: set once, the policy completes', async () => {
    const index = `cr-replicas-${when}`;
    await setUp(index, { replica_count: { number_of_replicas: 2 } });
    await h.crashOnce(when, index, 'attempt_set_replica_count');
    await expectStarted(index, 'attempt_set_replica_count');
    expect((await h.settings(index))['index.number_of_replicas']).toBe(when === 'after' ? '2' : '0');
    await finish(index);
    expect(await h.explain(index)).toMatchObject({ policy_completed: true });
    expect((await h.settings(index))['index.number_of_replicas']).toBe('2');
  });

  it('alias: a remove (must_exist) and an add applied before a crash are not repeated into a failure', async () => {
    const index = `cr-alias-${when}`;
    await setUp(
      index,
      {
        alias: {
          actions: [
            { remove: { alias: `${index}-old`, must_exist: true } },
            { add: { alias: `${index}-new` } },
          ],
        },
      },
      { aliases: { [`${index}-old`]: {} } },
    );
    await h.crashOnce(when, index, 'attempt_alias');
    await expectStarted(index, 'attempt_alias');
    await finish(index);
    expect(await h.explain(index)).toMatchObject({ policy_completed: true });
    const aliases = (await h.cluster.request('GET', `/${index}/_alias`)) as Json;
    expect(Object.keys(aliases[index].aliases)).toEqual([`${index}-new`]);
  });

  it('force_merge: the merge is started (again only if still needed) and awaited', async () => {
    const index = `cr-merge-${when}`;
    await setUp(index, { force_merge: { max_num_segments: 1 } });
    for (let i = 0; i < 3; i++) {
      await h.cluster.request('POST', `/${index}/_doc`, { body: { n: i }, query: { refresh: true } });
    }
    await h.crashOnce(when, index, 'attempt_call_force_merge');
    await expectStarted(index, 'attempt_call_force_merge');
    await finish(index);
    const e = await h.explain(index);
    expect(e).toMatchObject({ policy_completed: true });
    const segments = (await h.cluster.request('GET', `/${index}/_segments`)) as Json;
    const shard = segments.indices[index].shards['0'][0];
    expect(Object.keys(shard.segments)).toHaveLength(1);
  });
});
