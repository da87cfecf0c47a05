import { clusterClient } from '../../lambdas/shared/cluster';
import { ManualClock, systemClock, type Clock } from '../../lambdas/shared/clock';
import { OpenSearchRolloverCluster } from '../../lambdas/rollover/cluster-rollover';
import { rolloverHistory, rolloverService } from '../../lambdas/rollover/deps';
import type { RolloverHistory } from '../../lambdas/rollover/history-store';
import { RolloverService } from '../../lambdas/rollover/rollover-service';
import type { RunnerDeps } from '../../lambdas/ism/runner/run-managed-index';
import { MINUTE, startIsmHarness, type IsmHarness } from '../support/ism-harness';

/**
 * ISM's rollover and the control plane's rollover history when a run dies between the cluster's
 * rollover and its recording: the resumed run finds the rollover done on the cluster, treats it
 * as a success (no second rollover) and records it in the history once, with the cluster's time
 * and met conditions. A rollover already recorded is left as it is.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let h: IsmHarness;
beforeAll(async () => {
  h = await startIsmHarness();
  await h.putPolicy('rh-roll', {
    description: 'roll over at 2 docs',
    default_state: 'hot',
    states: [{ name: 'hot', actions: [{ rollover: { min_doc_count: 2 } }], transitions: [] }],
  });
  await h.cluster.request('PUT', '/_index_template/rh-ds', {
    body: {
      index_patterns: ['rh-ds-*'],
      data_stream: {},
      template: { settings: { number_of_shards: 1, number_of_replicas: 0 } },
    },
  });
});
afterAll(async () => h.close());

/** The rollover service with the real cluster, a chosen history and clock, and no hooks. */
const service = (history: RolloverHistory, clock: Clock = systemClock) =>
  new RolloverService(
    new OpenSearchRolloverCluster(clusterClient),
    history,
    clock,
    { error: () => undefined },
    () => [],
  );

/** A history whose writes never land: the process died right after the cluster's rollover. */
const lostWrites: RolloverHistory = {
  record: async () => Promise.reject(new Error('killed before the history write')),
  forIndex: async () => [],
  forAlias: async () => [],
};

/** ISM's rollover through `svc`, with the body given (conditions make rollover_info carry them). */
const rollingWith = (svc: RolloverService, body?: Json): Partial<RunnerDeps> => ({
  rollover: (alias) =>
    svc.rollover({ alias, source: 'ism', ...(body ? { body: JSON.stringify(body) } : {}) }),
});

const exists = async (index: string) => h.exists(index);

const indexDocs = async (target: string, n: number) => {
  for (let i = 0; i < n; i++) {
    await h.cluster.request('POST', `/${target}/_doc`, {
      body: { '@timestamp': new Date().toISOString(), n: i },
      query: { refresh: true },
    });
  }
};

/** A managed write index of `alias`, waiting for its rollover condition, that now holds. */
const aliasReadyToRoll = async (alias: string) => {
  const first = `${alias}-000001`;
  await h.cluster.request('PUT', `/${first}`, {
    body: {
      settings: { 'index.number_of_shards': 1, 'index.number_of_replicas': 0 },
      aliases: { [alias]: { is_write_index: true } },
    },
  });
  await h.add(first, 'rh-roll');
  await h.tick();
  expect((await h.explain(first)).step).toMatchObject({ step_status: 'condition_not_met' });
  await indexDocs(alias, 2);
  h.clock.advance(2 * MINUTE);
  return [first, `${alias}-000002`, `${alias}-000003`] as const;
};

/** The lease of the dead run expires; the next run resumes it; one more run changes nothing. */
const resume = async () => {
  await h.later(7 * MINUTE);
  await h.later();
};

