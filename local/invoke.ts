import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataPlaneProxy, fallback, operations } from '../infra/routes';
import { workers } from '../infra/workers';
import type { WorkerEvent } from '../lambdas/shared/worker';
import type { ApiEvent, ApiHandler, ApiResult } from '../lambdas/shared/http';
import { lambdaContext } from './api-event';
import { runWorker } from './scheduler';
import { startDynamoDbLocal } from './services/dynamodb';
import { ensureTable } from './table';

/**
 * Runs one handler in this process with a sample event, the way Lambda would, and prints what it
 * answered:
 *
 *   npm run invoke -- ism.put_policy                     # events/ism.put_policy.json
 *   npm run invoke -- ism.get_policy events/my-get.json
 *   npm run invoke -- --list
 *
 * Table operations use `TABLE_NAME` (default `index-management-local`) in the DynamoDB named by
 * `AWS_ENDPOINT_URL_DYNAMODB`; when that is unset, an in-memory DynamoDB Local is started for the
 * one invocation (Java 17+ needed) and the table created in it. The data-plane proxy talks to
 * `CLUSTER_ENDPOINT` or `OPENSEARCH_URL`. Exit code 0 when the handler returned (whatever the
 * status), 1 when it threw, 2 on a usage error.
 */
const ROOT = path.resolve(__dirname, '..');
export const EVENTS_DIR = path.join(ROOT, 'events');
export const DEFAULT_TABLE_NAME = 'index-management-local';

export interface InvokeTarget {
  readonly operation: string;
  /** Handler module relative to the repository root. */
  readonly handler: string;
  /** Whether the handler reads or writes the table (route-table operations do). */
  readonly usesTable: boolean;
  /** A scheduled worker (takes an EventBridge event and returns its run's summary). */
  readonly worker?: boolean;
}

/** Everything `invoke` can run: the route table's operations, the fallback, the proxy, the workers. */
export const invokeTargets = (): InvokeTarget[] => [
  ...operations.map((o) => ({ operation: o.operation, handler: o.handler, usesTable: true })),
  { ...fallback, usesTable: false },
  { ...dataPlaneProxy, usesTable: false },
  ...workers.map((w) => ({ operation: w.worker, handler: w.handler, usesTable: true, worker: true })),
];

export const findTarget = (operation: string): InvokeTarget => {
  const target = invokeTargets().find((t) => t.operation === operation);
  if (!target) {
    throw new UsageError(
      `unknown operation [${operation}]; one of: ${invokeTargets()
        .map((t) => t.operation)
        .join(', ')}`,
    );
  }
  return target;
};

export class UsageError extends Error {}

export const defaultEventFile = (operation: string): string => path.join(EVENTS_DIR, `${operation}.json`);

export const loadEvent = <E = ApiEvent>(file: string): E => {
  if (!fs.existsSync(file)) throw new UsageError(`no event file at ${file}`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as E;
  } catch (e) {
    throw new UsageError(`${file} is not JSON: ${(e as Error).message}`);
  }
};

/**
 * Loads the operation's handler module and calls it with the event and a Lambda context. The
 * environment (TABLE_NAME, endpoints) must be in place before the first call: handlers read it
 * when they first need it.
 */
export const invokeOperation = async (operation: string, event: ApiEvent): Promise<ApiResult> => {
  const target = findTarget(operation);
  if (target.worker) throw new UsageError(`${operation} is a worker: use invokeWorker`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(ROOT, target.handler)) as { handler?: ApiHandler };
  if (typeof mod.handler !== 'function')
    throw new Error(`${target.handler} does not export a handler function`);
  return mod.handler(event, lambdaContext(operation));
};

/** Runs a worker's handler once with an EventBridge event; returns the run's summary. */
export const invokeWorker = async (name: string, event: WorkerEvent): Promise<unknown> => {
  const worker = workers.find((w) => w.worker === name);
  if (!worker) throw new UsageError(`unknown worker [${name}]`);
  return runWorker(worker, event);
};

/** The body as text (base64 bodies decoded). */
export const bodyText = (result: ApiResult): string =>
  result.body === undefined
    ? ''
    : result.isBase64Encoded
      ? Buffer.from(result.body, 'base64').toString('utf8')
      : result.body;

