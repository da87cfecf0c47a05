import { randomUUID } from 'node:crypto';
import {
  CreateStreamCommand,
  KinesisClient,
  PutRecordsCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { IngestionClusterAdapter } from '../lambdas/ingestion/cluster-adapter';
import { DynamoHandoverMarkers } from '../lambdas/ingestion/handover-markers';
import { parseIngestionSource, type Position, type ShardState } from '../lambdas/ingestion/model';
import { CHECKPOINT_EVERY_MS, pollShard } from '../lambdas/ingestion/poller';
import { IngestionService } from '../lambdas/ingestion/service';
import { createConsumer } from '../lambdas/ingestion/sources';
import type { ShardConsumer } from '../lambdas/ingestion/sources/source';
import { systemClock } from '../lambdas/shared/clock';
import { documentClient } from '../lambdas/shared/dynamo';
import { JobStore } from '../lambdas/shared/jobs/job-store';
import { runDue } from '../lambdas/shared/jobs/run-due';
import { type BenchServices, numberOption, runStandalone } from './services';

/**
 * Ingestion throughput from Kinesis (kinesalite) and from Kafka (a local broker) into the local
 * node through the poller, each next to a bare `_bulk` load of the same documents with the same
 * batch size (the cluster's limit), and the put → searchable delay with a poller invocation run
 * at once (no schedule wait).
 *
 * 200,000 documents by default: a deployed poller invocation keeps polling for up to 50 s, so
 * its start-up (lease, stream connection, first read; printed apart) is paid once per 50 s of
 * a busy stream, not once per second of it as a 50,000-document run would have it.
 *
 *   npx ts-node --transpile-only bench/ingestion.ts [--ingestion-docs N] [--ingestion-batch N]
 *     [--no-ingestion-kinesis] [--no-ingestion-kafka]
 */
export interface IngestionBenchOptions {
  docs: number;
  batch: number;
  delaySamples: number;
}

const message = (i: number) => ({
  _id: `doc-${i}`,
  _source: { n: i, name: `document ${i}`, at: Date.now() },
});
const rate = (docs: number, ms: number): string =>
  `${Math.round((docs / ms) * 1000).toLocaleString('en-US')} docs/s`;

/** A stream the bench feeds: one Kinesis shard or one Kafka partition. */
interface BenchStream {
  readonly label: string;
  /** `index.ingestion_source.*` for this stream (type and params). */
  readonly source: Record<string, unknown>;
  put(messages: readonly ReturnType<typeof message>[]): Promise<void>;
  close(): Promise<void>;
}

const kinesisStream = async (services: BenchServices): Promise<BenchStream> => {
  const server = await services.kinesis();
  const kinesis = new KinesisClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    requestHandler: new NodeHttpHandler(),
  });
  const stream = `bench-${randomUUID().slice(0, 8)}`;
  await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
  await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30, minDelay: 1 }, { StreamName: stream });
  return {
    label: 'Kinesis',
    source: {
      type: 'kinesis',
      'param.stream': stream,
      'param.endpoint_override': server.endpoint,
      'param.region': 'us-east-1',
    },
    put: async (messages) => {
      for (let i = 0; i < messages.length; i += 500) {
        await kinesis.send(
          new PutRecordsCommand({
            StreamName: stream,
            Records: messages
              .slice(i, i + 500)
              .map((d) => ({ Data: Buffer.from(JSON.stringify(d)), PartitionKey: 'p' })),
          }),
        );
      }
    },
    close: async () => kinesis.destroy(),
  };
};

