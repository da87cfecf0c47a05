import { Kafka, Partitioners, logLevel, type Admin, type Producer } from 'kafkajs';
import type { ShardState } from '../../lambdas/ingestion/model';
import { CHECKPOINT_EVERY_MS, type PollerOptions } from '../../lambdas/ingestion/poller';
import { clusterClient } from '../../lambdas/shared/cluster';
import { ManualClock, systemClock, type Clock } from '../../lambdas/shared/clock';
import { documentClient } from '../../lambdas/shared/dynamo';
import { JobStore } from '../../lambdas/shared/jobs/job-store';
import type { RunSummary } from '../../lambdas/shared/jobs/run-due';
import { resolveKafka, startKafka, type KafkaService } from '../../local/services/kafka';
import { freePort } from '../../local/services/process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestApi, type TestApi } from '../support/api';
import { validateResponse } from '../support/spec';
import { pollOnce } from '../support/ingestion-harness';

/**
 * Pull-based ingestion from a real Apache Kafka broker (KRaft, started here: only this file
 * needs it; the first run fetches its jars from Maven Central): partition i feeds index shard i,
 * the init resets, pause/resume with reset_settings, DROP and BLOCK, and a poller killed
 * mid-batch that leaves every valid message in the index exactly once.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
jest.setTimeout(60_000);

let api: TestApi;
let broker: KafkaService;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  [api, broker] = await Promise.all([startTestApi(), resolveKafka()]);
  kafka = new Kafka({ brokers: [broker.bootstrapServers], clientId: 'test', logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await Promise.all([admin.connect(), producer.connect()]);
}, 300_000);

afterAll(async () => {
  await Promise.all([producer?.disconnect(), admin?.disconnect()]);
  await Promise.all([api?.close(), broker?.stop()]);
});

let seq = 0;
const fresh = (): { index: string; topic: string } => {
  seq++;
  return { index: `kafka-index-${seq}`, topic: `kafka-topic-${seq}` };
};

const createTopic = async (topic: string, partitions: number): Promise<void> => {
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
};

const produce = async (topic: string, partition: number, messages: (Json | string)[]): Promise<void> => {
  await producer.send({
    topic,
    messages: messages.map((m) => ({ partition, value: typeof m === 'string' ? m : JSON.stringify(m) })),
  });
};

const range = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `${prefix}${String(from + i).padStart(3, '0')}`);
const doc = (id: string): Json => ({ _id: id, _source: { name: id } });

const createIndex = (
  index: string,
  topic: string,
  source: Json = {},
  shards = 1,
): Promise<{ status: number; body: Json }> =>
  api.request<Json>('PUT', `/${index}`, {
    settings: {
      ingestion_source: {
        type: 'kafka',
        'pointer.init.reset': 'earliest',
        'poll.timeout': 200,
        ...source,
        param: { topic, bootstrap_servers: broker.bootstrapServers, ...(source.param as Json) },
      },
      index: { number_of_shards: shards, number_of_replicas: 0 },
    },
  });

const store = (): JobStore<ShardState> =>
  new JobStore<ShardState>(documentClient(), api.tableName, 'ingestion');

/** One poller invocation, as the worker runs it (a lease of a minute, for the killed-run test). */
const poll = (overrides: Partial<PollerOptions> = {}, clock: Clock = systemClock): Promise<RunSummary> =>
  pollOnce(overrides, { clock, leaseMs: 60_000 });

const search = async (index: string, shard?: number): Promise<{ ids: string[]; total: number }> => {
  const client = await clusterClient();
  await client.indices.refresh({ index });
  const res = await client.search({
    index,
    ...(shard === undefined ? {} : { preference: `_shards:${shard}` }),
    body: { size: 1000, track_total_hits: true },
  });
  const hits = res.body.hits.hits as { _id: string }[];
  return { ids: hits.map((h) => h._id).sort(), total: (res.body.hits.total as { value: number }).value };
};
const ids = async (index: string, shard?: number): Promise<string[]> => (await search(index, shard)).ids;

