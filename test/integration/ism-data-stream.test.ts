import { rolloverHistory } from '../../lambdas/rollover/deps';
import { MINUTE, startIsmHarness, type IsmHarness } from '../support/ism-harness';

/**
 * ISM's rollover action on a backing index of a data stream (AttemptRolloverStep's data-stream
 * target): the data stream rolls over through the control plane's rollover service, with no
 * rollover alias; a backing index that is no longer the write index has already been rolled
 * over; a run killed around the cluster call resumes without a second rollover.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let h: IsmHarness;
beforeAll(async () => {
  h = await startIsmHarness();
  await h.cluster.request('PUT', '/_index_template/logs-ds', {
    body: {
      index_patterns: ['logs-ds-*'],
      data_stream: {},
      template: { settings: { number_of_shards: 1, number_of_replicas: 0 } },
    },
  });
  await h.putPolicy('ds-roll', {
    description: 'roll the data stream over at 2 docs',
    default_state: 'hot',
    states: [
      {
        name: 'hot',
        actions: [{ rollover: { min_doc_count: 2 } }],
        transitions: [{ state_name: 'warm', conditions: { min_index_age: '30d' } }],
      },
      { name: 'warm', actions: [], transitions: [] },
    ],
  });
});
afterAll(async () => h.close());

const backing = (stream: string, generation: number) =>
  `.ds-${stream}-${String(generation).padStart(6, '0')}`;

/** Indexing into a missing data stream creates it from the template. */
const indexDoc = (stream: string) =>
  h.cluster.request('POST', `/${stream}/_doc`, {
    body: { '@timestamp': new Date().toISOString(), message: 'hello' },
    query: { refresh: true },
  });

const backingIndices = async (stream: string): Promise<string[]> => {
  const ds = (await h.cluster.request('GET', `/_data_stream/${stream}`)) as Json;
  return (ds.data_streams[0].indices as Json[]).map((i) => i.index_name as string);
};

/** The metadata a run saved when attempt_rollover completed. */
const completedRollover = (saved: Json[]): Json | undefined =>
  saved.find((m) => m.step?.name === 'attempt_rollover' && m.step.step_status === 'completed');

const validate = async (index: string) => (await h.explain(index, '?validate_action=true')).validate;

describe('rollover of a data stream by ISM', () => {
  const stream = 'logs-ds-x';
  const first = backing(stream, 1);

  it('waits while the conditions do not hold; no rollover_alias is needed', async () => {
    await indexDoc(stream);
    await h.add(first, 'ds-roll');
    await h.tick();
    const e = await h.explain(first);
    expect(e).toMatchObject({
      policy_id: 'ds-roll',
      rolled_over: false,
      state: { name: 'hot' },
      action: { name: 'rollover', failed: false },
      step: { name: 'attempt_rollover', step_status: 'condition_not_met' },
      info: {
        message: `Pending rollover of index [index=${first}]`,
        conditions: { min_doc_count: { condition: 2, current: 1 } },
      },
    });
    expect(await validate(first)).toEqual({
      validation_message: `Rollover validation passed for [index=${first}]`,
      validation_status: 'passed',
    });
    expect(await backingIndices(stream)).toEqual([first]);
  });

  it('rolls the data stream over once the conditions hold', async () => {
    await indexDoc(stream);
    h.clock.advance(2 * MINUTE);
    const saved = await h.runRecording(first);
    expect(await backingIndices(stream)).toEqual([first, backing(stream, 2)]);
    // The step's result (the same run then goes on to the transition, as the plugin's next run would).
    expect(completedRollover(saved)).toMatchObject({
      rolled_over: true,
      rolled_over_index_name: backing(stream, 2),
      info: {
        message: `Successfully rolled over data stream [data_stream=${stream} index=${first}]`,
        conditions: { min_doc_count: { condition: 2, current: 2 } },
      },
    });
    expect(await h.explain(first)).toMatchObject({
      rolled_over: true,
      rolled_over_index_name: backing(stream, 2),
      state: { name: 'hot' },
      step: { name: 'attempt_transition_step', step_status: 'condition_not_met' },
    });
    // Through the control plane's rollover service: in its history like any rollover.
    expect(await rolloverHistory().forAlias(stream)).toEqual([
      expect.objectContaining({ old_index: first, new_index: backing(stream, 2), source: 'ism' }),
    ]);
    // Later runs go on to the transition and never roll over again.
    await h.later();
    await h.later();
    expect(await backingIndices(stream)).toHaveLength(2);
    expect(await h.explain(first)).toMatchObject({ rolled_over: true, state: { name: 'hot' } });
  });
});

describe('a backing index that is no longer the write index', () => {
  it("gets the plugin's already-rolled-over outcome, without a second rollover", async () => {
    const stream = 'logs-ds-old';
    const first = backing(stream, 1);
    await indexDoc(stream);
    await indexDoc(stream);
    await h.cluster.request('POST', `/${stream}/_rollover`);
    await h.add(first, 'ds-roll');
    expect(await h.explain(first)).toMatchObject({ policy_id: 'ds-roll' });
    const saved = await h.runRecording(first);
    expect(completedRollover(saved)).toMatchObject({
      rolled_over: true,
      rolled_over_index_name: backing(stream, 2),
      info: {
        message: `This index has already been rolled over using this alias, treating as a success [index=${first}, alias=${stream}]`,
      },
    });
    expect(await h.explain(first)).toMatchObject({
      rolled_over: true,
      rolled_over_index_name: backing(stream, 2),
    });
    expect(await backingIndices(stream)).toEqual([first, backing(stream, 2)]);
  });

  it('validate_action tells the same', async () => {
    const stream = 'logs-ds-val';
    const first = backing(stream, 1);
    await indexDoc(stream);
    await h.add(first, 'ds-roll');
    await h.crashOnce('before', first, 'attempt_rollover'); // parked on the action, not run
    await h.cluster.request('POST', `/${stream}/_rollover`);
    expect(await validate(first)).toEqual({
      validation_message: `This index has already been rolled over using this alias, treating as a success [index=${first}, alias=${stream}]`,
      validation_status: 'passed',
    });
  });
});

describe.each([['before'], ['after']] as const)('killed %s the rollover call', (when) => {
  it('the data stream is rolled over exactly once and explain tells it', async () => {
    const stream = `logs-ds-crash-${when}`;
    const first = backing(stream, 1);
    await indexDoc(stream);
    await h.add(first, 'ds-roll');
    await h.tick();
    await indexDoc(stream);
    h.clock.advance(2 * MINUTE);
    await h.crashOnce(when, first, 'attempt_rollover');
    expect((await h.explain(first)).step).toMatchObject({
      name: 'attempt_rollover',
      step_status: 'starting',
    });
    expect(await backingIndices(stream)).toHaveLength(when === 'after' ? 2 : 1);

    await h.later(7 * MINUTE); // past the dead run's lease
    await h.later();
    expect(await backingIndices(stream)).toEqual([first, backing(stream, 2)]);
    expect(await h.explain(first)).toMatchObject({
      rolled_over: true,
      rolled_over_index_name: backing(stream, 2),
    });
    expect(await rolloverHistory().forAlias(stream)).toHaveLength(1);
  });
});
