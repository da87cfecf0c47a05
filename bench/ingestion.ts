import { randomUUID } from 'node:crypto';
import {
  CreateStreamCommand,
  KinesisClient,
  PutRecordsCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { IngestionClusterAdapter } from '../lambdas/ingestion/cluster-adapter';
import { parseIngestionSource, type ShardState } from '../lambdas/ingestion/model';
import { pollShard } from '../lambdas/ingestion/poller';
import { IngestionService } from '../lambdas/ingestion/service';
import { createConsumer } from '../lambdas/ingestion/sources';
import { systemClock } from '../lambdas/shared/clock';
import { documentClient } from '../lambdas/shared/dynamo';
import { JobStore } from '../lambdas/shared/jobs/job-store';
import { runDue } from '../lambdas/shared/jobs/run-due';
import { type BenchServices, numberOption, runStandalone } from './services';

/**
 * Ingestion throughput from Kinesis (kinesalite) into the local node through the poller, next
 * to a bare `_bulk` load of the same documents with the same batch size (the cluster's limit),
 * and the put → searchable delay with the poller run at once (no schedule wait).
 *
 *   npx ts-node --transpile-only bench/ingestion.ts [--ingestion-docs N] [--ingestion-batch N]
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

export const runIngestionBench = async (
  options: IngestionBenchOptions,
  services: BenchServices,
): Promise<void> => {
  console.log(
    `\nIngestion: ${options.docs.toLocaleString('en-US')} documents from one Kinesis shard, batch ${options.batch}.`,
  );
  const [kinesisServer, tableName, client] = await Promise.all([
    services.kinesis(),
    services.table('bench-ingestion'),
    services.client(),
  ]);
  const kinesis = new KinesisClient({
    endpoint: kinesisServer.endpoint,
    region: 'us-east-1',
    requestHandler: new NodeHttpHandler(),
  });
  const stream = `bench-${randomUUID().slice(0, 8)}`;
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
    await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30, minDelay: 1 }, { StreamName: stream });
    const docs = Array.from({ length: options.docs }, (_, i) => message(i));
    for (let i = 0; i < docs.length; i += 500) {
      await kinesis.send(
        new PutRecordsCommand({
          StreamName: stream,
          Records: docs
            .slice(i, i + 500)
            .map((d) => ({ Data: Buffer.from(JSON.stringify(d)), PartitionKey: 'p' })),
        }),
      );
    }
    const settings = { index: { number_of_shards: 1, number_of_replicas: 0 } };
    const bareIndex = `bench-bare-${stream}`;
    const ourIndex = `bench-ingest-${stream}`;
    await client.indices.create({ index: bareIndex, body: { settings } });
    await client.indices.create({ index: ourIndex, body: { settings } });

    const bareStarted = Date.now();
    for (let i = 0; i < docs.length; i += options.batch) {
      const body = docs
        .slice(i, i + options.batch)
        .flatMap((d) => [{ index: { _index: bareIndex, _id: d._id } }, d._source]);
      await client.bulk({ body });
    }
    const bareMs = Date.now() - bareStarted;

    const store = new JobStore<ShardState>(documentClient(), tableName, 'ingestion');
    const source = parseIngestionSource({
      type: 'kinesis',
      'pointer.init.reset': 'earliest',
      'poll.max_batch_size': options.batch,
      'param.stream': stream,
      'param.endpoint_override': kinesisServer.endpoint,
      'param.region': 'us-east-1',
    });
    const service = new IngestionService(store, systemClock, () => undefined);
    await service.register(ourIndex, [undefined], source);
    const cluster = new IngestionClusterAdapter(async () => client);
    const consumers = new Map<string, ReturnType<typeof createConsumer>>();
    const work = pollShard({
      cluster,
      lingerMs: 0,
      maxRunMs: 600_000,
      consumer: (s) => {
        let c = consumers.get(s.index);
        if (!c) consumers.set(s.index, (c = createConsumer(s.source, s.shard)));
        return c;
      },
    });
    const oursStarted = Date.now();
    await runDue({ store, clock: systemClock, work, budgetMs: 600_000 });
    const oursMs = Date.now() - oursStarted;
    await client.indices.refresh({ index: ourIndex });
    const count = (await client.count({ index: ourIndex })).body.count as number;
    if (count !== options.docs) throw new Error(`the poller indexed ${count} of ${options.docs} documents`);

    // Put → searchable, the poller run right after the put (index refresh interval 1 s).
    const delays: number[] = [];
    for (let i = 0; i < options.delaySamples; i++) {
      const d = message(options.docs + i);
      const put = Date.now();
      await kinesis.send(
        new PutRecordsCommand({
          StreamName: stream,
          Records: [{ Data: Buffer.from(JSON.stringify(d)), PartitionKey: 'p' }],
        }),
      );
      await runDue({ store, clock: systemClock, work, budgetMs: 60_000 });
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
    console.log(
      `  bare _bulk (batch ${options.batch})        ${(bareMs / 1000).toFixed(1)} s  ${rate(options.docs, bareMs)}`,
    );
    console.log(
      `  ours: ingestion-poller from Kinesis  ${(oursMs / 1000).toFixed(1)} s  ${rate(options.docs, oursMs)}`,
    );
    console.log(`  ours / bare: ${(ratio * 100).toFixed(0)}%  (aim: at least 85%)`);
    console.log(
      `  put → searchable (${delays.length} samples, poller run at once): p50 ${pct(50)} ms, p99 ${pct(99)} ms`,
    );
    await Promise.all([...consumers.values()].map((c) => c.close()));
  } finally {
    kinesis.destroy();
  }
};

if (require.main === module) {
  runStandalone((services) =>
    runIngestionBench(
      {
        docs: numberOption('ingestion-docs', 50_000),
        batch: numberOption('ingestion-batch', 1000),
        delaySamples: 50,
      },
      services,
    ),
  );
}