const kafkaStream = async (services: BenchServices): Promise<BenchStream> => {
  const broker = await services.kafka();
  const kafka = new Kafka({
    brokers: [broker.bootstrapServers],
    clientId: 'bench',
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await Promise.all([admin.connect(), producer.connect()]);
  const topic = `bench-${randomUUID().slice(0, 8)}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  return {
    label: 'Kafka',
    source: { type: 'kafka', 'param.topic': topic, 'param.bootstrap_servers': broker.bootstrapServers },
    put: async (messages) => {
      for (let i = 0; i < messages.length; i += 5000) {
        await producer.send({
          topic,
          messages: messages.slice(i, i + 5000).map((d) => ({ partition: 0, value: JSON.stringify(d) })),
        });
      }
    },
    close: () => producer.disconnect(),
  };
};

export const runIngestionBench = async (
  options: IngestionBenchOptions,
  services: BenchServices,
): Promise<void> => {
  const sources = [
    { name: 'kinesis', open: kinesisStream },
    { name: 'kafka', open: kafkaStream },
  ].filter((s) => !process.argv.includes(`--no-ingestion-${s.name}`));
  await services.dynamo(); // also sets the local AWS region and keys the Kinesis client needs
  for (const { open } of sources) await runOne(options, services, await open(services));
};

const runOne = async (
  options: IngestionBenchOptions,
  services: BenchServices,
  stream: BenchStream,
): Promise<void> => {
  console.log(
    `\nIngestion: ${options.docs.toLocaleString('en-US')} documents from one ${stream.label} ${stream.label === 'Kafka' ? 'partition' : 'shard'}, batch ${options.batch}.`,
  );
  const [tableName, client] = await Promise.all([services.table('bench-ingestion'), services.client()]);
  const name = randomUUID().slice(0, 8);
  try {
    const docs = Array.from({ length: options.docs }, (_, i) => message(i));
    await stream.put(docs);
    const settings = { index: { number_of_shards: 1, number_of_replicas: 0 } };
    const ourIndex = `bench-ingest-${name}`;
    await client.indices.create({ index: ourIndex, body: { settings } });
    const bareIndices: string[] = [];
    /** The same documents, same batches, straight into a new index with `_bulk`: the node's limit. */
    const bareLoad = async (count = docs.length): Promise<number> => {
      const index = `bench-bare-${name}-${bareIndices.length}`;
      bareIndices.push(index);
      await client.indices.create({ index, body: { settings } });
      const started = Date.now();
      for (let i = 0; i < count; i += options.batch) {
        const body = docs
          .slice(i, Math.min(count, i + options.batch))
          .flatMap((d) => [{ index: { _index: index, _id: d._id } }, d._source]);
        await client.bulk({ body });
      }
      return Date.now() - started;
    };
    // A warm-up load first (a cold node's first bulks are slow), then the bare load once before
    // and once after ours: the faster of the two is the reference, so ours is never flattered.
    await bareLoad(Math.min(docs.length, 10 * options.batch));
    const bareBefore = await bareLoad();

    const store = new JobStore<ShardState>(documentClient(), tableName, 'ingestion');
    const source = parseIngestionSource({
      'pointer.init.reset': 'earliest',
      'poll.max_batch_size': options.batch,
      ...stream.source,
    });
    const service = new IngestionService(store, systemClock, () => undefined);
    await service.register(ourIndex, [undefined], source);
    const cluster = new IngestionClusterAdapter(async () => client);
    // As the worker does: a look for a rollover handover at every checkpoint.
    const markers = new DynamoHandoverMarkers(documentClient(), tableName);
    // One poller invocation each: its consumers are created on first use and closed at its end.
    let firstBulkAt: number | undefined;
    const invoke = async (budgetMs: number): Promise<void> => {
      const consumers: ShardConsumer[] = [];
      try {
        await runDue({
          store,
          clock: systemClock,
          budgetMs,
          work: pollShard({
            cluster,
            lingerMs: 0,
            maxRunMs: budgetMs,
            checkpointEveryMs: CHECKPOINT_EVERY_MS,
            handoverTarget: async (index) => (await markers.get(index))?.newIndex,
            afterBulk: () => {
              firstBulkAt ??= Date.now();
            },
            consumer: (s) => {
              const c = createConsumer(s.source, s.shard);
              consumers.push(c);
              return c;
            },
          }),
        });
      } finally {
        await Promise.all(consumers.map((c) => c.close()));
      }
    };
    const oursStarted = Date.now();
    await invoke(600_000);
    const oursMs = Date.now() - oursStarted;
    const startUpMs = (firstBulkAt ?? oursStarted) - oursStarted;
    const bareMs = Math.min(bareBefore, await bareLoad());
    // The stream's own limit: the same consumer reading every message, indexing nothing.
    const readStarted = Date.now();
    const reader = createConsumer(source, 0);
    try {
      let position: Position = { at: 'earliest' };
      for (let read = 0; read < docs.length;) {
        const r = await reader.read(position, options.batch, source.pollTimeoutMs);
        read += r.records.length;
        position = r.next;
      }
    } finally {
      await reader.close();
    }
    const readMs = Date.now() - readStarted;
    await client.indices.refresh({ index: ourIndex });
    const count = (await client.count({ index: ourIndex })).body.count as number;
    if (count !== options.docs) throw new Error(`the poller indexed ${count} of ${options.docs} documents`);

    // Put → searchable, one poller invocation right after the put (index refresh interval 1 s).
    const delays: number[] = [];
    for (let i = 0; i < options.delaySamples; i++) {
      const d = message(options.docs + i);
      const put = Date.now();
      await stream.put([d]);
      await invoke(60_000);
      for (;;) {
        const hit = await client.search({ index: ourIndex, body: { query: { ids: { values: [d._id] } } } });
        if ((hit.body.hits.hits as unknown[]).length > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      delays.push(Date.now() - put);
    }
    delays.sort((a, b) => a - b);
    const pct = (p: number): number =>
      delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))];
    const ratio = bareMs / oursMs;
    const ours = `ours: ingestion-poller from ${stream.label}`;
    const bare = `bare _bulk (batch ${options.batch}, best of 2)`;
    const width = Math.max(ours.length, bare.length, stream.label.length + 24) + 2;
    console.log(`  ${bare.padEnd(width)}${(bareMs / 1000).toFixed(1)} s  ${rate(options.docs, bareMs)}`);
    console.log(`  ${ours.padEnd(width)}${(oursMs / 1000).toFixed(1)} s  ${rate(options.docs, oursMs)}`);
    const readAlone = `${stream.label} read alone (no indexing)`;
    console.log(`  ${readAlone.padEnd(width)}${(readMs / 1000).toFixed(1)} s  ${rate(options.docs, readMs)}`);
    console.log(`  ours / bare: ${(ratio * 100).toFixed(0)}%  (aim: at least 85%)`);
    console.log(
      `  of ours, ${startUpMs} ms until the first batch was indexed (lease, connection, first read: once per invocation, which polls for up to 50 s)`,
    );
    console.log(
      `  ours / the slower of bare _bulk and the read alone: ${((Math.max(bareMs, readMs) / oursMs) * 100).toFixed(0)}%`,
    );
    console.log(
      `  put → searchable (${delays.length} samples, a poller invocation at once, connecting anew): p50 ${pct(50)} ms, p99 ${pct(99)} ms`,
    );
    await client.indices.delete({ index: [...bareIndices, ourIndex] }).catch(() => undefined);
  } finally {
    await stream.close();
  }
};

if (require.main === module) {
  runStandalone((services) =>
    runIngestionBench(
      {
        docs: numberOption('ingestion-docs', 200_000),
        batch: numberOption('ingestion-batch', 1000),
        delaySamples: 50,
      },
      services,
    ),
  );
}