const state = async (index: string): Promise<Json[]> => {
  const res = await api.request<Json>('GET', `/${index}/ingestion/_state`);
  expect(res.status).toBe(200);
  expect(validateResponse('ingestion', 'GET', '/{index}/ingestion/_state', 200, res.body)).toEqual([]);
  return res.body.ingestion_state[index] as Json[];
};

test('two partitions feed two index shards; a poller killed mid-batch and malformed messages leave each valid message exactly once', async () => {
  const { index, topic } = fresh();
  await createTopic(topic, 2);
  const p0 = [...range('a', 0, 15).map(doc), '{bad', ...range('a', 15, 30).map(doc)];
  await produce(topic, 0, p0);
  // External versions and deletes: replaying them after the crash must change nothing either.
  await produce(topic, 1, [
    ...range('b', 0, 12).map(doc),
    { _id: 'b003', _version: '5', _source: { name: 'b003 v5' } },
    { _id: 'b004', _op_type: 'delete', _version: '7' },
    { _id: 'b005', _op_type: 'create', _source: { name: 'again' } },
    { _source: { name: 'no id' } },
  ]);
  expect((await createIndex(index, topic, { 'poll.max_batch_size': 8 }, 2)).status).toBe(200);

  // The first invocation dies after the cluster took shard 0's third batch, and never comes
  // back: its lease must expire before anyone else takes the shard. Its first bulk takes a
  // whole checkpoint interval (on the manual clock), so that batch is checkpointed; the second
  // and third fall within the next interval, so they are not, and are read again.
  const clock = new ManualClock(Date.now());
  let batches = 0;
  let revive: () => void = () => undefined;
  const zombie = poll(
    {
      afterBulk: (s) => {
        if (s.shard !== 0) return undefined;
        if (++batches === 1) clock.advance(CHECKPOINT_EVERY_MS);
        return batches === 3 ? new Promise<void>((r) => (revive = r)) : undefined;
      },
    },
    clock,
  );
  for (let i = 0; batches < 3 && i < 200; i++) await new Promise((r) => setTimeout(r, 100));
  expect(batches).toBe(3);
  expect((await search(index, 0)).total).toBe(23); // three batches of 8, one of them malformed
  // Shard 0 stays leased by the dead invocation (shard 1 may still be in its hands too).
  const during = await poll({}, clock);
  expect(during.skipped).toBeGreaterThanOrEqual(1);
  expect(during.ran + during.skipped).toBe(2);
  expect((await store().get(`${index}#0`))?.state.position).toEqual({ at: 'offset', value: '8' });
  clock.advance(60_001);
  expect(await poll({}, clock)).toMatchObject({ ran: 2, failed: 0 });
  // The dead invocation wakes up (a frozen Lambda thawed): its checkpoint must not land.
  revive();
  const late = await zombie;
  expect(late.failed + late.stale).toBeGreaterThanOrEqual(1);

  const shard0 = await search(index, 0);
  expect(shard0.ids).toEqual(range('a', 0, 30));
  expect(shard0.total).toBe(30);
  const shard1 = await search(index, 1);
  expect(shard1.total).toBe(12); // 12 + one auto-id document - the deleted b004
  expect(shard1.ids.filter((id) => id.startsWith('b'))).toEqual(
    range('b', 0, 12).filter((id) => id !== 'b004'),
  );
  // Documents are routed to their shard, so they are looked up by search, not by GET.
  const client = await clusterClient();
  const found = await client.search({
    index,
    body: { version: true, query: { ids: { values: ['b003', 'b005'] } } },
  });
  const byId = Object.fromEntries((found.body.hits.hits as Json[]).map((h) => [h._id, h]));
  expect(byId.b003).toMatchObject({ _version: 5, _source: { name: 'b003 v5' } });
  expect(byId.b005._source).toEqual({ name: 'b005' }); // create of an existing id is a conflict

  const shards = await state(index);
  expect(shards).toEqual([
    expect.objectContaining({
      shard: 0,
      poller_state: 'POLLING',
      batch_start_pointer: 'KafkaOffset{offset=31}',
    }),
    expect.objectContaining({
      shard: 1,
      poller_state: 'POLLING',
      batch_start_pointer: 'KafkaOffset{offset=16}',
    }),
  ]);
  const [s0, s1] = await store().list(`${index}#`);
  expect(s0.state.counts).toMatchObject({ processed: 30, dropped: 1 });
  expect(s1.state.counts.versionConflicts).toBe(1);

  // Pause holds new messages back; resume picks them up from the checkpoint.
  expect((await api.request('POST', `/${index}/ingestion/_pause`)).body).toEqual({
    acknowledged: true,
    shards_acknowledged: true,
  });
  await produce(topic, 1, [doc('b100')]);
  await poll();
  expect(await ids(index, 1)).not.toContain('b100');
  expect((await state(index)).map((s) => s.poller_paused)).toEqual([true, true]);
  await api.request('POST', `/${index}/ingestion/_resume`);
  await poll();
  expect(await ids(index, 1)).toContain('b100');
});

