import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateStreamCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { findWorker } from '../../infra/workers';
import { IngestionClusterAdapter } from '../../lambdas/ingestion/cluster-adapter';
import { ingestionHandover, ingestionService, shardStore } from '../../lambdas/ingestion/deps';
import { IngestionHandover } from '../../lambdas/ingestion/handover';
import { DynamoHandoverMarkers } from '../../lambdas/ingestion/handover-markers';
import {
  CHECKPOINT_EVERY_MS,
  HANDED_OVER_RECHECK_MS,
  type PollerOptions,
} from '../../lambdas/ingestion/poller';
import { shardPrefix } from '../../lambdas/ingestion/model';
import { createConsumer } from '../../lambdas/ingestion/sources';
import { clusterApi } from '../../lambdas/ism/cluster-deps';
import { policyStore, managedStore } from '../../lambdas/ism/managed-deps';
import { ismWork } from '../../lambdas/ism/runner/run-managed-index';
import { OpenSearchRolloverCluster } from '../../lambdas/rollover/cluster-rollover';
import { rolloverHistory, rolloverService } from '../../lambdas/rollover/deps';
import { rolloverHooks } from '../../lambdas/rollover/hooks';
import type { RolloverHistory } from '../../lambdas/rollover/history-store';
import { RolloverService } from '../../lambdas/rollover/rollover-service';
import { clusterClient } from '../../lambdas/shared/cluster';
import { ManualClock, systemClock } from '../../lambdas/shared/clock';
import { documentClient } from '../../lambdas/shared/dynamo';
import { runDue, type RunSummary } from '../../lambdas/shared/jobs/run-due';
import { runWorker, scheduledEvent } from '../../local/scheduler';
import { startTestApi, type TestApi } from '../support/api';
import { validateResponse } from '../support/spec';
import { pollOnce } from '../support/ingestion-harness';

/**
 * Rollover of an ingesting index (through our rollover API and through ISM): the new index
 * takes the stream over where the old one stopped. Messages keep coming and the poller keeps
 * running while the rollover happens; afterwards the two indices together hold every message
 * exactly once (compared by id), the old index gets nothing after the handover, and the state
 * API of both tells what happened. Also: a crash between the cluster's rollover and the end of
 * the handover, a run that died mid-batch just before a rollover, and refused requests.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
jest.setTimeout(120_000);

let api: TestApi;
let dir: string;
let kinesis: KinesisClient;
beforeAll(async () => {
  api = await startTestApi();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingestion-rollover-'));
  kinesis = new KinesisClient({
    endpoint: process.env.KINESIS_ENDPOINT,
    region: 'us-east-1',
    requestHandler: new NodeHttpHandler(),
  });
  // New indices of these families get two shards, as an index template gives them in practice.
  const client = await clusterClient();
  await client.transport.request({
    method: 'PUT',
    path: '/_index_template/ingesting-families',
    body: {
      index_patterns: ['rf-*', 'rk-*', 'rc-*', 'rd-*', 'rx-*'],
      template: { settings: { number_of_shards: 2, number_of_replicas: 0 } },
    },
  });
});
afterAll(async () => {
  kinesis.destroy();
  await api.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const doc = (id: string): Json => ({ _id: id, _source: { name: id } });
const ids = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `${prefix}${String(from + i).padStart(4, '0')}`);

/** Every document id in the index, repeated as often as it is there (sorted). */
const idsIn = async (index: string): Promise<string[]> => {
  const client = await clusterClient();
  await client.indices.refresh({ index });
  const res = await client.search({ index, body: { size: 10_000, _source: false } });
  return (res.body.hits.hits as { _id: string }[]).map((h) => h._id).sort();
};

const state = async (index: string): Promise<Json[]> => {
  const res = await api.request<Json>('GET', `/${index}/ingestion/_state`);
  expect(res.status).toBe(200);
  expect(validateResponse('ingestion', 'GET', '/{index}/ingestion/_state', 200, res.body)).toEqual([]);
  return res.body.ingestion_state[index] as Json[];
};

