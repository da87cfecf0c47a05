import * as os from 'node:os';
import type { Client } from '@opensearch-project/opensearch';
import { ManualClock } from '../lambdas/shared/clock';
import { documentClient } from '../lambdas/shared/dynamo';
import { runDue } from '../lambdas/shared/jobs/run-due';
import { RollupService } from '../lambdas/rollup/rollup-service';
import { compositeSearchBody } from '../lambdas/rollup/runner/composite';
import { newRunnerProfile, rollupWork, type RunnerProfile } from '../lambdas/rollup/runner/runner';
import { parseRollupJob } from '../lambdas/rollup/job/parse';
import { type BenchServices, numberOption, runStandalone } from './services';

/**
 * Rollup throughput on a NYC-taxi-shaped data set (pickup time, location id, passenger count,
 * fare): an hourly date_histogram, a terms dimension and all five metrics. Prints rolled-up
 * source documents per second for our runner (composite pages → bulk writes → checkpoints in
 * DynamoDB) and for a bare composite-aggregation scan of the same buckets with the same page
 * size (the cluster's limit: no writes at all), and their ratio, for two cases of the same number
 * of rides (ROLLUP_CASES): spread over 30 days (few rides per bucket: about as many rollup
 * documents as buckets to write) and as dense as the real January 2019 data (4 days).
 *
 *   npx ts-node --transpile-only bench/rollup.ts [--rollup-docs N] [--rollup-page-size N]
 *     [--rollup-runs N] [--rollup-cases sparse,dense]
 *
 * Also run by `npm run bench` (bench/run.ts) unless `--no-rollup`.
 */
const HOUR = 3_600_000;
const T0 = Date.UTC(2019, 0, 1);
const DAYS = 30;
const LOCATIONS = 265;

export interface RollupBenchOptions {
  docs: number;
  pageSize: number;
  /** Runs of each (bare scan, ours) per case; the best counts. */
  runs: number;
  /** Names of the cases to run (ROLLUP_CASES). */
  cases: readonly string[];
}

