import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDynamoDbLocal } from '../../local/services/dynamodb';
import { resolveOpenSearch } from '../../local/services/opensearch';
import { compareRecordings, staleEntries, type KnownDifference, type ScenarioResult } from './compare';
import { pathRepoOf, replay, type Recording, type ReplayTarget } from './replay';
import { isWait, type Scenario } from './scenario';

/**
 * `npm run test:conformance [-- --only a,b] [--verbose]`: replays every scenario of the vendored
 * corpus (test/conformance/corpus) against our stack as a user reaches it — the local API over
 * HTTP, serving the route table through the deployed handlers, over a real DynamoDB Local and
 * the plugin-free OpenSearch node — and compares each step with the plugin's recorded answer.
 *
 * Lifecycle waits do not wait for wall-clock minutes: between two polls of a wait, the
 * control plane's clock moves on by one job interval (1 minute, the corpus's setting) and every
 * worker runs once, so the plugin's minutes pass in a few seconds. ISM runs at the plugin's
 * pace (ISM_STEPS_PER_RUN=1: one step per job run), so every stage the plugin showed is there.
 *
 * Prints `conformance: S scenarios, T steps, D differing steps (K known)` and exits 1 when a
 * difference is not in known-differences.json, or an entry there no longer matches anything.
 * Recordings (the corpus's format) are kept in .local/conformance/ for a closer look.
 */
const HERE = __dirname;
const ROOT = path.resolve(HERE, '../..');
const CORPUS = path.join(HERE, 'corpus');
const JOB_INTERVAL_MS = 60_000;

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    // Prints a known-differences entry for each unknown differing step: a start for review.
    'print-known': { type: 'boolean', default: false },
    parallel: { type: 'string', default: '6' },
    out: { type: 'string', default: path.join(ROOT, '.local', 'conformance') },
  },
});

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;

const loadScenarios = (): { scenario: Scenario; file: string }[] => {
  const only = args.only ? new Set(args.only.split(',').map((s) => s.trim())) : undefined;
  return fs
    .readdirSync(path.join(CORPUS, 'scenarios'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ scenario: readJson<Scenario>(path.join(CORPUS, 'scenarios', file)), file }))
    .filter(
      ({ scenario, file }) => !only || only.has(scenario.name) || only.has(file.replace(/\.json$/, '')),
    );
};

/** The workers' settings the corpus was recorded with (job interval 1 minute), at the plugin's pace. */
const configureEnvironment = (): void => {
  Object.assign(process.env, {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
    TABLE_NAME: 'conformance',
    ISM_JOB_INTERVAL_MINUTES: '1',
    ISM_JITTER: '0',
    ISM_STEPS_PER_RUN: '1',
    ISM_HISTORY_REPLICAS: '0',
  });
};