/** One poller run, as the worker does it (handover checks included), with test hooks. */
const poll = (overrides: Partial<PollerOptions> = {}): Promise<RunSummary> => pollOnce(overrides);

/** The worker exactly as EventBridge runs it (pending handovers resolved first). */
const tick = async (): Promise<RunSummary> =>
  (await runWorker(findWorker('ingestion')!, scheduledEvent(findWorker('ingestion')!))) as RunSummary;

/** Runs the poller over and over until `stop` resolves (the poller working during a rollover). */
const pollingUntil = async (stop: Promise<unknown>): Promise<void> => {
  let done = false;
  const finished = (): void => {
    done = true;
  };
  stop.then(finished, finished);
  while (!done) await poll();
};

const fileSource = (stream: string, extra: Json = {}): Json => ({
  type: 'file',
  'pointer.init.reset': 'earliest',
  'poll.max_batch_size': 7,
  param: { stream, base_directory: dir },
  ...extra,
});

const append = (stream: string, shard: number, messages: Json[]): void => {
  fs.mkdirSync(path.join(dir, stream), { recursive: true });
  fs.appendFileSync(
    path.join(dir, stream, `${shard}.ndjson`),
    messages.map((m) => JSON.stringify(m)).join('\n') + '\n',
  );
};

const createIngesting = async (index: string, alias: string, source: Json): Promise<void> => {
  const res = await api.request('PUT', `/${index}`, {
    settings: { ingestion_source: source, index: { number_of_shards: 2, number_of_replicas: 0 } },
    aliases: { [alias]: { is_write_index: true } },
  });
  expect(res.status).toBe(200);
};

/** The two indices together hold `expected`, each id once; returns the old index's ids. */
const expectExactlyOnce = async (oldIndex: string, newIndex: string, expected: string[]) => {
  const before = await idsIn(oldIndex);
  const after = await idsIn(newIndex);
  expect([...before, ...after].sort()).toEqual([...expected].sort());
  return { before, after };
};