/** A small deterministic PRNG (mulberry32), so every run rolls up the same data. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const SOURCE = 'bench-nyc-taxi';
const TARGET = 'bench-nyc-taxi-rollup';

const JOB = (pageSize: number) => ({
  source_index: SOURCE,
  target_index: TARGET,
  description: 'hourly NYC taxi rollup (bench)',
  schedule: { interval: { period: 1, unit: 'Minutes' } },
  page_size: pageSize,
  dimensions: [
    { date_histogram: { source_field: 'tpep_pickup_datetime', fixed_interval: '1h', timezone: 'UTC' } },
    { terms: { source_field: 'PULocationID' } },
  ],
  metrics: [
    {
      source_field: 'passenger_count',
      metrics: [{ min: {} }, { max: {} }, { sum: {} }, { avg: {} }, { value_count: {} }],
    },
    {
      source_field: 'fare_amount',
      metrics: [{ min: {} }, { max: {} }, { sum: {} }, { avg: {} }, { value_count: {} }],
    },
  ],
});

export const loadData = async (client: Client, docs: number, days = DAYS): Promise<void> => {
  await client.indices
    .delete({ index: `${SOURCE}*`, ignore_unavailable: true } as never)
    .catch(() => undefined);
  await client.indices.create({
    index: SOURCE,
    body: {
      settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '-1' },
      mappings: {
        properties: {
          tpep_pickup_datetime: { type: 'date' },
          PULocationID: { type: 'integer' },
          passenger_count: { type: 'integer' },
          fare_amount: { type: 'double' },
        },
      },
    } as never,
  });
  const random = prng(42);
  const batch = 20_000;
  const send = async (from: number): Promise<void> => {
    const lines: string[] = [];
    for (let i = from; i < Math.min(docs, from + batch); i++) {
      const doc: Record<string, number> = {
        tpep_pickup_datetime: T0 + Math.floor(random() * days * 24 * HOUR),
        PULocationID: 1 + Math.floor(random() * random() * LOCATIONS),
        fare_amount: Math.round((2.5 + random() * 60) * 100) / 100,
      };
      // About one ride in fifty has no passenger count, as in the real data.
      if (random() > 0.02) doc.passenger_count = 1 + Math.floor(random() * random() * 6);
      lines.push('{"index":{}}', JSON.stringify(doc));
    }
    const res = await client.bulk({ index: SOURCE, body: `${lines.join('\n')}\n` as never });
    if ((res.body as { errors: boolean }).errors) throw new Error('bulk load failed');
  };
  for (let from = 0; from < docs; from += 2 * batch) {
    await Promise.all([send(from), from + batch < docs ? send(from + batch) : Promise.resolve()]);
  }
  await client.indices.refresh({ index: SOURCE });
  await client.indices.forcemerge({ index: SOURCE, max_num_segments: 1 } as never);
};

/** Every page of the composite with its sub-aggregations, nothing written: the cluster's limit. */
export const bareScan = async (
  client: Client,
  pageSize: number,
  maxPages = Infinity,
): Promise<{ ms: number; buckets: number; docs: number }> => {
  const job = parseRollupJob(JOB(pageSize), { id: 'bench', now: Date.now(), create: true });
  const started = Date.now();
  let afterKey: Record<string, unknown> | undefined;
  let buckets = 0;
  let docs = 0;
  for (let page = 0; page < maxPages; page++) {
    // As the runner asks: no request cache (so the order of the runs does not matter), and only
    // the aggregation in the answer.
    const res = await client.search({
      index: SOURCE,
      request_cache: false,
      filter_path: 'took,aggregations',
      body: compositeSearchBody(job, { after_key: afterKey }) as never,
    });
    const agg = (
      res.body as unknown as {
        aggregations: Record<
          string,
          { buckets: { doc_count: number }[]; after_key?: Record<string, unknown> }
        >;
      }
    ).aggregations.bench;
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
  rollups: number;
  pages: number;
  searchMs: number;
  indexMs: number;
  profile: RunnerProfile;
  cpuMs: number;
}> => {
  await client.indices.delete({ index: TARGET, ignore_unavailable: true } as never).catch(() => undefined);
  const { jobs, runs } = RollupService.stores(documentClient(), tableName);
  const service = new RollupService(jobs, runs, new ManualClock(Date.now()));
  await service.put('bench', { rollup: JOB(pageSize) }, undefined, undefined);
  const clock = new ManualClock(Date.now() + 2 * HOUR);
  const profile = newRunnerProfile();
  const cpu = process.cpuUsage();
  const started = Date.now();
  for (let i = 0; i < 100; i++) {
    await runDue({
      store: runs,
      clock,
      work: rollupWork({ service, client: async () => client, profile }),
      budgetMs: 15 * 60_000,
    });
    const meta = (await runs.get('bench'))?.state.metadata;
    if (meta?.status === 'finished' || meta?.status === 'failed') break;
  }
  const ms = Date.now() - started;
  const used = process.cpuUsage(cpu);
  const meta = (await runs.get('bench'))?.state.metadata;
  if (meta?.status !== 'finished') throw new Error(`rollup did not finish: ${JSON.stringify(meta)}`);
  return {
    ms,
    docs: meta.stats.documents_processed,
    rollups: meta.stats.rollups_indexed,
    pages: meta.stats.pages_processed,
    searchMs: meta.stats.search_time_in_millis,
    indexMs: meta.stats.index_time_in_millis,
    profile,
    cpuMs: (used.user + used.system) / 1000,
  };
};

/** `--rollup-cases sparse,dense` (default: both). */
export const rollupCasesOption = (argv = process.argv.slice(2)): string[] => {
  const i = argv.findIndex((a) => a === '--rollup-cases' || a.startsWith('--rollup-cases='));
  if (i < 0) return ROLLUP_CASES.map((c) => c.name);
  return (argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1]).split(',');
};

const rate = (docs: number, ms: number): string =>
  `${Math.round(docs / (ms / 1000)).toLocaleString('en-US')}`;

/** The two data sets: the same rides, spread thin (the original case) or as densely as the real data. */
export interface RollupCase {
  readonly name: string;
  readonly days: number;
  readonly what: string;
}

export const ROLLUP_CASES: readonly RollupCase[] = [
  {
    name: 'sparse',
    days: DAYS,
    what:
      `rides spread over ${DAYS} days (about 6 per hour and location: nearly as many rollup ` +
      'documents to write as buckets, the hard case for the writes)',
  },
  {
    name: 'dense',
    days: 4,
    what:
      "rides over 4 days, the real data's density (NYC yellow taxi, January 2019: about 7.7M rides " +
      'in 31 days, so 1M rides in about 4 days; about 40 rides per hour and location)',
  },
];