/** Runs `work` over the items, `parallel` at a time. */
const pool = async <T, R>(
  items: readonly T[],
  parallel: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> => {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return results;
};

/**
 * One job interval of simulated time and one run of every scheduled worker but the ingestion
 * poller, shared by every waiting scenario: a call made while a run is going on gets the next.
 */
const workerDriver = async (): Promise<{
  drive: () => Promise<void>;
  now: () => number;
  runs: () => number;
}> => {
  const { advanceSystemClock, systemClock } = await import('../../lambdas/shared/clock');
  const { workers } = await import('../../infra/workers');
  const { runWorker } = await import('../../local/scheduler');
  const driven = workers.filter((w) => w.kind !== 'ingestion');
  let current: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  let runs = 0;
  const once = async (): Promise<void> => {
    advanceSystemClock(JOB_INTERVAL_MS);
    runs++;
    for (const worker of driven) {
      await runWorker(worker).catch((error: unknown) => {
        console.error(`  ${worker.worker} failed: ${(error as Error).message}`);
      });
    }
  };
  const drive = (): Promise<void> => {
    if (!current) {
      current = once().finally(() => (current = undefined));
      return current;
    }
    queued ??= current.then(() => {
      queued = undefined;
      return drive();
    });
    return queued;
  };
  return { drive, now: () => systemClock.now(), runs: () => runs };
};

const printScenario = (result: ScenarioResult, verbose: boolean): void => {
  const differing = result.steps.filter((s) => s.differences.length);
  const unknown = differing.filter((s) => !s.known);
  if (!unknown.length && !verbose) return;
  console.log(
    `\n== ${result.name} [${result.area}]: ${result.steps.length - differing.length} identical, ` +
      `${differing.length} differing (${differing.length - unknown.length} known)`,
  );
  for (const step of verbose ? differing : unknown) {
    console.log(
      `  step ${step.index}${step.id ? ` [${step.id}]` : ''} ${step.label}${step.known ? ' (known)' : ''}`,
    );
    for (const d of step.differences.slice(0, 12)) console.log(`    ${d.path}: ${d.text}`);
    if (step.differences.length > 12) console.log(`    ... ${step.differences.length - 12} more`);
  }
};

/** Each lifecycle wait: the plugin's recorded wall time next to our simulated time. */
const printLag = (results: readonly ScenarioResult[]): void => {
  const rows = results.flatMap((r) =>
    r.steps
      .filter((s) => s.plugin?.wait && s.ours?.wait)
      .map((s) => ({
        wait: `${r.name} step ${s.index}${s.id ? ` [${s.id}]` : ''}`,
        plugin: s.plugin!.wait!.waited_ms,
        ours: s.ours!.wait!.simulated_ms ?? s.ours!.wait!.waited_ms,
        real: s.ours!.wait!.waited_ms,
      })),
  );
  if (!rows.length) return;
  const s = (ms: number): string => `${(ms / 1000).toFixed(0)} s`;
  console.log('\nwaits (plugin: recorded wall time; ours: simulated time at 1-minute job runs, real time)');
  for (const row of rows) {
    console.log(
      `  ${row.wait.padEnd(58)} plugin ${s(row.plugin).padStart(6)}  ours ${s(row.ours).padStart(6)} (${s(row.real)} real)`,
    );
  }
};

const main = async (): Promise<number> => {
  const scenarios = loadScenarios();
  if (!scenarios.length) {
    console.error(`no scenario matches --only ${args.only}`);
    return 2;
  }
  const known = readJson<KnownDifference[]>(path.join(HERE, 'known-differences.json'));
  configureEnvironment();
  const started = Date.now();
  const [dynamo, opensearch] = await Promise.all([startDynamoDbLocal(), resolveOpenSearch()]);
  try {
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
    process.env.OPENSEARCH_URL = opensearch.url;
    process.env.CLUSTER_ENDPOINT = opensearch.url;
    const { ensureTable } = await import('../../local/table');
    const { startApiServer } = await import('../../local/server');
    await ensureTable(process.env.TABLE_NAME!);
    const api = await startApiServer(0);
    try {
      const driver = await workerDriver();
      const target: ReplayTarget = {
        url: api.url,
        pathRepo: await pathRepoOf(api.url),
        now: driver.now,
        drive: driver.drive,
        // Simulated time is cheap; real time bounds a wait whose predicate never holds.
        maxRealWaitMs: 180_000,
      };
      fs.mkdirSync(args.out!, { recursive: true });
      const run = async ({ scenario, file }: { scenario: Scenario; file: string }): Promise<Recording> => {
        const recording = await replay(target, scenario, file);
        fs.writeFileSync(
          path.join(args.out!, `${scenario.name}.json`),
          `${JSON.stringify(recording, null, 2)}\n`,
        );
        return recording;
      };
      // API scenarios first, in parallel (no simulated time passes for them). Lifecycle ones
      // after, one at a time: each wait then sees every job run it drives, stage by stage, as
      // the plugin's recorder did. Those with an ism_template go first, while the simulated
      // clock still agrees with the cluster's (a template matches indices created after it).
      const waits = (s: Scenario): boolean => [...(s.setup ?? []), ...s.steps].some(isWait);
      const usesTemplate = (s: Scenario): boolean => JSON.stringify(s).includes('"ism_template"');
      const lifecycles = scenarios
        .filter((s) => waits(s.scenario))
        .sort((a, b) => Number(usesTemplate(b.scenario)) - Number(usesTemplate(a.scenario)));
      const recordings = [
        ...(await pool(
          scenarios.filter((s) => !waits(s.scenario)),
          Math.max(1, Number(args.parallel)),
          run,
        )),
        ...(await pool(lifecycles, 1, run)),
      ];
      const results = recordings.map((ours) =>
        compareRecordings(readJson<Recording>(path.join(CORPUS, 'golden', `${ours.name}.json`)), ours, known),
      );
      for (const result of results) printScenario(result, args.verbose!);
      printLag(results);
      if (args['print-known']) {
        const drafts = results.flatMap((r) =>
          r.steps
            .filter((s) => s.differences.length && !s.known)
            .map((s) => ({
              scenario: r.name,
              step: s.id ?? s.index,
              paths: [...new Set(s.differences.map((d) => d.path))],
              reason: '',
            })),
        );
        console.log(`\n${JSON.stringify(drafts, null, 2)}`);
      }
      const stale = staleEntries(results, known);
      for (const entry of stale) {
        console.log(
          `\nknown difference no longer seen: ${entry.scenario} step ${entry.step} (${entry.paths.join(', ')})`,
        );
      }
      const steps = results.flatMap((r) => r.steps);
      const differing = steps.filter((s) => s.differences.length);
      const knownCount = differing.filter((s) => s.known).length;
      console.log(
        `\n${driver.runs()} simulated job runs; ${((Date.now() - started) / 1000).toFixed(0)} s in all; recordings in ${path.relative(ROOT, args.out!)}`,
      );
      console.log(
        `conformance: ${results.length} scenarios, ${steps.length} steps, ${differing.length} differing steps (${knownCount} known)`,
      );
      return differing.length === knownCount && !stale.length ? 0 : 1;
    } finally {
      await api.close();
    }
  } finally {
    await Promise.all([dynamo.stop(), opensearch.stop()]);
  }
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