describe('rollover through the API', () => {
  test('messages keep coming while the poller runs and the alias rolls over: each lands once, the new index continues', async () => {
    await createIngesting('rf-000001', 'rf', fileSource('rf'));
    let n = 0;
    const write = (count: number): void => {
      for (let i = 0; i < count; i++, n++) append('rf', n % 2, [doc(`m${String(n).padStart(4, '0')}`)]);
    };
    write(60);
    await poll();

    // The rollover happens while the poller is busy with a backlog.
    write(80);
    const rollover = api.request<Json>('POST', '/rf/_rollover');
    await pollingUntil(rollover);
    const res = await rollover;
    // (the last poller run of the loop may have read on into the new index already)
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ old_index: 'rf-000001', new_index: 'rf-000002', rolled_over: true });

    // Right after the rollover answered, the old index is final.
    const oldAtHandover = await idsIn('rf-000001');
    const oldShards = await state('rf-000001');
    expect(oldShards).toEqual(
      [0, 1].map((shard) =>
        expect.objectContaining({
          shard,
          poller_state: 'PAUSED',
          poller_paused: true,
          handed_over_to: 'rf-000002',
          handover_complete: true,
        }),
      ),
    );
    const newShards = await state('rf-000002');
    expect(newShards.map((s) => [s.shard, s.taken_over_from])).toEqual([
      [0, 'rf-000001'],
      [1, 'rf-000001'],
    ]);

    write(60);
    await tick();
    await tick();
    const { before, after } = await expectExactlyOnce('rf-000001', 'rf-000002', ids('m', 0, 200));
    expect(before).toEqual(oldAtHandover);
    expect(after.length).toBeGreaterThanOrEqual(60);
    expect(await state('rf-000002')).toEqual(
      [0, 1].map((shard) =>
        expect.objectContaining({
          shard,
          poller_state: 'POLLING',
          poller_paused: false,
          taken_over_from: 'rf-000001',
        }),
      ),
    );

    // Resuming the old index would index its stream twice: refused per shard.
    const resume = await api.request<Json>('POST', '/rf-000001/ingestion/_resume');
    expect(resume.body).toMatchObject({ acknowledged: true, shards_acknowledged: false });
    expect(resume.body.failures['rf-000001'][0].error).toContain('resume [rf-000002] instead');

    // A second rollover hands over again, from the second index to the third.
    write(10);
    const again = await api.request<Json>('POST', '/rf/_rollover');
    expect(again.body).toMatchObject({ new_index: 'rf-000003', rolled_over: true });
    write(10);
    await tick();
    const third = await idsIn('rf-000003');
    expect([...(await idsIn('rf-000001')), ...(await idsIn('rf-000002')), ...third].sort()).toEqual(
      ids('m', 0, 220),
    );
    expect(third.length).toBeGreaterThanOrEqual(10);
  });

  test('a new index with fewer shards (no template) takes over the shards it has; the old index keeps the rest', async () => {
    // `rs-*` has no template: the cluster's default of one shard.
    await createIngesting('rs-000001', 'rs', fileSource('rs'));
    append('rs', 0, ids('s', 0, 5).map(doc));
    append('rs', 1, ids('s', 100, 105).map(doc));
    await poll();
    const res = await api.request<Json>('POST', '/rs/_rollover');
    expect(res.body).toMatchObject({ new_index: 'rs-000002', rolled_over: true });
    append('rs', 0, ids('s', 5, 10).map(doc));
    append('rs', 1, ids('s', 105, 110).map(doc));
    await tick();
    expect(await idsIn('rs-000002')).toEqual(ids('s', 5, 10));
    expect(await idsIn('rs-000001')).toEqual([...ids('s', 0, 5), ...ids('s', 100, 110)]);
    expect((await state('rs-000001')).map((s) => [s.poller_state, s.handed_over_to ?? null])).toEqual([
      ['PAUSED', 'rs-000002'],
      ['POLLING', null],
    ]);
    expect((await state('rs-000002')).map((s) => [s.shard, s.taken_over_from])).toEqual([[0, 'rs-000001']]);
  });

  test('conditions not met: nothing rolls over and the index goes on ingesting', async () => {
    await createIngesting('rx-000001', 'rx', fileSource('rx'));
    append('rx', 0, ids('x', 0, 5).map(doc));
    await poll();
    const res = await api.request<Json>('POST', '/rx/_rollover', { conditions: { max_docs: 1000 } });
    expect(res.body).toMatchObject({ rolled_over: false });
    append('rx', 0, ids('x', 5, 10).map(doc));
    await poll();
    expect(await idsIn('rx-000001')).toEqual(ids('x', 0, 10));
    expect((await state('rx-000001'))[0]).toMatchObject({ poller_state: 'POLLING', poller_paused: false });
    expect((await state('rx-000001'))[0].handed_over_to).toBeUndefined();
  });

  test.each([
    [{ settings: { index: { ingestion_source: { type: 'file' } } } }, 'remove [index.ingestion_source.*]'],
    [{ settings: { number_of_shards: 1 } }, 'needs at least [2] shards'],
  ])('a rollover request %j is refused with a 400 and the index goes on ingesting', async (body, reason) => {
    const index = 'rx-000001';
    const res = await api.request<Json>('POST', '/rx/_rollover', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'illegal_argument_exception' });
    expect(res.body.error.reason).toContain(reason);
    expect((await api.request('GET', '/rx-000002')).status).toBe(404);
    expect((await state(index)).map((s) => s.poller_paused)).toEqual([false, false]);
  });
});

