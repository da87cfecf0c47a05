/**
 * `npm run bench`: bundle size and cold start of every Lambda of the route table, next to a bare
 * handler that only does one DocumentClient GetItem (bench/bare-handler.ts). Aim: every handler
 * within 1.5x of the bare one on both. Speed is measured here, never in timed tests.
 *
 * - Bundles: esbuild's JS API with exactly `esbuildOptions` from infra/bundling.ts (only the
 *   entry, output file, working dir and metafile are added), into a temp dir.
 * - Cold start: a fresh `node` process per run (bench/cold-start-child.js) with the environment a
 *   Lambda would have, timing `require(bundle)` → the handler's resolved response inside the
 *   process, plus the whole process wall time from here. Against DynamoDB Local in memory.
 * - Every run's answer is checked against what OpenSearch answers to its sample event (exactly
 *   that status, and body text showing the work was done), so a broken handler cannot look fast:
 *   bench/cold-start-cases.ts. The state each event needs (the policy a GET reads, no policy where
 *   a create makes one, a managed index for add/remove/retry, an alias for a rollover, a rolled-up
 *   index for a rollup search...) is set up between runs, untimed, by bench/cold-start-fixtures.ts,
 *   mostly through the handlers loaded here with their sample events.
 * - Runs are interleaved round robin (order rotated each round) after one discarded warm-up
 *   round, so machine noise and DynamoDB Local's JIT warm-up hit every bundle alike.
 * - The proxy and the cluster handlers need a cluster: OPENSEARCH_URL if set, else a node started
 *   by local/services/opensearch.ts (resolveOpenSearch; ~7 s with the distribution cached, it
 *   starts while the bundles build). With --no-opensearch (and no OPENSEARCH_URL) their cold
 *   starts are skipped (their sizes are still measured); the proxy runs against a closed port
 *   (502 expected), so its boot and load times still show in the second table. Without
 *   --no-opensearch, failing to get a cluster fails the bench.
 *
 * Options: --runs N (default 15), --only a,b (names or operations; the bare handler always runs),
 * --analyze (size breakdown for every bundle, not just those over the aim), --keep (keep the temp
 * dir with bundles, metafiles and events), --no-opensearch (see above), --wait S (retry failing builds and wait for DynamoDB
 * Local's module up to S seconds, for a tree that is still being edited).
 *
 * Then the ingestion bench (bench/ingestion.ts: Kinesis and Kafka → poller vs bare _bulk, put → searchable):
 * --ingestion-docs N (default 200000), --ingestion-batch N (default 1000), --no-ingestion to skip it.
 * Then the rollup throughput bench (bench/rollup.ts): --rollup-docs N (default 1000000),
 * --rollup-page-size N (default 5000), --rollup-runs N (default 2, the best counts), --rollup-cases
 * sparse,dense (default both), --no-rollup to skip it.
 * Then the transform throughput bench (bench/transform.ts, the rollup bench's data): --transform-docs N
 * (default 1000000), --transform-page-size N (default 1000), --transform-runs N (default 3),
 * --no-transform to skip it.
 * Then the ISM runner figures (bench/ism.ts): DynamoDB reads per tick with 2,000 managed indices,
 * evaluations per second, condition-to-action lag beside the plugin's documented one; --no-ism
 * to skip them (BENCH_ISM_INDICES changes the 2,000).
 * SM scheduling precision (bench/sm.ts): --sm-policies N (default 50), --sm-rounds N (default 3),
 * --no-sm to skip it.
 */
// Before the SDK loads here: it warns on Node 20 (the handlers get the same variable).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { LAMBDA_NODE_TARGET, esbuildOptions } from '../infra/bundling';
import { dataPlaneProxy, fallback, operations } from '../infra/routes';
import { lambdaContext, toApiEvent } from '../local/api-event';
import { ensureTable } from '../local/table';
import { BARE_KEY } from './bare-handler';
import {
  COLD_START_CASES,
  expectationText,
  needsCluster,
  wrongAnswer,
  type ColdStartCase,
} from './cold-start-cases';
import { Fixtures } from './cold-start-fixtures';
import { runIsmBench } from './ism';
import { runIngestionBench } from './ingestion';
import { rollupCasesOption, runRollupBench } from './rollup';
import { BenchServices } from './services';
import { runSmBench } from './sm';
import { runTransformBench } from './transform';

