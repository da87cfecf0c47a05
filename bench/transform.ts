import * as os from 'node:os';
import type { Client } from '@opensearch-project/opensearch';
import { ManualClock } from '../lambdas/shared/clock';
import { documentClient } from '../lambdas/shared/dynamo';
import { runDue } from '../lambdas/shared/jobs/run-due';
import { clusterTransforms, compositeSearchBody } from '../lambdas/transform/cluster/transform-cluster';
import { parseTransform } from '../lambdas/transform/job/parse';
import { transformWork } from '../lambdas/transform/runner/runner';
import { TransformService } from '../lambdas/transform/transform-service';
import { loadData } from './rollup';
import { type BenchServices, numberOption, runStandalone } from './services';

/**
 * Transform throughput on the rollup bench's data set (NYC-taxi-shaped rides, bench/rollup.ts):
 * one document per pickup location (a `terms` group) with sum/avg/max of the passenger count and
 * the fare. Prints source documents per second for our transform-runner (composite pages → bulk
 * writes → a checkpoint in DynamoDB per page) and for a bare composite scan of the same buckets
 * with the same aggregations and page size (the cluster's limit: no writes at all), and their
 * ratio (aim: within 1.5x).
 *
 *   npx ts-node --transpile-only bench/transform.ts [--transform-docs N] [--transform-page-size N]
 *     [--transform-runs N]
 *
 * Also run by `npm run bench` (bench/run.ts) unless `--no-transform`.
 */
export interface TransformBenchOptions {
  docs: number;
  pageSize: number;
  /** Runs of each (bare scan, ours); the best counts. */
  runs: number;
}

const SOURCE = 'bench-nyc-taxi';
const TARGET = 'bench-nyc-taxi-by-location';
const HOUR = 3_600_000;

const JOB = (pageSize: number) => ({
  enabled: true,
  schedule: { interval: { period: 1, unit: 'Minutes' } },
  description: 'NYC taxi rides per pickup location (bench)',
  source_index: SOURCE,
  target_index: TARGET,
  page_size: pageSize,
  groups: [{ terms: { source_field: 'PULocationID', target_field: 'location' } }],
  aggregations: {
    passengers: { sum: { field: 'passenger_count' } },
    avg_passengers: { avg: { field: 'passenger_count' } },
    max_passengers: { max: { field: 'passenger_count' } },
    fares: { sum: { field: 'fare_amount' } },
    avg_fare: { avg: { field: 'fare_amount' } },
    max_fare: { max: { field: 'fare_amount' } },
  },
});

/** Every page of the transform's composite with its aggregations, nothing written. */
export const bareScan = async (
  client: Client,
  pageSize: number,
): Promise<{ ms: number; buckets: number; docs: number }> => {
  const job = parseTransform(JOB(pageSize), { id: 'bench', now: Date.now(), create: true });
  const started = Date.now();
  let afterKey: Record<string, unknown> | undefined;
  let buckets = 0;
  let docs = 0;
  for (;;) {
    const res = await client.search({
      index: SOURCE,
      request_cache: false,
      filter_path: 'took,aggregations',
      body: compositeSearchBody(job, { pageSize, afterKey }) as never,
    });
    const agg = (
      res.body as unknown as {
        aggregations: {
          transform: { buckets: { doc_count: number }[]; after_key?: Record<string, unknown> };
        };
      }
    ).aggregations.transform;
    if (agg.buckets.length === 0) break;
    buckets += agg.buckets.length;
    docs += agg.buckets.reduce((n, b) => n + b.doc_count, 0);
    afterKey = agg.after_key;
  }
  return { ms: Date.now() - started, buckets, docs };
};