export const formatResult = (result: ApiResult): string => {
  const lines = [`status: ${result.statusCode ?? 200}`];
  for (const [name, value] of Object.entries(result.headers ?? {})) lines.push(`${name}: ${String(value)}`);
  const text = bodyText(result);
  lines.push('');
  try {
    lines.push(text === '' ? '(no body)' : JSON.stringify(JSON.parse(text), null, 2));
  } catch {
    lines.push(text);
  }
  return lines.join('\n');
};

/** Defaults for a local run; DynamoDB Local accepts any credentials, but the SDK wants some. */
const localEnvironment = (): void => {
  process.env.TABLE_NAME ||= DEFAULT_TABLE_NAME;
  process.env.AWS_REGION ||= process.env.AWS_DEFAULT_REGION || 'us-east-1';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ||= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ||= 'WARN';
};

const isLocalEndpoint = (url: string): boolean =>
  /^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\]|host\.docker\.internal)(:|\/|$)/.test(url);

/**
 * Runs `fn` with a DynamoDB that has the table: the one at AWS_ENDPOINT_URL_DYNAMODB, or an
 * in-memory DynamoDB Local started for the occasion and stopped afterwards.
 */
export const withTable = async <T>(fn: () => Promise<T>): Promise<T> => {
  let started: Awaited<ReturnType<typeof startDynamoDbLocal>> | undefined;
  if (!process.env.AWS_ENDPOINT_URL_DYNAMODB) {
    process.stderr.write(
      'starting an in-memory DynamoDB Local for this one invocation; to keep documents between invocations,\n' +
        'point AWS_ENDPOINT_URL_DYNAMODB at a running one (e.g. the one `npm start` prints)\n',
    );
    started = await startDynamoDbLocal();
    process.env.AWS_ENDPOINT_URL_DYNAMODB = started.endpoint;
  }
  if (isLocalEndpoint(process.env.AWS_ENDPOINT_URL_DYNAMODB)) {
    process.env.AWS_ACCESS_KEY_ID ||= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ||= 'local';
  }
  try {
    await ensureTable(process.env.TABLE_NAME as string);
    return await fn();
  } finally {
    if (started) {
      await started.stop();
      delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    }
  }
};

const USAGE = `usage: npm run invoke -- <operation> [event.json]
       npm run invoke -- events/<operation>.json
       npm run invoke -- --list`;

/** Parses `<operation> [file]` or `<file>` (the operation is then the file's base name). */
export const parseArgs = (argv: readonly string[]): { operation: string; eventFile: string } => {
  const [first, second, ...rest] = argv;
  if (!first || rest.length > 0) throw new UsageError(USAGE);
  if (first.endsWith('.json') && second === undefined) {
    return { operation: path.basename(first, '.json'), eventFile: path.resolve(first) };
  }
  return { operation: first, eventFile: second ? path.resolve(second) : defaultEventFile(first) };
};

export const main = async (argv: readonly string[]): Promise<number> => {
  if (argv[0] === '--list' || argv[0] === '-l') {
    for (const t of invokeTargets()) console.log(`${t.operation.padEnd(28)} ${t.handler}`);
    return 0;
  }
  if (argv[0] === '--help' || argv[0] === '-h') {
    console.log(USAGE);
    return 0;
  }
  let target: InvokeTarget;
  let event: ApiEvent | WorkerEvent;
  try {
    const args = parseArgs(argv);
    target = findTarget(args.operation);
    event = loadEvent<ApiEvent | WorkerEvent>(args.eventFile);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(e.message);
    return 2;
  }
  localEnvironment();
  if (
    target.operation === dataPlaneProxy.operation &&
    !process.env.CLUSTER_ENDPOINT &&
    !process.env.OPENSEARCH_URL
  ) {
    console.error(
      'the proxy needs a cluster: set OPENSEARCH_URL (or CLUSTER_ENDPOINT), e.g. OPENSEARCH_URL=http://localhost:9200',
    );
  }
  try {
    if (target.worker) {
      const summary = await withTable(() => invokeWorker(target.operation, event as WorkerEvent));
      console.log(JSON.stringify(summary, null, 2));
      return 0;
    }
    const run = (): Promise<ApiResult> => invokeOperation(target.operation, event as ApiEvent);
    const result = target.usesTable ? await withTable(run) : await run();
    console.log(formatResult(result));
    return 0;
  } catch (e) {
    console.error(`${target.operation} threw:`, e);
    return 1;
  }
};

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