type ApiEvent = APIGatewayProxyEventV2;
type ApiResult = APIGatewayProxyStructuredResultV2;
type Handler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

const ROOT = path.resolve(__dirname, '..');
const CHILD = path.join(__dirname, 'cold-start-child.js');
const AIM = 1.5;
const REGION = 'us-east-1';
const RUN_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------- options

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
const option = (name: string): string | undefined => {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1];
};
const RUNS = Number(option('runs') ?? process.env.BENCH_RUNS ?? 15);
const ONLY = option('only')?.split(',').filter(Boolean);
const WAIT_S = Number(option('wait') ?? 0);
const ANALYZE = flag('analyze');
const KEEP = flag('keep');
const START_OPENSEARCH = !flag('no-opensearch');
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs must be a positive integer, got ${RUNS}`);

// ---------------------------------------------------------------- targets

type Kind = 'bare' | 'operation' | 'fallback' | 'proxy';

interface Target {
  /** Row label: the operation name, or `bare`. */
  name: string;
  /** Entry module, relative to the repository root. */
  entry: string;
  kind: Kind;
  method?: string;
  paths?: readonly string[];
  /** The operation talks to the cluster: it gets the same cluster as the proxy. */
  cluster?: boolean;
}

const allTargets: Target[] = [
  { name: 'bare', entry: 'bench/bare-handler.ts', kind: 'bare' },
  ...operations.map((o): Target => ({
    name: o.operation,
    entry: o.handler,
    kind: 'operation',
    method: o.method,
    paths: o.paths,
    cluster: o.cluster === true,
  })),
  { name: fallback.operation, entry: fallback.handler, kind: 'fallback' },
  { name: dataPlaneProxy.operation, entry: dataPlaneProxy.handler, kind: 'proxy' },
];
const targets = allTargets.filter(
  (t) => t.kind === 'bare' || !ONLY || ONLY.some((o) => t.name === o || t.name.endsWith(`.${o}`)),
);

// ---------------------------------------------------------------- bundling

interface Bundle {
  file: string;
  bytes: number;
  metafile: esbuild.Metafile;
}

/** What the bench adds to `esbuildOptions`: where to read and write, and the metafile. Nothing else. */
const buildExtras = (entry: string, outfile: string): esbuild.BuildOptions => ({
  absWorkingDir: ROOT,
  entryPoints: [entry],
  outfile,
  metafile: true,
  write: true,
  logLevel: 'silent',
});

const overridden = Object.keys(buildExtras('', '')).filter((k) => k in esbuildOptions && k !== 'logLevel');
if (overridden.length > 0) {
  throw new Error(
    `infra/bundling.ts now sets ${overridden.join(', ')}, which the bench sets too: update bench/run.ts`,
  );
}

const bundle = async (target: Target, outDir: string): Promise<Bundle> => {
  const file = path.join(outDir, `${target.name}.js`);
  const result = await esbuild.build({
    ...(esbuildOptions as unknown as esbuild.BuildOptions),
    ...buildExtras(target.entry, file),
  });
  const metafile = result.metafile as esbuild.Metafile;
  fs.writeFileSync(path.join(outDir, `${target.name}.meta.json`), JSON.stringify(metafile));
  return { file, bytes: fs.statSync(file).size, metafile };
};

const buildError = (error: unknown): string => {
  const failure = error as esbuild.BuildFailure;
  if (Array.isArray(failure.errors) && failure.errors.length > 0) {
    return failure.errors
      .slice(0, 3)
      .map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`)
      .join('; ');
  }
  return String(error instanceof Error ? error.message : error);
};

