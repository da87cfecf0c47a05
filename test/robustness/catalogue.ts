import fs from 'node:fs';
import path from 'node:path';
import { GLOBAL_PARAMS, operations, type HttpMethod } from '../../infra/routes';

/**
 * Every operation of the route table with what its sample event (events/<operation>.json) sends:
 * the seeds the fuzzer mutates. Derived, never written twice: a route added to the table is
 * fuzzed from its sample event on the next run.
 */
export interface CatalogueEntry {
  readonly operation: string;
  readonly method: HttpMethod;
  readonly paths: readonly string[];
  /** The operation's own query parameters and OpenSearch's global ones. */
  readonly params: readonly string[];
  readonly sample: {
    readonly pathParams: Readonly<Record<string, string>>;
    readonly query: Readonly<Record<string, string>>;
    /** The sample's body, parsed; undefined when it has none (or none that is JSON). */
    readonly body: unknown;
    readonly rawBody: string | undefined;
  };
  /** Whether a successful call may change stored state (not a GET, HEAD, search or preview). */
  readonly changesState: boolean;
  /** Whether it reaches the cluster (the route table's `cluster`). */
  readonly cluster: boolean;
}

const EVENTS = path.resolve(__dirname, '../../events');

interface SampleEvent {
  pathParameters?: Record<string, string> | null;
  queryStringParameters?: Record<string, string> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

const READS = new Set(['GET', 'HEAD']);
/** POSTs that only read: they answer from stored state and the cluster, writing nothing. */
const READING_POSTS = new Set([
  'ism.explain_policy_post',
  'rollups.search',
  'transforms.preview',
  'notifications.send_test',
]);

const readSample = (operation: string): SampleEvent => {
  const file = path.join(EVENTS, `${operation}.json`);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as SampleEvent) : {};
};

const parsed = (raw: string | undefined): unknown => {
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
};

export const catalogue = (): CatalogueEntry[] =>
  operations.map((op) => {
    const event = readSample(op.operation);
    const rawBody =
      event.body === undefined || event.body === null
        ? undefined
        : event.isBase64Encoded
          ? Buffer.from(event.body, 'base64').toString('utf8')
          : event.body;
    return {
      operation: op.operation,
      method: op.method,
      paths: op.paths,
      params: [...op.params, ...GLOBAL_PARAMS],
      sample: {
        pathParams: event.pathParameters ?? {},
        query: event.queryStringParameters ?? {},
        body: parsed(rawBody),
        rawBody,
      },
      changesState: !READS.has(op.method) && !READING_POSTS.has(op.operation),
      cluster: op.cluster === true,
    };
  });