/** A few rides and one rollup of them, untimed: node, DynamoDB Local and the cluster warm up. */
const warmUp = async (client: Client, services: BenchServices): Promise<void> => {
  await loadData(client, 20_000, 1);
  await bareScan(client, 1000);
  await ours(client, await services.table('bench-rollup-warm'), 1000);
};

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const load = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const runCase = async (
  c: RollupCase,
  options: RollupBenchOptions,
  client: Client,
  services: BenchServices,
): Promise<string[][]> => {
  const loadStarted = Date.now();
  await loadData(client, options.docs, c.days);
  console.log(
    `\n${c.name}: ${options.docs.toLocaleString('en-US')} ${c.what}; loaded in ${s(Date.now() - loadStarted)}.`,
  );
  // One page warms the cluster's caches for this index; then the two alternate, each run
  // `runs` times, and the best run of each counts (the machine is shared: the best is the least
  // disturbed).
  await bareScan(client, options.pageSize, 1);
  const bares: Awaited<ReturnType<typeof bareScan>>[] = [];
  const runs: Awaited<ReturnType<typeof ours>>[] = [];
  for (let i = 0; i < options.runs; i++) {
    bares.push(await bareScan(client, options.pageSize));
    runs.push(await ours(client, await services.table('bench-rollup'), options.pageSize));
  }
  for (const r of [...bares, ...runs]) {
    if (r.docs !== options.docs)
      throw new Error(`rolled up or scanned ${r.docs} of ${options.docs} documents`);
  }
  const bare = bares.reduce((a, b) => (b.ms < a.ms ? b : a));
  const run = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
  const all = (xs: { ms: number }[]): string => xs.map((x) => s(x.ms)).join(', ');
  const p = run.profile;
  console.log(
    `${c.name}: where ours spent its time (best run): waiting for searches ${s(p.searchWaitMs)} (cluster ` +
      `took ${s(run.searchMs)} in all, the rest overlapped with writes), building documents ` +
      `${s(p.convertMs)}, waiting for bulk writes ${s(p.writeMs)} (cluster took ${s(run.indexMs)}), ` +
      `waiting for checkpoints ${s(p.checkpointWaitMs)} (${p.checkpoints} saves for ${p.pages} pages); ` +
      `the runner's process used ${s(run.cpuMs)} of CPU. Load average now: ${load()}.`,
  );
  return [
    [
      `${c.name}: bare composite scan (no writes)`,
      s(bare.ms),
      rate(bare.docs, bare.ms),
      `${bare.buckets} buckets; runs: ${all(bares)}`,
    ],
    [
      `${c.name}: ours: rollup-runner`,
      s(run.ms),
      rate(run.docs, run.ms),
      `${run.rollups} rollup docs, ${run.pages} pages; runs: ${all(runs)}`,
    ],
    [
      `${c.name}: ours vs the bare scan`,
      `${(run.ms / bare.ms).toFixed(2)}x`,
      '',
      'the time (aim: within 1.25x)',
    ],
  ];
};

export const runRollupBench = async (options: RollupBenchOptions, services: BenchServices): Promise<void> => {
  const cases = ROLLUP_CASES.filter((c) => options.cases.includes(c.name));
  console.log(
    `\nRollups: NYC-taxi-shaped documents (${LOCATIONS} locations); hourly date_histogram + ` +
      'terms(PULocationID) + min/max/sum/avg/value_count on passenger_count and fare_amount; ' +
      `page_size ${options.pageSize}; cases: ${cases.map((c) => c.name).join(', ')}. Ours is ` +
      'composite pages → bulk writes → checkpoints in DynamoDB; the bare scan is the same composite ' +
      "search with no writes (the cluster's limit). Best of " +
      `${options.runs} runs each. Load average at start: ${load()}.`,
  );
  const [node, client] = await Promise.all([services.opensearch(), services.client()]);
  console.log(`cluster: OpenSearch ${node.version ?? ''} at ${node.url}`);
  try {
    await warmUp(client, services);
    const rows: string[][] = [];
    for (const c of cases) rows.push(...(await runCase(c, options, client, services)));
    rows.push(['plugin on the reference node', '-', '-', 'unavailable: see below']);
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), 12));
    console.log(
      `\n${'run'.padEnd(widths[0])}  ${'time'.padStart(widths[1])}  ${'source docs/s'.padStart(widths[2])}  notes`,
    );
    for (const r of rows)
      console.log(
        `${r[0].padEnd(widths[0])}  ${r[1].padStart(widths[1])}  ${r[2].padStart(widths[2])}  ${r[3]}`,
      );
    console.log(
      'vs the plugin: not measured. The reference node with the index-management plugin is unavailable ' +
        'here (the plugin zip is not on Maven Central; issue 3 is blocked), so the aim of 2x the plugin is unverified.',
    );
  } finally {
    // The node is shared with the benches that follow: leave it as found.
    await client.indices
      .delete({ index: `${SOURCE}*`, ignore_unavailable: true } as never)
      .catch(() => undefined);
  }
};

if (require.main === module) {
  runStandalone((services) =>
    runRollupBench(
      {
        docs: numberOption('rollup-docs', 1_000_000),
        pageSize: numberOption('rollup-page-size', 5000),
        runs: numberOption('rollup-runs', 2),
        cases: rollupCasesOption(),
      },
      services,
    ),
  );
}