/** Package (or project folder) an esbuild input belongs to: the innermost node_modules package. */
const ownerOf = (input: string): string => {
  const packages = [...input.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  if (packages.length > 0) return packages[packages.length - 1][1];
  const parts = input.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}/ (project)` : `${input} (project)`;
};

const bytesByOwner = (meta: esbuild.Metafile): Map<string, number> => {
  const owners = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      owners.set(ownerOf(input), (owners.get(ownerOf(input)) ?? 0) + bytesInOutput);
    }
  }
  return owners;
};

// ---------------------------------------------------------------- events

/** The bare handler's event (it reads a fixed item, whatever the request). */
const bareEvent = (): ApiEvent => toApiEvent({ method: 'GET', path: '/bench/bare' });

/** The target's sample event, events/<operation>.json (`npm run events` writes them). */
const loadEvent = (target: Target): { event: ApiEvent; source: string } => {
  if (target.kind === 'bare') return { event: bareEvent(), source: 'built with toApiEvent' };
  const file = path.join(ROOT, 'events', `${target.name}.json`);
  if (!fs.existsSync(file)) throw new Error(`no ${path.relative(ROOT, file)}: run npm run events`);
  return { event: JSON.parse(fs.readFileSync(file, 'utf8')) as ApiEvent, source: path.relative(ROOT, file) };
};

// ---------------------------------------------------------------- cold-start runs

interface RunResult {
  ok: boolean;
  status?: number;
  wallMs: number;
  bootMs?: number;
  loadMs?: number;
  invokeMs?: number;
  totalMs?: number;
  detail?: string;
}

interface ChildReport {
  bootMs: number;
  loadMs: number;
  invokeMs: number;
  totalMs: number;
  statusCode?: number;
  body?: string;
  error?: string;
}

const runChild = (bundleFile: string, eventFile: string, name: string, env: NodeJS.ProcessEnv) =>
  new Promise<{ wallMs: number; report?: ChildReport; output: string }>((resolve) => {
    const started = process.hrtime.bigint();
    let exitedAt = started;
    const child = spawn(process.execPath, [CHILD, bundleFile, eventFile, name], {
      env,
      cwd: os.tmpdir(),
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let reportText = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => (reportText += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('exit', () => (exitedAt = process.hrtime.bigint()));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = Number(exitedAt - started) / 1e6;
      let report: ChildReport | undefined;
      try {
        report = reportText ? (JSON.parse(reportText) as ChildReport) : undefined;
      } catch {
        report = undefined;
      }
      if (!report) output += `\n(exit ${code ?? signal}, no report)`;
      resolve({ wallMs, report, output });
    });
  });

// ---------------------------------------------------------------- statistics and printing

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: number[]): number => {
  const s = sorted(xs);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
/** Nearest-rank percentile: with 7 runs p90 is the slowest run. */
const percentile = (xs: number[], p: number): number =>
  sorted(xs)[Math.max(0, Math.ceil((p / 100) * xs.length) - 1)];

const kib = (bytes: number): string => (bytes / 1024).toFixed(1);
const msText = (ms: number | undefined): string => (ms === undefined ? '-' : ms.toFixed(0));
const ratioText = (r: number | undefined): string => (r === undefined ? '-' : `${r.toFixed(2)}x`);

const table = (header: string[], rows: string[][], rightAligned: Set<number>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
};

const closedPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

const waitFor = async <T>(what: string, attempt: () => T | Promise<T>, deadline: number): Promise<T> => {
  for (let announced = false; ;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      if (!announced) console.log(`waiting for ${what} (up to ${WAIT_S}s): ${buildError(error)}`);
      announced = true;
      await new Promise((r) => setTimeout(r, 5_000));
    }
  }
};

// ---------------------------------------------------------------- main

interface Row {
  target: Target;
  bundle?: Bundle;
  buildError?: string;
  eventSource?: string;
  eventFile?: string;
  event?: ApiEvent;
  /** What its runs must answer and the state they need (bench/cold-start-cases.ts). */
  case?: ColdStartCase;
  skipped?: string;
  /** Cold start skipped, but run anyway (the proxy against a closed port) for its boot and load times. */
  loadOnly?: boolean;
  runs: RunResult[];
  failures: string[];
}

interface Cluster {
  url: string;
  what: string;
}

/** Every bench, against one set of services (bench/services.ts) that main() stops at the end. */
const benchAll = async (services: BenchServices): Promise<number> => {
  const began = Date.now();
  const deadline = began + WAIT_S * 1000;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const home = path.join(workDir, 'home'); // an empty HOME, as in Lambda: no ~/.aws config is read
  fs.mkdirSync(home);
  const tableName = `bench-${randomUUID().slice(0, 8)}`;

  console.log(
    `bench: node ${process.version}, esbuild ${esbuild.version}, ${os.cpus().length} CPUs, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ${RUNS} runs per bundle after 1 warm-up round`,
  );
  console.log(`esbuild options (infra/bundling.ts): ${JSON.stringify(esbuildOptions)}`);

  // DynamoDB Local starts while the bundles build.
  const dynamoStarting = waitFor('DynamoDB Local', () => services.dynamo(), deadline);
  dynamoStarting.catch(() => undefined); // awaited below; don't crash as unhandled meanwhile
  const clusterStarting = (async (): Promise<Cluster | undefined> => {
    if (!targets.some((t) => t.kind === 'proxy' || t.cluster)) return undefined;
    if (START_OPENSEARCH) {
      let node: Awaited<ReturnType<BenchServices['opensearch']>>;
      try {
        node = await services.opensearch();
      } catch (error) {
        // The proxy's cold start is then skipped; everything else is still measured.
        console.log(`no OpenSearch node for the proxy: ${(error as Error).message.split('\n')[0]}`);
        return undefined;
      }
      const how = node.external ? 'OPENSEARCH_URL' : `started in ${(node.startMs / 1000).toFixed(0)} s`;
      return { url: node.url, what: `OpenSearch ${node.version ?? ''} at ${node.url} (${how})` };
    }
    const url = process.env.OPENSEARCH_URL;
    return url ? { url, what: `OPENSEARCH_URL ${url}` } : undefined;
  })();
  clusterStarting.catch(() => undefined);

  const rows: Row[] = targets.map((target) => ({ target, runs: [], failures: [] }));
  const t0 = Date.now();
  await Promise.all(
    rows.map(async (row) => {
      try {
        row.bundle = await waitFor(
          `${row.target.entry} to build`,
          () => bundle(row.target, workDir),
          deadline,
        );
      } catch (error) {
        row.buildError = buildError(error);
      }
    }),
  );
  console.log(
    `bundled ${rows.filter((r) => r.bundle).length}/${rows.length} in ${Date.now() - t0} ms → ${workDir}`,
  );
  for (const row of rows.filter((r) => r.buildError))
    console.log(`  BUILD FAILED ${row.target.name}: ${row.buildError}`);

  const [dynamo, cluster] = await Promise.all([dynamoStarting, clusterStarting]);
  console.log(`DynamoDB Local ${dynamo.endpoint} (in memory), table ${tableName}`);
  if (cluster) console.log(`cluster for the proxy and the cluster handlers: ${cluster.what}`);
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_CONFIG_FILE: path.join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  // The handlers this process runs to set up state reach the same cluster as the children.
  if (cluster) Object.assign(process.env, { CLUSTER_ENDPOINT: cluster.url, CLUSTER_AUTH: 'none' });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  await ensureTable(tableName);
  const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  await ddb.send(
    new PutCommand({ TableName: tableName, Item: { ...BARE_KEY, doc: 'the bare handler reads this' } }),
  );

  // Nothing listens here: without a cluster the proxy answers 502 at once.
  const closedUrl = `http://127.0.0.1:${await closedPort()}`;
  const lambdaEnv = (row: Row): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${LAMBDA_NODE_TARGET.replace('node', '')}.x`,
    AWS_LAMBDA_FUNCTION_NAME: row.target.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    TABLE_NAME: tableName,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...(row.target.kind === 'proxy' || row.target.cluster
      ? {
          CLUSTER_ENDPOINT: cluster?.url ?? closedUrl,
          CLUSTER_AUTH: process.env.CLUSTER_AUTH ?? 'none',
        }
      : {}),
  });

  // Events and what each must answer. Without a cluster, the handlers that need one are not run
  // (the proxy still is, against a closed port: 502, for its boot and load times).
  const noCluster: Row[] = [];
  for (const row of rows) {
    if (!row.bundle) continue;
    const known = COLD_START_CASES[row.target.name];
    if (!known) {
      row.failures.push(`no case in bench/cold-start-cases.ts: say what its sample event must answer`);
      continue;
    }
    row.case = known;
    if (!cluster && needsCluster(known, row.target.cluster === true)) {
      noCluster.push(row);
      row.skipped = 'skipped: no cluster';
      if (row.target.kind !== 'proxy') continue;
      row.loadOnly = true;
      row.case = { status: 502, needs: [] };
    }
    try {
      const { event, source } = loadEvent(row.target);
      row.event = event;
      row.eventSource = source;
      row.eventFile = path.join(workDir, `${row.target.name}.event.json`);
      fs.writeFileSync(row.eventFile, JSON.stringify(event));
    } catch (error) {
      row.failures.push((error as Error).message);
    }
  }

  // State set-up between runs, untimed, through the handlers loaded in this process (their
  // bundles; the TypeScript entry for one left out by --only) with their sample events.
  const bundleOf = (name: string) => rows.find((r) => r.target.name === name)?.bundle;
  const inProcess = new Map<string, Handler>();
  const handlerOf = (name: string): Handler => {
    const b = bundleOf(name) ?? allTargets.find((t) => t.name === name);
    if (!b) throw new Error(`no ${name} handler`);
    let h = inProcess.get(name);
    if (!h) {
      const file = 'file' in b ? b.file : path.join(ROOT, b.entry);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      h = (require(file) as { handler: Handler }).handler;
      inProcess.set(name, h);
    }
    return h;
  };
  const fixtures = new Fixtures({
    invoke: (name, event) => handlerOf(name)(event, lambdaContext('bench-set-up')),
    sample: (name) => loadEvent(allTargets.find((t) => t.name === name) as Target).event,
    client: () => services.client(),
    tableName,
  });
  const prepare = async (row: Row): Promise<void> => {
    const query = await fixtures.prepare((row.case as ColdStartCase).needs);
    if (!query) return;
    // A conditional update names the document just made.
    const event = row.event as ApiEvent;
    const queryStringParameters = { ...event.queryStringParameters, ...query };
    const rawQueryString = new URLSearchParams(queryStringParameters as Record<string, string>).toString();
    fs.writeFileSync(
      row.eventFile as string,
      JSON.stringify({ ...event, queryStringParameters, rawQueryString }),
    );
  };

  const runnable = rows.filter((r) => r.bundle && r.eventFile && r.case);
  for (const row of runnable) {
    const note = row.loadOnly ? ` (no cluster: a closed port, ${closedUrl}; load time only)` : '';
    const needs = (row.case as ColdStartCase).needs.filter((n) => n !== 'cluster');
    console.log(
      `  ${row.target.name}: event ${row.eventSource}${needs.length > 0 ? ` on ${needs.join(', ')}` : ''}, expects ${expectationText(row.case as ColdStartCase)}${note}`,
    );
  }
  for (let round = 0; round <= RUNS; round++) {
    const order = runnable.map((_, i) => runnable[(i + round) % runnable.length]);
    const cells: string[] = [];
    for (const row of order) {
      if (row.failures.length >= 3) continue; // broken: stop spending time on it
      let result: RunResult;
      try {
        await prepare(row);
        const { wallMs, report, output } = await runChild(
          (row.bundle as Bundle).file,
          row.eventFile as string,
          row.target.name,
          lambdaEnv(row),
        );
        const wrong = wrongAnswer(row.case as ColdStartCase, report ?? { error: output });
        result = { ok: wrong === undefined, status: report?.statusCode, wallMs, ...report, detail: wrong };
      } catch (error) {
        result = { ok: false, wallMs: 0, detail: `set-up failed: ${(error as Error).message}` };
      }
      if (!result.ok) row.failures.push(result.detail ?? 'failed');
      if (round > 0) row.runs.push(result);
      cells.push(
        `${row.target.name.replace(/^\w+\./, '')} ${result.status ?? 'ERR'}${result.ok ? '' : '!'} ${msText(result.totalMs)}`,
      );
    }
    console.log(`${round === 0 ? 'warm-up ' : `round ${round}/${RUNS}`}  ${cells.join(' · ')}`);
  }
  await fixtures.close();

  // ---------------------------------------------------------------- report
  const bare = rows.find((r) => r.target.kind === 'bare') as Row;
  const okTimes = (row: Row, key: keyof RunResult) =>
    row.runs.filter((r) => r.ok && typeof r[key] === 'number').map((r) => r[key] as number);
  const coldOf = (row: Row) => {
    const xs = okTimes(row, 'totalMs');
    return xs.length === RUNS && !row.loadOnly ? { median: median(xs), p90: percentile(xs, 90) } : undefined;
  };
  const bareCold = coldOf(bare);
  const bareBytes = bare.bundle?.bytes;

  const verdicts = new Map<Row, { sizeRatio?: number; coldRatio?: number; verdict: string }>();
  for (const row of rows) {
    const sizeRatio = row.bundle && bareBytes ? row.bundle.bytes / bareBytes : undefined;
    const cold = coldOf(row);
    const coldRatio = cold && bareCold ? cold.median / bareCold.median : undefined;
    let verdict: string;
    if (row.target.kind === 'bare') verdict = bareCold ? '(reference)' : 'FAILED';
    else if (row.buildError) verdict = 'BUILD FAILED';
    else if (row.failures.length > 0) verdict = `FAILED (${row.failures.length} bad runs)`;
    else {
      const misses = [
        sizeRatio !== undefined && sizeRatio > AIM ? 'size' : '',
        coldRatio !== undefined && coldRatio > AIM ? 'cold start' : '',
      ].filter(Boolean);
      if (misses.length > 0) verdict = `NO (${misses.join(' + ')})`;
      else if (coldRatio === undefined) verdict = `size yes; cold start ${row.skipped ?? 'not measured'}`;
      else verdict = 'yes';
    }
    verdicts.set(row, { sizeRatio, coldRatio, verdict });
  }

  const statusesOf = (row: Row): string => {
    if (row.buildError) return '-';
    if (row.runs.length === 0 && row.skipped) return row.skipped;
    const counts = new Map<string, number>();
    for (const r of row.runs)
      counts.set(String(r.status ?? 'ERR'), (counts.get(String(r.status ?? 'ERR')) ?? 0) + 1);
    const text =
      [...counts].map(([s, n]) => `${s} x${n}`).join(', ') + (row.failures.length ? ' (wrong!)' : ' ok');
    return row.loadOnly ? `${text}, closed port` : text;
  };

  console.log(
    `\nCold start = in the fresh process, require(bundle) → handler's resolved response; median and p90 of ${RUNS}.`,
  );
  console.log(`Aim: every handler within ${AIM}x of the bare handler on both size and cold-start median.\n`);
  console.log(
    table(
      [
        'handler',
        'size KiB',
        'size vs bare',
        'cold median ms',
        'cold p90 ms',
        'cold vs bare',
        `within ${AIM}x? (both)`,
        'status (expected)',
      ],
      rows.map((row) => {
        const v = verdicts.get(row) as { sizeRatio?: number; coldRatio?: number; verdict: string };
        const cold = coldOf(row);
        return [
          row.target.name,
          row.bundle ? kib(row.bundle.bytes) : '-',
          ratioText(v.sizeRatio),
          cold ? msText(cold.median) : '-',
          cold ? msText(cold.p90) : '-',
          ratioText(v.coldRatio),
          v.verdict,
          `${statusesOf(row)}${row.case ? ` (${row.case.status})` : ''}`,
        ];
      }),
      new Set([1, 2, 3, 4, 5]),
    ),
  );

  console.log(
    '\nWhere the time goes (medians, ms): boot = node start → require; load = require(bundle); first request = handler call → response; wall = whole process, spawn → exit.\n',
  );
  console.log(
    table(
      ['handler', 'boot', 'load', 'first request', 'load+request', 'wall', 'wall vs bare'],
      rows
        .filter((r) => coldOf(r) || (r.loadOnly && r.failures.length === 0 && r.runs.length > 0))
        .map((row) => {
          const wall = median(okTimes(row, 'wallMs'));
          return [
            row.loadOnly ? `${row.target.name} *` : row.target.name,
            msText(median(okTimes(row, 'bootMs'))),
            msText(median(okTimes(row, 'loadMs'))),
            msText(median(okTimes(row, 'invokeMs'))),
            msText(median(okTimes(row, 'totalMs'))),
            msText(wall),
            ratioText(wall / median(okTimes(bare, 'wallMs'))),
          ];
        }),
      new Set([1, 2, 3, 4, 5, 6]),
    ),
  );
  if (rows.some((r) => r.loadOnly)) {
    console.log(
      '* no cluster: answered 502 from a closed port; only its boot and load compare with the others.',
    );
  }

  for (const row of rows.filter((r) => r.failures.length > 0)) {
    console.log(`\n${row.target.name} FAILED: ${row.failures[0].slice(0, 1500)}`);
  }

  // Size breakdown: what a bundle has that the bare one has not.
  const bareOwners = bare.bundle ? bytesByOwner(bare.bundle.metafile) : new Map<string, number>();
  const explain = rows.filter(
    (r) => r.bundle && r.target.kind !== 'bare' && (ANALYZE || (verdicts.get(r)?.sizeRatio ?? 0) > AIM),
  );
  const shown = new Map<string, string>();
  for (const row of explain) {
    const owners = bytesByOwner((row.bundle as Bundle).metafile);
    const deltas = [...owners]
      .map(([owner, bytes]) => ({ owner, bytes, delta: bytes - (bareOwners.get(owner) ?? 0) }))
      .filter((d) => d.delta > 512)
      .sort((a, b) => b.delta - a.delta)
      .slice(0, 10);
    const total = (row.bundle as Bundle).bytes - (bare.bundle?.bytes ?? 0);
    // Handlers built from the same modules have the same breakdown: print it once.
    const shape = deltas.map((d) => `${d.owner}:${Math.round(d.delta / 1024)}`).join(',');
    const twin = shown.get(shape);
    if (twin) {
      console.log(`\n${row.target.name}: ${kib(total)} KiB more than bare, the same packages as ${twin}`);
      continue;
    }
    shown.set(shape, row.target.name);
    console.log(
      `\n${row.target.name}: ${kib(total)} KiB more than bare, by package (KiB in bundle, extra over bare):`,
    );
    for (const d of deltas)
      console.log(`  ${kib(d.bytes).padStart(7)}  +${kib(d.delta).padStart(6)}  ${d.owner}`);
  }

  if (KEEP)
    console.log(`\nkept ${workDir} (bundles, *.meta.json for https://esbuild.github.io/analyze/, events)`);
  else fs.rmSync(workDir, { recursive: true, force: true });
  console.log(`\nbench took ${((Date.now() - began) / 1000).toFixed(0)} s`);

  // The other benches, in this order, on the same services; --no-<name> skips one.
  const others: { name: string; label: string; run: () => Promise<void> }[] = [
    {
      name: 'rollup',
      label: 'rollup',
      run: () =>
        runRollupBench(
          {
            docs: Number(option('rollup-docs') ?? 1_000_000),
            pageSize: Number(option('rollup-page-size') ?? 5000),
            runs: Number(option('rollup-runs') ?? 2),
            cases: rollupCasesOption(argv),
          },
          services,
        ),
    },
    {
      name: 'transform',
      label: 'transform',
      run: () =>
        runTransformBench(
          {
            docs: Number(option('transform-docs') ?? 1_000_000),
            pageSize: Number(option('transform-page-size') ?? 1000),
            runs: Number(option('transform-runs') ?? 3),
          },
          services,
        ),
    },
    { name: 'ism', label: 'ISM', run: () => runIsmBench(services) },
    {
      name: 'sm',
      label: 'SM',
      run: () =>
        runSmBench(
          { policies: Number(option('sm-policies') ?? 50), rounds: Number(option('sm-rounds') ?? 3) },
          services,
        ),
    },
    {
      name: 'ingestion',
      label: 'ingestion',
      run: () =>
        runIngestionBench(
          {
            docs: Number(option('ingestion-docs') ?? 200_000),
            batch: Number(option('ingestion-batch') ?? 1000),
            delaySamples: 50,
          },
          services,
        ),
    },
  ];
  let othersFailed = false;
  for (const other of others.filter((o) => !flag(`no-${o.name}`))) {
    try {
      await other.run();
    } catch (error) {
      othersFailed = true;
      console.log(`\n${other.label} bench FAILED: ${(error as Error).stack ?? String(error)}`);
    }
  }

  // A cluster was wanted (no --no-opensearch) but none could be had: those cold starts are missing.
  const clusterMissing = START_OPENSEARCH && noCluster.length > 0;
  if (clusterMissing)
    console.log(
      `\nno cluster: the cold starts of ${noCluster.map((r) => r.target.name).join(', ')} were not measured`,
    );
  const broken =
    othersFailed || clusterMissing || rows.some((r) => r.buildError || r.failures.length > 0) || !bareCold;
  return broken ? 1 : 0;
};

const main = async (): Promise<number> => {
  const services = new BenchServices();
  try {
    return await benchAll(services);
  } finally {
    await services.stop();
  }
};

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