test('pointer.init.reset: earliest, latest, reset_by_offset and reset_by_timestamp', async () => {
  const { topic } = fresh();
  await createTopic(topic, 1);
  await produce(topic, 0, range('old', 0, 10).map(doc));
  await new Promise((r) => setTimeout(r, 20));
  const between = Date.now();
  await new Promise((r) => setTimeout(r, 20));
  await produce(topic, 0, range('mid', 0, 5).map(doc));

  const earliest = `${topic}-earliest`;
  const latest = `${topic}-latest`;
  const offset = `${topic}-offset`;
  const timestamp = `${topic}-timestamp`;
  await createIndex(earliest, topic, { 'pointer.init.reset': 'earliest' });
  await createIndex(latest, topic, { 'pointer.init.reset': 'latest' });
  await createIndex(offset, topic, {
    'pointer.init.reset': 'reset_by_offset',
    'pointer.init.reset.value': 7,
  });
  await createIndex(timestamp, topic, {
    'pointer.init.reset': 'reset_by_timestamp',
    'pointer.init.reset.value': between,
  });
  // `latest` is pinned when the shard first polls: what comes after that is read.
  await poll();
  await produce(topic, 0, range('new', 0, 3).map(doc));
  await poll();

  const all = [...range('mid', 0, 5), ...range('new', 0, 3), ...range('old', 0, 10)];
  expect(await ids(earliest)).toEqual(all);
  expect(await ids(latest)).toEqual(range('new', 0, 3));
  expect(await ids(offset)).toEqual([...range('mid', 0, 5), ...range('new', 0, 3), ...range('old', 7, 10)]);
  expect(await ids(timestamp)).toEqual([...range('mid', 0, 5), ...range('new', 0, 3)]);
  for (const index of [earliest, latest, offset, timestamp]) {
    expect((await state(index))[0].batch_start_pointer).toBe('KafkaOffset{offset=18}');
  }
});

test('resume with reset_settings re-reads from an offset or a timestamp', async () => {
  const { index, topic } = fresh();
  await createTopic(topic, 1);
  await produce(topic, 0, range('r', 0, 6).map(doc));
  await new Promise((r) => setTimeout(r, 20));
  const between = Date.now();
  await new Promise((r) => setTimeout(r, 20));
  await produce(topic, 0, range('r', 6, 10).map(doc));
  await createIndex(index, topic);
  await poll();
  expect(await ids(index)).toEqual(range('r', 0, 10));

  // Documents removed behind the poller's back come back when the stream is read again.
  const client = await clusterClient();
  for (const id of ['r001', 'r007']) await client.delete({ index, id, refresh: true });
  await api.request('POST', `/${index}/ingestion/_pause`);
  const resumed = await api.request<Json>('POST', `/${index}/ingestion/_resume`, {
    reset_settings: [{ shard: 0, mode: 'timestamp', value: String(between) }],
  });
  expect(resumed.body).toEqual({ acknowledged: true, shards_acknowledged: true });
  await poll();
  expect(await ids(index)).toEqual(range('r', 0, 10).filter((id) => id !== 'r001'));

  await api.request('POST', `/${index}/ingestion/_pause`);
  await api.request('POST', `/${index}/ingestion/_resume`, {
    reset_settings: [{ shard: 0, mode: 'OFFSET', value: '1' }],
  });
  expect((await state(index))[0]).toMatchObject({
    poller_paused: false,
    batch_start_pointer: 'KafkaOffset{offset=1}',
  });
  await poll();
  expect(await ids(index)).toEqual(range('r', 0, 10));
  expect((await state(index))[0].batch_start_pointer).toBe('KafkaOffset{offset=10}');

  const bad = await api.request<Json>('POST', `/${index}/ingestion/_resume`, {
    reset_settings: [{ shard: 0, mode: 'offset', value: 'abc' }],
  });
  expect(bad.body).toMatchObject({ acknowledged: false, shards_acknowledged: false });
  expect(bad.body.failures[index][0].error).toContain('offset [abc]');
});