describe('killed after the cluster rolled over, before the rollover was recorded', () => {
  it('alias: the resumed run records it once, with the cluster time and met conditions', async () => {
    const alias = 'rh-a';
    const [first, second, third] = await aliasReadyToRoll(alias);
    await h.crashOnce(
      'after',
      first,
      'attempt_rollover',
      rollingWith(service(lostWrites), { conditions: { max_docs: 1 } }),
    );
    expect(await exists(second)).toBe(true);
    expect(await rolloverHistory().forAlias(alias)).toEqual([]); // the gap
    const onCluster = await rolloverService().rolledOverOnCluster(first, alias);
    expect(onCluster).toMatchObject({ met_conditions: { max_docs: 1 } });

    await resume();
    expect(await exists(third)).toBe(false);
    expect(await h.explain(first)).toMatchObject({
      rolled_over: true,
      rolled_over_index_name: second,
      policy_completed: true,
    });
    const record = {
      alias,
      old_index: first,
      new_index: second,
      conditions: { '[max_docs: 1]': true },
      met_conditions: ['[max_docs: 1]'],
      time: onCluster?.time,
      source: 'ism',
    };
    expect(await rolloverHistory().forAlias(alias)).toEqual([record]);
    expect(await rolloverHistory().forIndex(first)).toEqual([record]);
  });

  it('data stream: the resumed run records it once, with the cluster time', async () => {
    const stream = 'rh-ds-x';
    const [first, second, third] = [1, 2, 3].map((g) => `.ds-${stream}-${String(g).padStart(6, '0')}`);
    await indexDocs(stream, 1);
    await h.add(first, 'rh-roll');
    await h.tick();
    await indexDocs(stream, 1);
    h.clock.advance(2 * MINUTE);
    await h.crashOnce('after', first, 'attempt_rollover', rollingWith(service(lostWrites)));
    expect(await exists(second)).toBe(true);
    expect(await rolloverHistory().forAlias(stream)).toEqual([]);
    const onCluster = await rolloverService().rolledOverOnCluster(first, stream);
    expect(onCluster?.time).toEqual(expect.any(Number));

    await resume();
    expect(await exists(third)).toBe(false);
    expect(await h.explain(first)).toMatchObject({ rolled_over: true, rolled_over_index_name: second });
    expect(await rolloverHistory().forAlias(stream)).toEqual([
      {
        alias: stream,
        old_index: first,
        new_index: second,
        conditions: {},
        met_conditions: [],
        time: onCluster?.time,
        source: 'ism',
      },
    ]);
  });
});

describe('killed after the rollover was recorded', () => {
  it('the resumed run finds the record and leaves it as it is', async () => {
    const alias = 'rh-b';
    const [first, second, third] = await aliasReadyToRoll(alias);
    // Recorded at a time of its own clock, so that a rewrite would show.
    const recordedAt = Date.UTC(2020, 0, 1);
    await h.crashOnce(
      'after',
      first,
      'attempt_rollover',
      rollingWith(service(rolloverHistory(), new ManualClock(recordedAt))),
    );
    const before = await rolloverHistory().forAlias(alias);
    expect(before).toEqual([
      expect.objectContaining({ old_index: first, new_index: second, time: recordedAt, source: 'ism' }),
    ]);

    await resume();
    expect(await exists(third)).toBe(false);
    expect(await h.explain(first)).toMatchObject({ rolled_over: true, rolled_over_index_name: second });
    expect(await rolloverHistory().forAlias(alias)).toEqual(before);
  });
});

describe('a rollover made directly on the cluster (not by ISM)', () => {
  it('is treated as a success, and not recorded as an ISM rollover', async () => {
    const alias = 'rh-c';
    const [first, second, third] = await aliasReadyToRoll(alias);
    await h.cluster.request('POST', `/${alias}/_rollover`);
    await h.later();
    expect(await exists(third)).toBe(false);
    expect(await h.explain(first)).toMatchObject({ rolled_over: true, rolled_over_index_name: second });
    expect(await rolloverHistory().forAlias(alias)).toEqual([]);
  });
});