export const ours = async (
  client: Client,
  tableName: string,
  pageSize: number,
): Promise<{
  ms: number;
  docs: number;
  indexed: number;
  pages: number;
  searchMs: number;
  indexMs: number;
}> => {
  await client.indices.delete({ index: TARGET, ignore_unavailable: true } as never).catch(() => undefined);
  const { jobs, runs, tombstones } = TransformService.stores(documentClient(), tableName);
  const cluster = async () => clusterTransforms(client);
  const service = new TransformService(jobs, runs, tombstones, cluster, new ManualClock(Date.now()));
  await service.delete(['bench'], true);
  await service.put('bench', { transform: JOB(pageSize) }, undefined, undefined);
  const clock = new ManualClock(Date.now() + 2 * HOUR);
  const started = Date.now();
  for (let i = 0; i < 100; i++) {
    await runDue({ store: runs, clock, work: transformWork({ service, cluster }), budgetMs: 15 * 60_000 });
    const status = (await runs.get('bench'))?.state.metadata?.status;
    if (status === 'finished' || status === 'failed') break;
  }
  const ms = Date.now() - started;
  const meta = (await runs.get('bench'))?.state.metadata;
  if (meta?.status !== 'finished') throw new Error(`transform did not finish: ${JSON.stringify(meta)}`);
  return {
    ms,
    docs: meta.stats.documents_processed,
    indexed: meta.stats.documents_indexed,
    pages: meta.stats.pages_processed,
    searchMs: meta.stats.search_time_in_millis,
    indexMs: meta.stats.index_time_in_millis,
  };
};

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const rate = (docs: number, ms: number): string =>
  `${Math.round(docs / (ms / 1000)).toLocaleString('en-US')}`;
const load = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

export const runTransformBench = async (
  options: TransformBenchOptions,
  services: BenchServices,
): Promise<void> => {
  console.log(
    `\nTransforms: the rollup bench's NYC-taxi-shaped rides (${options.docs.toLocaleString('en-US')}, over ` +
      '4 days); terms(PULocationID) + sum/avg/max of passenger_count and fare_amount; page_size ' +
      `${options.pageSize}. Ours is composite pages → bulk writes → a checkpoint in DynamoDB per page; the ` +
      "bare scan is the same composite search with no writes (the cluster's limit). Best of " +
      `${options.runs} runs each. Load average at start: ${load()}.`,
  );
  const [node, client] = await Promise.all([services.opensearch(), services.client()]);
  console.log(`cluster: OpenSearch ${node.version ?? ''} at ${node.url}`);
  try {
    const loadStarted = Date.now();
    await loadData(client, options.docs, 4);
    console.log(`loaded in ${s(Date.now() - loadStarted)}.`);
    // Untimed warm-up of both paths (caches, DynamoDB Local, the node's JIT).
    await bareScan(client, options.pageSize);
    await ours(client, await services.table('bench-transform-warm'), options.pageSize);
    const bares: Awaited<ReturnType<typeof bareScan>>[] = [];
    const runs: Awaited<ReturnType<typeof ours>>[] = [];
    for (let i = 0; i < options.runs; i++) {
      bares.push(await bareScan(client, options.pageSize));
      runs.push(await ours(client, await services.table('bench-transform'), options.pageSize));
    }
    for (const r of [...bares, ...runs]) {
      if (r.docs !== options.docs)
        throw new Error(`transformed or scanned ${r.docs} of ${options.docs} documents`);
    }
    const bare = bares.reduce((a, b) => (b.ms < a.ms ? b : a));
    const run = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
    const all = (xs: { ms: number }[]): string => xs.map((x) => s(x.ms)).join(', ');
    const rows = [
      [
        'bare composite scan (no writes)',
        s(bare.ms),
        rate(bare.docs, bare.ms),
        `${bare.buckets} buckets; runs: ${all(bares)}`,
      ],
      [
        'ours: transform-runner',
        s(run.ms),
        rate(run.docs, run.ms),
        `${run.indexed} documents, ${run.pages} pages (cluster: search ${s(run.searchMs)}, bulk ${s(run.indexMs)}); runs: ${all(runs)}`,
      ],
      ['ours vs the bare scan', `${(run.ms / bare.ms).toFixed(2)}x`, '', 'the time (aim: within 1.5x)'],
    ];
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), 12));
    console.log(
      `\n${'run'.padEnd(widths[0])}  ${'time'.padStart(widths[1])}  ${'source docs/s'.padStart(widths[2])}  notes`,
    );
    for (const r of rows)
      console.log(
        `${r[0].padEnd(widths[0])}  ${r[1].padStart(widths[1])}  ${r[2].padStart(widths[2])}  ${r[3]}`,
      );
    console.log(`Load average now: ${load()}.`);
  } finally {
    // The node is shared with the benches that follow: leave it as found.
    await client.indices
      .delete({ index: `${SOURCE}*`, ignore_unavailable: true } as never)
      .catch(() => undefined);
  }
};

if (require.main === module) {
  runStandalone((services) =>
    runTransformBench(
      {
        docs: numberOption('transform-docs', 1_000_000),
        pageSize: numberOption('transform-page-size', 1000),
        runs: numberOption('transform-runs', 3),
      },
      services,
    ),
  );
}