test('a position outside the log: with auto.offset.reset none the state says so and nothing moves; with earliest the shard starts over', async () => {
  const { index, topic } = fresh();
  await createTopic(topic, 1);
  await produce(topic, 0, range('o', 0, 5).map(doc));
  const fallback = `${index}-earliest`;
  await createIndex(index, topic, {
    'pointer.init.reset': 'reset_by_offset',
    'pointer.init.reset.value': 50,
  });
  await createIndex(fallback, topic, {
    'pointer.init.reset': 'reset_by_offset',
    'pointer.init.reset.value': 50,
    param: { 'auto.offset.reset': 'earliest' },
  });
  expect((await poll()).failed).toBe(1);

  expect(await ids(index)).toEqual([]);
  const [stuck] = await state(index);
  expect(stuck).toMatchObject({ poller_paused: false, batch_start_pointer: 'KafkaOffset{offset=50}' });
  expect(stuck.error).toContain(`offset 50 is out of range for partition 0 of topic [${topic}]`);
  expect(stuck.error).toContain('reset_settings');
  expect(await ids(fallback)).toEqual(range('o', 0, 5));
  expect((await state(fallback))[0]).toMatchObject({ batch_start_pointer: 'KafkaOffset{offset=5}' });
  expect((await state(fallback))[0].error).toBeUndefined();

  // What the error says to do: a resume with a reset inside the log.
  await api.request('POST', `/${index}/ingestion/_pause`);
  await api.request('POST', `/${index}/ingestion/_resume`, {
    reset_settings: [{ shard: 0, mode: 'offset', value: '2' }],
  });
  await poll();
  expect(await ids(index)).toEqual(range('o', 2, 5));
  expect((await state(index))[0].error).toBeUndefined();
});

test('BLOCK stops the shard at a malformed message and the state says so; a reset past it goes on', async () => {
  const { index, topic } = fresh();
  await createTopic(topic, 1);
  await produce(topic, 0, [
    ...range('k', 0, 3).map(doc),
    '{"_id": "k-bad", "_source": 5}',
    ...range('k', 3, 6).map(doc),
  ]);
  await createIndex(index, topic, { error_strategy: 'BLOCK' });
  await poll();
  expect(await ids(index)).toEqual(range('k', 0, 3));
  const [blocked] = await state(index);
  expect(blocked).toMatchObject({
    poller_state: 'PAUSED',
    poller_paused: true,
    error_policy: 'BLOCK',
    batch_start_pointer: 'KafkaOffset{offset=3}',
  });
  expect(blocked.error).toContain('_source must be a JSON object');

  // Polling again changes nothing: the shard waits for an operator.
  await poll();
  expect(await ids(index)).toEqual(range('k', 0, 3));

  await api.request('POST', `/${index}/ingestion/_resume`, {
    reset_settings: [{ shard: 0, mode: 'offset', value: '4' }],
  });
  await poll();
  expect(await ids(index)).toEqual(range('k', 0, 6));
  expect((await state(index))[0]).toMatchObject({
    poller_state: 'POLLING',
    batch_start_pointer: 'KafkaOffset{offset=7}',
  });
});

