import { clusterClient } from '../../lambdas/shared/cluster';
import { documentClient } from '../../lambdas/shared/dynamo';
import { runDue } from '../../lambdas/shared/jobs/run-due';
import { ismRollupJobId, ismRollupProgress, startIsmRollup } from '../../lambdas/rollup/ism-rollup';
import { RollupService } from '../../lambdas/rollup/rollup-service';
import { rollupWork } from '../../lambdas/rollup/runner/runner';
import { MINUTE, startIsmHarness, type IsmHarness } from '../support/ism-harness';

/**
 * Crash safety of the actions that change the cluster (delete, replica_count, alias, force_merge,
 * read_only, read_write, close, open, index_priority, allocation, rollup): the runner is killed
 * right after the step's `starting` checkpoint (before the call) or right after the call (before
 * its result is saved); the lease expires and the next run finishes the job once, and explain
 * tells the truth. (rollover and snapshot: ism-managed.test.ts and ism-rollover-crash.test.ts;
 * shrink: ism-shrink.test.ts.)
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let h: IsmHarness;
/** The control plane's rollup jobs on the harness's clock (the ISM rollup action's port). */
const rollups = () => {
  const { jobs, runs } = RollupService.stores(documentClient(), h.api.tableName);
  return new RollupService(jobs, runs, h.clock);
};
beforeAll(async () => {
  h = await startIsmHarness(() => ({
    rollups: {
      id: ismRollupJobId,
      start: (index, rollup, now) => startIsmRollup(rollups(), index, rollup, now),
      progress: (id) => ismRollupProgress(rollups(), id),
    },
  }));
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

/** The index's setting as the node reports it (flat key), undefined when unset. */
const setting = async (index: string, key: string) => (await h.settings(index))[key];

const indexState = async (index: string) => {
  const rows = (await h.cluster.request('GET', `/_cat/indices/${index}`, {
    query: { format: 'json', expand_wildcards: 'all' },
  })) as Json[];
  return rows[0]?.status as string | undefined;
};

/**
 * Resumes the killed run once its lease has expired, recording every metadata it saves (what
 * explain showed at each point): the step ends `completed` exactly once, with the plugin's
 * message, and the policy completes.
 */
const resume = async (index: string, step: string, message: string) => {
  h.clock.advance(7 * MINUTE);
  const saved = await h.runRecording(index);
  const results = saved.filter((m) => m.step?.name === step && m.step.step_status !== 'starting');
  expect(results).toEqual([
    expect.objectContaining({
      step: expect.objectContaining({ step_status: 'completed' }),
      info: { message },
    }),
  ]);
  expect(saved.at(-1)).toMatchObject({ policy_completed: true });
  expect(await h.explain(index)).toMatchObject({ policy_completed: true });
};

describe.each(WHEN)('killed %s the settings call', (when) => {
  it('read_only: the write block is set once and writes are refused', async () => {
    const index = `cr-ro-${when}`;
    await setUp(index, { read_only: {} });
    await h.crashOnce(when, index, 'set_read_only');
    await expectStarted(index, 'set_read_only');
    expect(await setting(index, 'index.blocks.write')).toBe(when === 'after' ? 'true' : undefined);
    await resume(index, 'set_read_only', `Successfully set index to read-only [index=${index}]`);
    expect(await setting(index, 'index.blocks.write')).toBe('true');
    await expect(h.cluster.request('POST', `/${index}/_doc`, { body: { n: 1 } })).rejects.toThrow(/blocked/);
  });

  it('read_write: the write block is lifted once and writes go through', async () => {
    const index = `cr-rw-${when}`;
    await setUp(
      index,
      { read_write: {} },
      { settings: { 'index.number_of_replicas': 0, 'index.blocks.write': true } },
    );
    await h.crashOnce(when, index, 'set_read_write');
    await expectStarted(index, 'set_read_write');
    expect(await setting(index, 'index.blocks.write')).toBe(when === 'after' ? 'false' : 'true');
    await resume(index, 'set_read_write', `Successfully set index to read-write [index=${index}]`);
    expect(await setting(index, 'index.blocks.write')).toBe('false');
    await h.cluster.request('POST', `/${index}/_doc`, { body: { n: 1 }, query: { refresh: true } });
    expect(((await h.cluster.request('GET', `/${index}/_count`)) as Json).count).toBe(1);
  });

  it('index_priority: the priority is set once', async () => {
    const index = `cr-priority-${when}`;
    await setUp(index, { index_priority: { priority: 42 } });
    await h.crashOnce(when, index, 'attempt_set_index_priority');
    await expectStarted(index, 'attempt_set_index_priority');
    expect(await setting(index, 'index.priority')).toBe(when === 'after' ? '42' : undefined);
    await resume(
      index,
      'attempt_set_index_priority',
      `Successfully set index priority to 42 [index=${index}]`,
    );
    expect(await setting(index, 'index.priority')).toBe('42');
  });

  it('allocation: the routing settings are set once; the shard stays where it may be', async () => {
    const index = `cr-alloc-${when}`;
    await setUp(index, { allocation: { exclude: { _name: 'no-such-node' }, include: { box: 'hot,warm' } } });
    await h.crashOnce(when, index, 'attempt_allocation');
    await expectStarted(index, 'attempt_allocation');
    expect(await setting(index, 'index.routing.allocation.exclude._name')).toBe(
      when === 'after' ? 'no-such-node' : undefined,
    );
    await resume(index, 'attempt_allocation', `Successfully updated allocation setting [index=${index}]`);
    expect(await setting(index, 'index.routing.allocation.exclude._name')).toBe('no-such-node');
    expect(await setting(index, 'index.routing.allocation.include.box')).toBe('hot,warm');
  });
});

describe.each(WHEN)('killed %s the close or open call', (when) => {
  it('close: the index is closed once; closing it again is no failure', async () => {
    const index = `cr-close-${when}`;
    await setUp(index, { close: {} });
    await h.crashOnce(when, index, 'attempt_close');
    await expectStarted(index, 'attempt_close');
    expect(await indexState(index)).toBe(when === 'after' ? 'close' : 'open');
    await resume(index, 'attempt_close', `Successfully closed index [index=${index}]`);
    expect(await indexState(index)).toBe('close');
  });

  it('open: a closed index is opened once and searchable', async () => {
    const index = `cr-open-${when}`;
    await setUp(index, { open: {} });
    await h.cluster.request('POST', `/${index}/_close`);
    await h.crashOnce(when, index, 'attempt_open');
    await expectStarted(index, 'attempt_open');
    expect(await indexState(index)).toBe(when === 'after' ? 'open' : 'close');
    await resume(index, 'attempt_open', `Successfully opened index [index=${index}]`);
    expect(await indexState(index)).toBe('open');
    await h.cluster.request('GET', `/_cluster/health/${index}`, {
      query: { wait_for_status: 'green', timeout: '20s' },
    });
    expect(((await h.cluster.request('GET', `/${index}/_count`)) as Json).count).toBe(0);
  });
});

describe.each(WHEN)('killed %s the rollup job is created', (when) => {
  const ismRollup = {
    description: 'hourly {{ctx.index}}',
    target_index: 'cr-rollup-{{ctx.index}}',
    page_size: 100,
    dimensions: [
      { date_histogram: { source_field: 'at', target_field: 'at', fixed_interval: '1h', timezone: 'UTC' } },
    ],
    metrics: [{ source_field: 'n', metrics: [{ sum: {} }, { value_count: {} }] }],
  };
  /** One rollup-runner invocation at the harness's clock. */
  const rollupTick = () => {
    const service = rollups();
    return runDue({
      store: service.runs,
      clock: h.clock,
      work: rollupWork({ service, client: clusterClient }),
      budgetMs: 60_000,
      retryDelayMs: 1_000,
    });
  };

  it('one job is created and run once; the action waits for it and completes', async () => {
    const index = `cr-rollsrc-${when}`;
    const target = `cr-rollup-${index}`;
    await setUp(
      index,
      { rollup: { ism_rollup: ismRollup } },
      {
        mappings: { properties: { at: { type: 'date' }, n: { type: 'long' } } },
      },
    );
    const t0 = Date.UTC(2024, 0, 1);
    for (let i = 0; i < 6; i++) {
      await h.cluster.request('POST', `/${index}/_doc`, { body: { at: t0 + i * 20 * MINUTE, n: i } });
    }
    await h.cluster.request('POST', `/${index}/_refresh`);
    const id = ismRollupJobId(index, ismRollup);

    await h.crashOnce(when, index, 'attempt_create_rollup');
    await expectStarted(index, 'attempt_create_rollup');
    const job = await h.api.request('GET', `/_plugins/_rollup/jobs/${id}`);
    expect(job.status).toBe(when === 'after' ? 200 : 404);

    // The resumed run finds the job (or creates it) and goes on to wait for it.
    h.clock.advance(7 * MINUTE);
    const saved = await h.runRecording(index);
    const created = saved.filter(
      (m) => m.step?.name === 'attempt_create_rollup' && m.step.step_status !== 'starting',
    );
    expect(created).toEqual([
      expect.objectContaining({
        step: expect.objectContaining({ step_status: 'completed' }),
        info:
          when === 'after'
            ? { info: `Rollup job [${id}] already exists, skipping creation [index=${index}]` }
            : { message: `Successfully created the rollup job [${id}] [index=${index}]` },
      }),
    ]);
    expect(await h.explain(index)).toMatchObject({
      action: { name: 'rollup' },
      step: { name: 'wait_for_rollup_completion', step_status: 'condition_not_met' },
      info: { message: `Rollup job [${id}] is still processing [index=${index}]` },
    });

    // The rollup runner runs the job (once: it is not continuous); the action then completes.
    h.clock.advance(2 * MINUTE);
    await rollupTick();
    const progress = await ismRollupProgress(rollups(), id);
    expect(progress).toMatchObject({ status: 'finished' });
    expect(progress.metadata?.stats.documents_processed).toBe(6);
    await finish(index);
    expect(await h.explain(index)).toMatchObject({ policy_completed: true });
    await h.cluster.request('POST', `/${target}/_refresh`);
    const docs = (await h.cluster.request('GET', `/${target}/_search`, { query: { size: 10 } })) as Json;
    expect(docs.hits.hits).toHaveLength(2); // two hours, each rolled up once
    const list = await h.api.request('GET', `/_plugins/_rollup/jobs?search=${id}`);
    expect(list.body.total_rollups).toBe(1);
  });
});