describe('after the handover', () => {
  test('the old index keeps its handed-over shards for the state API; once it is deleted they go at the next hourly look', async () => {
    await createIngesting('rf-000301', 'rf3', fileSource('rf3'));
    append('rf3', 0, ids('h', 0, 4).map(doc));
    await poll();
    const res = await api.request<Json>('POST', '/rf3/_rollover');
    expect(res.body).toMatchObject({ new_index: 'rf-000302', rolled_over: true });
    await poll();
    expect((await state('rf-000301')).map((s) => [s.handed_over_to, s.handover_complete])).toEqual([
      ['rf-000302', true],
      ['rf-000302', true],
    ]);

    const client = await clusterClient();
    await client.indices.delete({ index: 'rf-000301' });
    await poll();
    expect(await shardStore().list(shardPrefix('rf-000301'))).toHaveLength(2); // not due yet
    append('rf3', 1, ids('h', 4, 6).map(doc));
    const nextLook = new ManualClock(Date.now() + HANDED_OVER_RECHECK_MS + 1_000);
    await pollOnce({}, { clock: nextLook });
    expect(await shardStore().list(shardPrefix('rf-000301'))).toEqual([]);
    // The new index ingests on.
    expect(await idsIn('rf-000302')).toEqual(ids('h', 4, 6));
  });
});

