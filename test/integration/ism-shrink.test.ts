import { MINUTE, startIsmHarness, type IsmHarness } from '../support/ism-harness';

/**
 * The shrink action on the real single-node cluster, one job run per run as the plugin runs it:
 * shards required on a node and writes blocked, the wait, `_shrink`, the wait for the target,
 * then the source's settings restored and aliases switched. Failures undo the settings; a crash
 * between the `_shrink` call and the metadata save does not shrink twice.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let h: IsmHarness;
beforeAll(async () => {
  h = await startIsmHarness({ maxStepsPerRun: 1 });
});
afterAll(async () => h.close());

const shrinkPolicy = (shrink: Json, retry: Json = { count: 0 }) => ({
  description: 'shrink',
  default_state: 'shrink',
  states: [{ name: 'shrink', actions: [{ shrink, retry }], transitions: [] }],
});

const createIndex = async (name: string, shards: number, docs = 0, alias?: string) => {
  await h.cluster.request('PUT', `/${name}`, {
    body: {
      settings: { 'index.number_of_shards': shards, 'index.number_of_replicas': 0 },
      ...(alias ? { aliases: { [alias]: { is_write_index: true } } } : {}),
    },
  });
  for (let i = 0; i < docs; i++) await h.cluster.request('POST', `/${name}/_doc`, { body: { n: i } });
  await h.cluster.request('POST', `/${name}/_refresh`);
  await h.cluster.request('GET', `/_cluster/health/${name}`, { query: { wait_for_status: 'green' } });
};

const count = async (index: string) =>
  ((await h.cluster.request('GET', `/${index}/_count`)) as Json).count as number;

const ROUTING = 'index.routing.allocation.require._name';

it('a policy with two shard-count options is refused with the plugin message', async () => {
  const r = await h.api.request('PUT', '/_plugins/_ism/policies/shrink-bad', {
    policy: shrinkPolicy({ num_new_shards: 1, max_shard_size: '1gb' }),
  });
  expect(r.status).toBe(400);
  expect(r.body.error.reason).toBe(
    'Exactly one option specifying the number of shards to shrink to must be used.',
  );
});

it('shrinks 4 primaries to 2 step by step, restores the source settings and switches aliases', async () => {
  await h.putPolicy(
    'shrink-2',
    shrinkPolicy({
      num_new_shards: 2,
      force_unsafe: true,
      switch_aliases: true,
      aliases: [{ 'sh-extra': {} }],
    }),
  );
  await createIndex('sh-a', 4, 7, 'sh-alias');
  await h.add('sh-a', 'shrink-2');

  await h.tick(); // initialize: a job run of its own

  await h.later(); // attempt_move_shards_step
  let e = await h.explain('sh-a');
  const node = e.action.action_properties.shrink_action_properties.node_name as string;
  expect(e).toMatchObject({
    action: {
      name: 'shrink',
      failed: false,
      action_properties: {
        shrink_action_properties: {
          node_name: expect.any(String),
          target_index_name: 'sh-a_shrunken',
          target_num_shards: 2,
          original_index_settings: {},
        },
      },
    },
    step: { name: 'attempt_move_shards_step', step_status: 'completed' },
    info: { message: `Successfully initialized moving the shards to ${node} for a shrink action.` },
  });
  let s = await h.settings('sh-a');
  expect(s['index.blocks.write']).toBe('true');
  expect(s[ROUTING]).toBe(node);

  await h.later();
  e = await h.explain('sh-a');
  expect(e.step).toMatchObject({ name: 'wait_for_move_shards_step', step_status: 'completed' });
  expect(e.info).toEqual({ message: `The shards successfully moved to ${node}.` });

  await h.later();
  e = await h.explain('sh-a');
  expect(e.step).toMatchObject({ name: 'attempt_shrink_step', step_status: 'completed' });
  expect(e.info).toEqual({ message: 'Shrink started. sh-a_shrunken currently being populated.' });

  for (let i = 0; i < 5 && (await h.explain('sh-a')).step.name !== 'wait_for_shrink_step'; i++)
    await h.later();
  for (let i = 0; i < 5 && (await h.explain('sh-a')).step.step_status !== 'completed'; i++) await h.later();
  e = await h.explain('sh-a');
  expect(e.step).toMatchObject({ name: 'wait_for_shrink_step', step_status: 'completed' });
  expect(e.info).toEqual({ message: 'Shrink finished successfully.' });

  const target = await h.settings('sh-a_shrunken');
  expect(target['index.number_of_shards']).toBe('2');
  expect(target[ROUTING]).toBeUndefined();
  s = await h.settings('sh-a');
  expect(s['index.blocks.write']).toBeUndefined();
  expect(s[ROUTING]).toBeUndefined();
  expect(await count('sh-a_shrunken')).toBe(7);
  const aliases = (await h.cluster.request('GET', '/sh-a_shrunken/_alias')) as Json;
  expect(Object.keys(aliases['sh-a_shrunken'].aliases).sort()).toEqual(['sh-alias', 'sh-extra']);
  expect(aliases['sh-a_shrunken'].aliases['sh-alias'].is_write_index).toBe(true);
  expect(((await h.cluster.request('GET', '/sh-a/_alias')) as Json)['sh-a'].aliases).toEqual({});

  await h.later();
  expect(await h.explain('sh-a')).toMatchObject({ policy_completed: true });
});

it('fails without replicas unless force_unsafe, and leaves the index untouched', async () => {
  await h.putPolicy('shrink-safe', shrinkPolicy({ num_new_shards: 1 }));
  await createIndex('sh-b', 2);
  await h.add('sh-b', 'shrink-safe');
  await h.tick(); // initialize: a job run of its own
  await h.later();
  const e = await h.explain('sh-b');
  expect(e).toMatchObject({
    action: { name: 'shrink', failed: true },
    step: { name: 'attempt_move_shards_step', step_status: 'failed' },
    info: { message: 'Shrink failed because index has no replicas and force_unsafe is not set to true.' },
    enabled: true,
  });
  await h.later(); // the next job run disables the failed index
  expect((await h.explain('sh-b')).enabled).toBe(false);
  expect(await h.exists('sh-b_shrunken')).toBe(false);
  expect((await h.settings('sh-b'))['index.blocks.write']).toBeUndefined();
});

it('a failed _shrink call undoes the write block and the routing it set', async () => {
  // validateIndexOrAliasName lets an upper-case name through step 1; the _shrink call refuses it.
  await h.putPolicy(
    'shrink-upper',
    shrinkPolicy({
      percentage_of_source_shards: 0.5,
      force_unsafe: true,
      target_index_name_template: { source: '{{ctx.index}}_BIG' },
    }),
  );
  await createIndex('sh-c', 2);
  await h.cluster.request('PUT', '/sh-c/_settings', { body: { 'index.blocks.write': false } });
  await h.add('sh-c', 'shrink-upper');
  await h.tick(); // initialize: a job run of its own
  await h.later(); // move
  expect((await h.settings('sh-c'))['index.blocks.write']).toBe('true');
  await h.later(); // wait for move
  await h.later(); // shrink: refused
  const e = await h.explain('sh-c');
  expect(e).toMatchObject({
    action: { failed: true },
    step: { name: 'attempt_shrink_step', step_status: 'failed' },
    info: {
      message: 'Shrink failed when sending shrink request.',
      cause: expect.stringMatching(/must be lowercase/),
    },
  });
  expect(e.action.action_properties).toBeUndefined();
  const s = await h.settings('sh-c');
  expect(s['index.blocks.write']).toBe('false'); // the original value, not ours
  expect(s[ROUTING]).toBeUndefined();
});

it('a retry after a failed step starts the action again from its first step', async () => {
  await h.putPolicy(
    'shrink-retry',
    shrinkPolicy(
      { num_new_shards: 1, force_unsafe: true, target_index_name_template: { source: '{{ctx.index}}_X' } },
      { count: 1, backoff: 'constant', delay: '1m' },
    ),
  );
  await createIndex('sh-r', 2);
  await h.add('sh-r', 'shrink-retry');
  await h.tick(); // initialize: a job run of its own
  await h.later(); // move
  await h.later(); // wait for move
  await h.later(); // shrink: refused (upper case), retried later
  let e = await h.explain('sh-r');
  expect(e.step).toMatchObject({ name: 'attempt_shrink_step', step_status: 'failed' });
  expect(e.action).toMatchObject({ failed: false, consumed_retries: 1 });
  await h.later(MINUTE);
  e = await h.explain('sh-r');
  expect(e.step).toMatchObject({ name: 'attempt_move_shards_step', step_status: 'completed' });
  expect(e.action.action_properties.shrink_action_properties.target_index_name).toBe('sh-r_X');
});

it('an index with one primary, or a taken target name, are reported as the plugin does', async () => {
  await h.putPolicy('shrink-1', shrinkPolicy({ num_new_shards: 1, force_unsafe: true }));
  await createIndex('sh-d', 1);
  await h.add('sh-d', 'shrink-1');
  await h.tick(); // initialize: a job run of its own
  await h.later();
  expect(await h.explain('sh-d')).toMatchObject({
    step: { name: 'wait_for_shrink_step', step_status: 'completed' },
    info: { message: 'Source index only has one primary shard. Skip this shrink execution.' },
  });

  await createIndex('sh-e', 2);
  await createIndex('sh-e_shrunken', 1);
  await h.add('sh-e', 'shrink-1');
  await h.tick(); // initialize: a job run of its own
  await h.later();
  expect(await h.explain('sh-e')).toMatchObject({
    action: { failed: true },
    info: { message: 'Shrink failed because sh-e_shrunken already exists.' },
  });
});

describe('crash safety', () => {
  it.each([['before'], ['after']] as const)(
    'a run killed %s the _shrink call is resumed without shrinking twice',
    async (when) => {
      const index = `sh-crash-${when}`;
      await h.putPolicy(`shrink-crash-${when}`, shrinkPolicy({ num_new_shards: 1, force_unsafe: true }));
      await createIndex(index, 2, 3);
      await h.add(index, `shrink-crash-${when}`);
      await h.tick(); // initialize: a job run of its own
      await h.later(); // move
      await h.later(); // wait for move
      h.clock.advance(2 * MINUTE);
      await h.crashOnce(when, index, 'attempt_shrink_step');
      expect((await h.explain(index)).step).toMatchObject({
        name: 'attempt_shrink_step',
        step_status: 'starting',
      });
      expect(await h.exists(`${index}_shrunken`)).toBe(when === 'after');

      await h.later(7 * MINUTE); // the lease expired: resumed
      const e = await h.explain(index);
      expect(e.step).toMatchObject({ name: 'attempt_shrink_step', step_status: 'completed' });
      for (let i = 0; i < 5 && (await h.explain(index)).policy_completed !== true; i++) await h.later();
      expect(await h.explain(index)).toMatchObject({ policy_completed: true });
      expect(await count(`${index}_shrunken`)).toBe(3);
      expect((await h.settings(index))['index.blocks.write']).toBeUndefined();
    },
  );
});
