import {
  CreateStreamCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ShardState } from '../../lambdas/ingestion/model';
import type { PollerOptions } from '../../lambdas/ingestion/poller';
import { clusterClient } from '../../lambdas/shared/cluster';
import { documentClient } from '../../lambdas/shared/dynamo';
import { JobStore } from '../../lambdas/shared/jobs/job-store';
import type { RunSummary } from '../../lambdas/shared/jobs/run-due';
import { startTestApi, type TestApi } from '../support/api';
import { validateResponse } from '../support/spec';
import { pollOnce } from '../support/ingestion-harness';

/**
 * Pull-based ingestion from Kinesis (kinesalite, started by globalSetup): stream shard i feeds
 * index shard i, a crash between bulk and checkpoint repeats nothing visible, DROP skips
 * malformed records, and the state reports Kinesis sequence numbers.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
jest.setTimeout(60_000);

const endpoint = (): string => process.env.KINESIS_ENDPOINT as string;
let api: TestApi;
let kinesis: KinesisClient;
beforeAll(async () => {
  api = await startTestApi();
  kinesis = new KinesisClient({
    endpoint: endpoint(),
    region: 'us-east-1',
    requestHandler: new NodeHttpHandler(),
  });
});
afterAll(async () => {
  kinesis.destroy();
  await api.close();
});

const createStream = async (name: string, shards: number): Promise<string[]> => {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30, minDelay: 1 }, { StreamName: name });
  const out = await kinesis.send(new ListShardsCommand({ StreamName: name }));
  // The hash key that lands on each shard, in shard-id order (= index shard order).
  return (out.Shards ?? [])
    .sort((a, b) => String(a.ShardId).localeCompare(String(b.ShardId)))
    .map((s) => s.HashKeyRange?.StartingHashKey as string);
};

const put = async (stream: string, hashKey: string, messages: (Json | string)[]): Promise<void> => {
  for (let i = 0; i < messages.length; i += 500) {
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: messages.slice(i, i + 500).map((m) => ({
          Data: Buffer.from(typeof m === 'string' ? m : JSON.stringify(m)),
          PartitionKey: 'p',
          ExplicitHashKey: hashKey,
        })),
      }),
    );
  }
};

const range = (prefix: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);
const doc = (id: string): Json => ({ _id: id, _source: { name: id } });

const poll = (overrides: Partial<PollerOptions> = {}): Promise<RunSummary> => pollOnce(overrides);

const ids = async (index: string, shard?: number): Promise<string[]> => {
  const client = await clusterClient();
  await client.indices.refresh({ index });
  const res = await client.search({
    index,
    ...(shard === undefined ? {} : { preference: `_shards:${shard}` }),
    body: { size: 1000 },
  });
  return (res.body.hits.hits as { _id: string }[]).map((h) => h._id).sort();
};

test('two Kinesis shards feed two index shards; a crash mid-batch and bad records change nothing visible', async () => {
  const [k0, k1] = await createStream('orders-stream', 2);
  await put('orders-stream', k0, [
    ...range('a', 30).slice(0, 15).map(doc),
    '{bad',
    ...range('a', 30).slice(15).map(doc),
  ]);
  await put('orders-stream', k1, range('b', 12).map(doc));

  const created = await api.request('PUT', '/orders-kinesis', {
    settings: {
      ingestion_source: {
        type: 'kinesis',
        'pointer.init.reset': 'earliest',
        error_strategy: 'DROP',
        'poll.max_batch_size': 8,
        param: { stream: 'orders-stream', region: 'us-east-1', endpoint_override: endpoint() },
      },
      index: { number_of_shards: 2, number_of_replicas: 0 },
    },
  });
  expect(created.status).toBe(200);

  let batches = 0;
  const crashed = await poll({
    afterBulk: () => {
      if (++batches === 2) throw new Error('killed between bulk and checkpoint');
    },
  });
  expect(crashed.failed).toBe(1);
  await poll();

  expect(await ids('orders-kinesis', 0)).toEqual(range('a', 30));
  expect(await ids('orders-kinesis', 1)).toEqual(range('b', 12));

  const state = await api.request<Json>('GET', '/orders-kinesis/ingestion/_state');
  expect(validateResponse('ingestion', 'GET', '/{index}/ingestion/_state', 200, state.body)).toEqual([]);
  const shards = state.body.ingestion_state['orders-kinesis'] as Json[];
  expect(shards.map((s) => s.poller_state)).toEqual(['POLLING', 'POLLING']);
  for (const s of shards) expect(s.batch_start_pointer).toMatch(/^SequenceNumber\{sequenceNumber=\d+\}$/);

  // New records are read from the checkpoint on; pause holds them back until resume.
  await api.request('POST', '/orders-kinesis/ingestion/_pause');
  await put('orders-stream', k1, [doc('b100')]);
  await poll();
  expect(await ids('orders-kinesis', 1)).not.toContain('b100');
  await api.request('POST', '/orders-kinesis/ingestion/_resume');
  await poll();
  expect(await ids('orders-kinesis', 1)).toEqual([...range('b', 12), 'b100']);
  const store = new JobStore<ShardState>(documentClient(), api.tableName, 'ingestion');
  const [s0] = await store.list('orders-kinesis#0');
  expect(s0.state.counts.dropped).toBe(1);
});