describe('crash safety', () => {
  /** The rollover service with the real handover hook, whose completion never runs (the caller died). */
  const dyingService = (history: RolloverHistory = rolloverHistory()) => {
    const real = rolloverHooks().find((h) => h.name === 'ingestion-handover')!;
    return new RolloverService(
      new OpenSearchRolloverCluster(clusterClient),
      history,
      systemClock,
      { error: () => undefined },
      () => [{ name: real.name, beforeRollover: real.beforeRollover }],
    );
  };

  test.each([
    ['after the rollover was recorded', 'rc', (): RolloverHistory => rolloverHistory()],
    [
      'before the rollover was recorded (the cluster rollover_info tells)',
      'rd',
      (): RolloverHistory => ({
        record: async () => Promise.reject(new Error('died')),
        forIndex: async () => [],
        forAlias: async () => [],
      }),
    ],
  ])(
    'dying %s between the cluster rollover and the handover: the next poller run completes it',
    async (_l, family, history) => {
      const [oldIndex, newIndex] = [`${family}-000001`, `${family}-000002`];
      await createIngesting(oldIndex, family, fileSource(family));
      append(family, 0, ids('c', 0, 30).map(doc));
      append(family, 1, ids('c', 30, 40).map(doc));
      await poll();
      append(family, 0, ids('c', 40, 50).map(doc));

      const response = await dyingService(history()).rollover({
        alias: family,
        source: 'api',
      });
      expect(response).toMatchObject({ old_index: oldIndex, new_index: newIndex, rolled_over: true });
      // The old index stopped; the new one is not registered yet, and the state says so.
      expect(
        (await state(oldIndex)).map((s) => [s.poller_paused, s.handed_over_to, s.handover_complete]),
      ).toEqual([
        [true, newIndex, false],
        [true, newIndex, false],
      ]);
      expect((await api.request<Json>('GET', `/${newIndex}/ingestion/_state`)).body._shards.failed).toBe(2);
      append(family, 1, ids('c', 50, 60).map(doc));
      await poll(); // the ordinary poller run leaves the old index alone
      const oldAtHandover = await idsIn(oldIndex);
      expect(oldAtHandover).toEqual(ids('c', 0, 40));

      await tick(); // resolves the pending handover, then polls the new index
      expect((await state(oldIndex)).map((s) => s.handover_complete)).toEqual([true, true]);
      expect((await state(newIndex)).map((s) => s.taken_over_from)).toEqual([oldIndex, oldIndex]);
      await tick();
      const { before } = await expectExactlyOnce(oldIndex, newIndex, ids('c', 0, 60));
      expect(before).toEqual(oldAtHandover);

      // A late, repeated completion (the dead caller's hook, run again) changes nothing.
      await ingestionHandover().finish(family, oldIndex, { rolledOver: true, newIndex });
      append(family, 0, ids('c', 60, 65).map(doc));
      await tick();
      await expectExactlyOnce(oldIndex, newIndex, ids('c', 0, 65));
    },
  );

  test('a handover whose rollover never happened is undone after the grace period', async () => {
    await createIngesting('rx-000101', 'rx1', fileSource('rx1'));
    append('rx1', 0, ids('u', 0, 5).map(doc));
    await poll();
    // The caller began two minutes ago (the clock also schedules the shards: it ends at now).
    const clock = new ManualClock(Date.now() - 120_000);
    const handover = new IngestionHandover({
      store: shardStore(),
      markers: new DynamoHandoverMarkers(documentClient(), api.tableName),
      cluster: new IngestionClusterAdapter(clusterClient),
      recordedNewIndex: async () => undefined,
      poller: {
        cluster: new IngestionClusterAdapter(clusterClient),
        consumer: (s) => createConsumer(s.source, s.shard),
      },
      clock,
      graceMs: 60_000,
    });
    // The caller stopped the shards, then died before asking the cluster.
    await handover.prepare('rx1', 'rx-000101', 'rx-000102', undefined);
    expect((await state('rx-000101'))[0]).toMatchObject({ poller_paused: true, handover_complete: false });
    expect(await handover.resolvePending()).toEqual({ completed: [], undone: [] });
    clock.set(Date.now());
    expect(await handover.resolvePending()).toEqual({ completed: [], undone: ['rx-000101'] });
    append('rx1', 0, ids('u', 5, 9).map(doc));
    await poll();
    expect(await idsIn('rx-000101')).toEqual(ids('u', 0, 9));
    expect((await state('rx-000101'))[0]).toMatchObject({ poller_state: 'POLLING', poller_paused: false });
  });

  test('a poller run that died after its bulk, before its checkpoint: the handover reads on before stopping', async () => {
    await createIngesting('rf-000101', 'rf1', fileSource('rf1', { 'poll.max_batch_size': 5 }));
    append('rf1', 0, ids('k', 0, 12).map(doc));
    // A run takes the lease, indexes the first batch of shard 0 and dies before its checkpoint:
    // the lease expires with nobody to save anything.
    const store = shardStore();
    const [record] = await store.list('rf-000101#0');
    expect(await store.lease(record.id, 'dead-run', Date.now(), 1)).toBeDefined();
    const client = await clusterClient();
    await client.bulk({
      body: ids('k', 0, 5).flatMap((id) => [
        { index: { _index: 'rf-000101', _id: id, routing: record.state.routing } },
        { name: id },
      ]),
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(await idsIn('rf-000101')).toEqual(ids('k', 0, 5));
    expect((await state('rf-000101'))[0].batch_start_pointer).toBeUndefined();

    const res = await api.request<Json>('POST', '/rf1/_rollover');
    expect(res.body).toMatchObject({ new_index: 'rf-000102', rolled_over: true });
    append('rf1', 0, ids('k', 12, 20).map(doc));
    await tick();
    await expectExactlyOnce('rf-000101', 'rf-000102', ids('k', 0, 20));
    expect(await idsIn('rf-000101')).toEqual(ids('k', 0, 12));
  });
});

describe('refused rollover', () => {
  test('refused while a poller is mid-batch: the poller that saw the handover lets go, and every shard goes on ingesting', async () => {
    await createIngesting('rx-000201', 'rx2', fileSource('rx2', { 'poll.max_batch_size': 5 }));
    append('rx2', 0, ids('w', 0, 12).map(doc));
    const markers = new DynamoHandoverMarkers(documentClient(), api.tableName);
    const handover = new IngestionHandover({
      store: shardStore(),
      markers,
      cluster: new IngestionClusterAdapter(clusterClient),
      recordedNewIndex: async () => undefined,
      poller: {
        cluster: new IngestionClusterAdapter(clusterClient),
        consumer: (s) => createConsumer(s.source, s.shard),
      },
      clock: systemClock,
      waitMs: 3_000,
    });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // Shard 0's poller is held after its first bulk until the handover has begun; it then sees
    // the handover, but stops its shard for it only once the refusal took the marker away.
    let bulks = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    // The poller looks for a handover before every batch here (a checkpoint interval of 0), so
    // that it sees this one in the middle of its run.
    const polling = poll({
      checkpointEveryMs: 0,
      afterBulk: async () => {
        if (bulks++ === 0) await held;
      },
      handoverTarget: async (index) => {
        const to = await handover.target(index);
        if (to) while (await markers.get(index)) await sleep(50);
        return to;
      },
    });
    while (bulks === 0) await sleep(20);
    const preparing = handover.prepare('rx2', 'rx-000201', 'rx-000202', undefined).then(
      () => undefined,
      (e: unknown) => e,
    );
    while (!(await markers.get('rx-000201'))) await sleep(20);
    release();
    const refusal = await preparing;
    expect(refusal).toMatchObject({ status: 429, type: 'rejected_execution_exception' });
    // What the rollover service does when a hook refuses: nothing rolled over.
    await handover.finish('rx2', 'rx-000201', { rolledOver: false, error: refusal });
    await polling;

    expect(await markers.get('rx-000201')).toBeUndefined();
    expect((await state('rx-000201')).map((s) => [s.poller_state, s.handed_over_to])).toEqual([
      ['POLLING', undefined],
      ['POLLING', undefined],
    ]);
    append('rx2', 0, ids('w', 12, 15).map(doc));
    append('rx2', 1, ids('w', 15, 18).map(doc));
    await poll();
    await poll();
    expect(await idsIn('rx-000201')).toEqual(ids('w', 0, 18));
  });
});

describe('pause and rollover', () => {
  // With checkpoints after every batch, the pause stops the poller behind the batch it landed
  // in; with the worker's interval, behind what the poller read before its next checkpoint
  // (here the whole stream). Either way the new index starts exactly there.
  test.each([
    { every: 0, index: 1, stopsAt: 5 },
    { every: CHECKPOINT_EVERY_MS, index: 2, stopsAt: 12 },
  ])(
    'paused in the middle of a batch, then rolled over at once: the new index starts behind what the old one holds, still paused (checkpoint interval $every ms)',
    async ({ every, index, stopsAt }) => {
      const [alias, old, next] = [`rp${index}`, `rp${index}-000001`, `rp${index}-000002`];
      await createIngesting(old, alias, fileSource(alias, { 'poll.max_batch_size': 5 }));
      append(alias, 0, ids('p', 0, 12).map(doc));
      let paused = false;
      // The poller's clock stands still, so the interval (if any) never ends within its run.
      await pollOnce(
        {
          checkpointEveryMs: every,
          afterBulk: async () => {
            // The pause lands between the poller's bulk and its checkpoint.
            if (!paused) await api.request('POST', `/${old}/ingestion/_pause`);
            paused = true;
          },
          keepAcknowledged: (held, acknowledged) => ingestionService().keepAcknowledged(held, acknowledged),
        },
        { clock: new ManualClock(Date.now()) },
      );
      expect(await idsIn(old)).toEqual(ids('p', 0, stopsAt));
      expect((await state(old))[0]).toMatchObject({
        poller_paused: true,
        batch_start_pointer: `FileOffset{line=${stopsAt}}`,
      });
      append(alias, 0, ids('p', 12, 15).map(doc));

      const res = await api.request<Json>('POST', `/${alias}/_rollover`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ new_index: next, rolled_over: true });
      expect((await state(next))[0]).toMatchObject({
        poller_state: 'PAUSED',
        poller_paused: true,
        batch_start_pointer: `FileOffset{line=${stopsAt}}`,
      });
      await tick();
      expect(await idsIn(next)).toEqual([]);
      await api.request('POST', `/${next}/ingestion/_resume`);
      await tick();
      await expectExactlyOnce(old, next, ids('p', 0, 15));
      expect(await idsIn(old)).toEqual(ids('p', 0, stopsAt));
    },
  );
});

describe('Kinesis, rolled over by ISM', () => {
  const createStream = async (name: string, shards: number): Promise<string[]> => {
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30, minDelay: 1 }, { StreamName: name });
    const out = await kinesis.send(new ListShardsCommand({ StreamName: name }));
    return (out.Shards ?? [])
      .sort((a, b) => String(a.ShardId).localeCompare(String(b.ShardId)))
      .map((s) => s.HashKeyRange?.StartingHashKey as string);
  };

  test('a producer writes without pause while ISM rolls the alias over: every record lands once', async () => {
    const keys = await createStream('rk-stream', 2);
    await createIngesting('rk-000001', 'rk', {
      type: 'kinesis',
      'pointer.init.reset': 'earliest',
      'poll.max_batch_size': 25,
      param: { stream: 'rk-stream', region: 'us-east-1', endpoint_override: process.env.KINESIS_ENDPOINT },
    });
    const policy = await api.request('PUT', '/_plugins/_ism/policies/rk-roll', {
      policy: {
        description: 'roll over the ingesting index',
        default_state: 'hot',
        states: [{ name: 'hot', actions: [{ rollover: { min_doc_count: 100 } }], transitions: [] }],
      },
    });
    expect(policy.status).toBe(201);
    expect((await api.request('POST', '/_plugins/_ism/add/rk-000001', { policy_id: 'rk-roll' })).status).toBe(
      200,
    );

    // The producer: batches of 10 records, alternating shards, until told to stop.
    let sent = 0;
    let producing = true;
    const producer = (async () => {
      while (producing) {
        const batch = ids('r', sent, sent + 10);
        await kinesis.send(
          new PutRecordsCommand({
            StreamName: 'rk-stream',
            Records: batch.map((id, i) => ({
              Data: Buffer.from(JSON.stringify(doc(id))),
              PartitionKey: 'p',
              ExplicitHashKey: keys[(sent + i) % 2],
            })),
          }),
        );
        sent += batch.length;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    // The caller began two minutes ago (the clock also schedules the shards: it ends at now).
    const clock = new ManualClock(Date.now() - 120_000);
    const ism = () =>
      runDue({
        store: managedStore(),
        clock,
        leaseMs: 6 * 60_000,
        work: ismWork({
          cluster: clusterApi(),
          policies: policyStore(),
          jobIntervalMs: 60_000,
          jitter: 0,
          rollover: (alias) => rolloverService().rollover({ alias, source: 'ism' }),
        }),
      });
    // ISM's own ticks, with the poller running all along, until the rollover happened.
    let rolled = false;
    for (let i = 0; i < 30 && !rolled; i++) {
      clock.set(Math.max(clock.now() + 2 * 60_000, Date.now()));
      await Promise.all([ism(), poll()]);
      const explain = await api.request<Json>('GET', '/_plugins/_ism/explain/rk-000001');
      rolled = explain.body['rk-000001']?.rolled_over === true;
      if (!rolled) await poll();
    }
    expect(rolled).toBe(true);
    const oldAtHandover = await idsIn('rk-000001');
    expect(oldAtHandover.length).toBeGreaterThanOrEqual(100);

    await Promise.all([poll(), poll()]);
    producing = false;
    await producer;
    await tick();
    await tick();
    const { before, after } = await expectExactlyOnce('rk-000001', 'rk-000002', ids('r', 0, sent));
    expect(before).toEqual(oldAtHandover);
    expect(after.length).toBeGreaterThan(0);
    expect((await state('rk-000001')).map((s) => [s.handed_over_to, s.handover_complete])).toEqual([
      ['rk-000002', true],
      ['rk-000002', true],
    ]);
    const next = await state('rk-000002');
    expect(next.map((s) => [s.poller_state, s.taken_over_from])).toEqual([
      ['POLLING', 'rk-000001'],
      ['POLLING', 'rk-000001'],
    ]);
    for (const s of next) expect(s.batch_start_pointer).toMatch(/^SequenceNumber\{sequenceNumber=\d+\}$/);
    expect(await rolloverHistory().forAlias('rk')).toEqual([
      expect.objectContaining({ old_index: 'rk-000001', new_index: 'rk-000002', source: 'ism' }),
    ]);
  });
});