test('a broker that goes down mid-run and comes back: polls fail meanwhile, then every message lands exactly once', async () => {
  if (process.env.KAFKA_BOOTSTRAP_SERVERS) return; // needs a broker of its own to stop
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-restart-'));
  const port = await freePort();
  let own = await startKafka({ port, dataDir });
  const ownKafka = new Kafka({
    brokers: [own.bootstrapServers],
    clientId: 'restart',
    logLevel: logLevel.NOTHING,
  });
  const ownAdmin = ownKafka.admin();
  const ownProducer = ownKafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const { index, topic } = fresh();
  try {
    await Promise.all([ownAdmin.connect(), ownProducer.connect()]);
    await ownAdmin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await ownProducer.send({
      topic,
      messages: range('s', 0, 20).map((id) => ({ value: JSON.stringify(doc(id)) })),
    });
    await Promise.all([ownAdmin.disconnect(), ownProducer.disconnect()]);
    const created = await api.request('PUT', `/${index}`, {
      settings: {
        ingestion_source: {
          type: 'kafka',
          'pointer.init.reset': 'earliest',
          'poll.max_batch_size': 5,
          'poll.timeout': 200,
          param: { topic, bootstrap_servers: own.bootstrapServers },
        },
        index: { number_of_shards: 1, number_of_replicas: 0 },
      },
    });
    expect(created.status).toBe(200);

    // The broker stops after the cluster took the second batch (the rest of the fetched records
    // may still be indexed from what the consumer holds).
    let batches = 0;
    await poll({
      afterBulk: async (s) => {
        if (s.index === index && ++batches === 2) await own.stop();
      },
    });
    const down = await poll();
    expect(down.failed).toBeGreaterThanOrEqual(1); // connection refused: retried later, nothing moves
    const before = (await store().get(`${index}#0`))?.state.position;

    own = await startKafka({ port, dataDir });
    const producer2 = new Kafka({ brokers: [own.bootstrapServers], logLevel: logLevel.NOTHING }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer2.connect();
    await producer2.send({
      topic,
      messages: range('s', 20, 25).map((id) => ({ value: JSON.stringify(doc(id)) })),
    });
    await producer2.disconnect();
    expect(await poll()).toMatchObject({ failed: 0 });

    const after = await search(index);
    expect(after.ids).toEqual(range('s', 0, 25));
    expect(after.total).toBe(25);
    expect(before).toBeDefined();
    expect((await state(index))[0].batch_start_pointer).toBe('KafkaOffset{offset=25}');
  } finally {
    // Its broker goes away: the index goes too, so later polls drop its shard instead of failing.
    await (await clusterClient()).indices.delete({ index }).catch(() => undefined);
    await own.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 180_000);

test('a topic with fewer partitions than the index has shards leaves the extra shards empty', async () => {
  const { index, topic } = fresh();
  await createTopic(topic, 1);
  await produce(topic, 0, range('e', 0, 4).map(doc));
  await createIndex(index, topic, {}, 2);
  expect(await poll()).toMatchObject({ failed: 0 });
  expect(await ids(index, 0)).toEqual(range('e', 0, 4));
  expect(await ids(index, 1)).toEqual([]);
});

test.each([
  [{ param: { topic: '' } }, 'index.ingestion_source.param.topic'],
  [{ param: { bootstrap_servers: '' } }, 'index.ingestion_source.param.bootstrap_servers'],
  [{ param: { bootstrap_servers: 'no-port' } }, 'expected host:port'],
  [
    { 'pointer.init.reset': 'reset_by_offset', 'pointer.init.reset.value': 'x' },
    'a Kafka offset is a non-negative integer',
  ],
  [{ param: { 'security.protocol': 'TLS' } }, 'index.ingestion_source.param.security.protocol'],
  [
    { param: { 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'AWS_MSK_IAM' } },
    'index.ingestion_source.param.sasl.mechanism',
  ],
  [{ param: { 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-512' } }, 'sasl.jaas.config'],
  [{ param: { 'auto.offset.reset': 'sometimes' } }, 'index.ingestion_source.param.auto.offset.reset'],
])('bad kafka source %j is a 400 naming the setting, and nothing is created', async (source, reason) => {
  const { index, topic } = fresh();
  const res = await createIndex(index, topic, source);
  expect(res.status).toBe(400);
  expect(res.body.error.type).toBe('illegal_argument_exception');
  expect(res.body.error.reason).toContain(reason);
  expect((await api.request('GET', `/${index}`)).status).toBe(404);
  expect(await store().list(`${index}#`)).toEqual([]);
});
