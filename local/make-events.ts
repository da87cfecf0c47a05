import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataPlaneProxy, fallback, operations, type Operation } from '../infra/routes';
import { workers } from '../infra/workers';
import type { ApiEvent } from '../lambdas/shared/http';
import type { WorkerEvent } from '../lambdas/shared/worker';
import { toApiEvent } from './api-event';
import { scheduledEvent } from './scheduler';

/**
 * Writes `events/<operation>.json`: one API Gateway (HTTP API, payload 2.0) event per handler of
 * the route table, plus the fallback and the data-plane proxy, shaped as the deployed API hands
 * them to Lambda (IAM-authorized, `$default` stage); and `events/<worker>.json`, the EventBridge
 * scheduled event of each worker of the worker table. Used by `npm run invoke` and
 * `sam local invoke -e`.
 *
 *   npx ts-node --transpile-only local/make-events.ts [--check]
 *
 * `--check` writes nothing and exits 1 when a file is missing or differs (for CI).
 */
export const EVENTS_DIR = path.resolve(__dirname, '..', 'events');

interface Sample {
  path: string;
  pathParameters?: Record<string, string>;
  query?: string;
  body?: unknown;
  /** The route that matched, as API Gateway reports it. */
  routeKey: string;
  method: string;
}

/** The hot → warm → delete lifecycle of OpenSearch's documentation, with an ISM template. */
export const HOT_WARM_DELETE_POLICY = {
  policy: {
    description: 'hot-warm-delete: roll over daily or at 50gb, drop replicas after 7 days, delete after 30',
    default_state: 'hot',
    states: [
      {
        name: 'hot',
        actions: [
          {
            timeout: '1d',
            retry: { count: 3, backoff: 'exponential', delay: '1m' },
            rollover: { min_size: '50gb', min_index_age: '1d' },
          },
        ],
        transitions: [{ state_name: 'warm', conditions: { min_index_age: '7d' } }],
      },
      {
        name: 'warm',
        actions: [{ replica_count: { number_of_replicas: 1 } }],
        transitions: [{ state_name: 'delete', conditions: { min_index_age: '30d' } }],
      },
      { name: 'delete', actions: [{ delete: {} }], transitions: [] },
    ],
    ism_template: [{ index_patterns: ['logs-*'], priority: 100 }],
  },
};

export const SAMPLE_POLICY_ID = 'hot_warm_delete';

/**
 * The first index behind the `logs` rollover alias (the rollover sample's alias); the sample
 * policy's ISM template matches it. The managed-index samples act on it.
 */
export const SAMPLE_ROLLOVER_ALIAS = 'logs';
export const SAMPLE_ISM_INDEX = `${SAMPLE_ROLLOVER_ALIAS}-000001`;

/** A daily snapshot at 08:00 UTC into `my-fs-repo`, keeping 7 to 21 snapshots for a week. */
export const DAILY_SNAPSHOT_POLICY = {
  description: 'Daily snapshot at 08:00 UTC, kept for a week (7 to 21 snapshots)',
  creation: { schedule: { cron: { expression: '0 8 * * *', timezone: 'UTC' } }, time_limit: '1h' },
  deletion: {
    schedule: { cron: { expression: '0 1 * * *', timezone: 'America/Los_Angeles' } },
    condition: { max_age: '7d', min_count: 7, max_count: 21 },
  },
  snapshot_config: { repository: 'my-fs-repo', date_format: 'yyyy-MM-dd-HH:mm', indices: '*' },
};

export const SAMPLE_SM_POLICY = 'daily-snapshots';
/** The NYC taxi rollup job of OpenSearch's documentation. */
export const SAMPLE_ROLLUP_ID = 'nyc-taxi-hourly';
export const NYC_TAXI_ROLLUP = {
  rollup: {
    source_index: 'nyc-taxi-data',
    target_index: 'rollup-nyc-taxi-data',
    description: 'Example rollup job',
    schedule: { interval: { period: 1, unit: 'Days' } },
    page_size: 200,
    delay: 0,
    continuous: false,
    dimensions: [
      {
        date_histogram: {
          source_field: 'tpep_pickup_datetime',
          fixed_interval: '1h',
          timezone: 'America/Los_Angeles',
        },
      },
      { terms: { source_field: 'PULocationID' } },
    ],
    metrics: [
      {
        source_field: 'passenger_count',
        metrics: [{ avg: {} }, { sum: {} }, { max: {} }, { min: {} }, { value_count: {} }],
      },
    ],
  },
};

/** A transform of the same taxi data: passengers per pickup location. */
export const SAMPLE_TRANSFORM_ID = 'nyc-taxi-by-location';
export const NYC_TAXI_TRANSFORM = {
  transform: {
    enabled: false,
    continuous: false,
    schedule: { interval: { period: 1, unit: 'Minutes', start_time: 1736937000000 } },
    description: 'Passengers per pickup location',
    source_index: NYC_TAXI_ROLLUP.rollup.source_index,
    target_index: 'nyc-taxi-by-location',
    data_selection_query: { match_all: {} },
    page_size: 1000,
    groups: [{ terms: { source_field: 'PULocationID', target_field: 'location' } }],
    aggregations: {
      passengers: { sum: { field: 'passenger_count' } },
      avg_passengers: { avg: { field: 'passenger_count' } },
      max_passengers: { max: { field: 'passenger_count' } },
    },
  },
};

const transformSample =
  (suffix = '', body?: unknown) =>
  (op: Operation): Sample => ({
    method: op.method,
    path: `/_plugins/_transform/${SAMPLE_TRANSFORM_ID}${suffix}`,
    pathParameters: { id: SAMPLE_TRANSFORM_ID },
    body,
    routeKey: routeKey(op, `/_plugins/_transform/{id}${suffix}`),
  });

const rollupSample =
  (suffix = '', body?: unknown) =>
  (op: Operation): Sample => ({
    method: op.method,
    path: `/_plugins/_rollup/jobs/${SAMPLE_ROLLUP_ID}${suffix}`,
    pathParameters: { id: SAMPLE_ROLLUP_ID },
    body,
    routeKey: routeKey(op, `/_plugins/_rollup/jobs/{id}${suffix}`),
  });

const routeKey = (op: Operation, template: string): string => `${op.method} ${template}`;
const policyPath = (op: Operation): string =>
  op.paths.find((p) => p === '/_plugins/_ism/policies/{policy_id}') ?? op.paths[0];

export const SAMPLE_CONFIG_ID = 'ops-webhook';

/** A custom-webhook channel, as in OpenSearch's Notifications documentation. */
export const SAMPLE_CHANNEL = {
  config_id: SAMPLE_CONFIG_ID,
  config: {
    name: 'Ops webhook',
    description: 'ISM and SM failures',
    config_type: 'webhook',
    is_enabled: true,
    webhook: {
      url: 'http://localhost:8080/notifications',
      header_params: { 'Content-Type': 'application/json' },
    },
  },
};

const configPath = '/_plugins/_notifications/configs/{config_id}';
const configSample =
  (body?: unknown) =>
  (op: Operation): Sample => ({
    method: op.method,
    path: `/_plugins/_notifications/configs/${SAMPLE_CONFIG_ID}`,
    pathParameters: { config_id: SAMPLE_CONFIG_ID },
    body,
    routeKey: routeKey(op, configPath),
  });

/** Samples for the operations that have one; others get a generic event from their first path. */
const SAMPLES: Record<string, (op: Operation) => Sample> = {
  'ism.put_policy': (op) => ({
    method: op.method,
    path: `/_plugins/_ism/policies/${SAMPLE_POLICY_ID}`,
    pathParameters: { policy_id: SAMPLE_POLICY_ID },
    body: HOT_WARM_DELETE_POLICY,
    routeKey: routeKey(op, policyPath(op)),
  }),
  'ism.get_policy': (op) => ({
    method: op.method,
    path: `/_plugins/_ism/policies/${SAMPLE_POLICY_ID}`,
    pathParameters: { policy_id: SAMPLE_POLICY_ID },
    routeKey: routeKey(op, policyPath(op)),
  }),
  'ism.exists_policy': (op) => ({
    method: op.method,
    path: `/_plugins/_ism/policies/${SAMPLE_POLICY_ID}`,
    pathParameters: { policy_id: SAMPLE_POLICY_ID },
    routeKey: routeKey(op, policyPath(op)),
  }),
  'ism.get_policies': (op) => ({
    method: op.method,
    path: '/_plugins/_ism/policies',
    query: 'from=0&size=20&sortField=policy.policy_id.keyword&sortOrder=asc&queryString=hot*',
    routeKey: routeKey(op, '/_plugins/_ism/policies'),
  }),
  'rollups.put': rollupSample('', NYC_TAXI_ROLLUP),
  'rollups.get': rollupSample(),
  'rollups.exists': rollupSample(),
  'rollups.delete': rollupSample(),
  'rollups.start': rollupSample('/_start'),
  'rollups.stop': rollupSample('/_stop'),
  'rollups.explain': rollupSample('/_explain'),
  'transforms.put': transformSample('', NYC_TAXI_TRANSFORM),
  'transforms.get': transformSample(),
  'transforms.exists': transformSample(),
  'transforms.delete': transformSample(),
  'transforms.start': transformSample('/_start'),
  'transforms.stop': transformSample('/_stop'),
  'transforms.explain': transformSample('/_explain'),
  'transforms.search': (op) => ({
    method: op.method,
    path: '/_plugins/_transform',
    query: 'search=nyc-taxi&from=0&size=20&sortField=transform.transform_id.keyword&sortDirection=asc',
    routeKey: routeKey(op, '/_plugins/_transform'),
  }),
  'transforms.preview': (op) => ({
    method: op.method,
    path: '/_plugins/_transform/_preview',
    body: NYC_TAXI_TRANSFORM,
    routeKey: routeKey(op, '/_plugins/_transform/_preview'),
  }),
  'ism.delete_policy': (op) => ({
    method: op.method,
    path: `/_plugins/_ism/policies/${SAMPLE_POLICY_ID}`,
    pathParameters: { policy_id: SAMPLE_POLICY_ID },
    routeKey: routeKey(op, policyPath(op)),
  }),
  // A dry run: safe to invoke against any cluster (a missing alias answers 400, as OpenSearch does).
  'indices.rollover': (op) => ({
    method: op.method,
    path: `/${SAMPLE_ROLLOVER_ALIAS}/_rollover`,
    pathParameters: { index: SAMPLE_ROLLOVER_ALIAS },
    query: 'dry_run=true',
    body: { conditions: { max_age: '7d', max_docs: 1000000, max_size: '50gb' } },
    routeKey: routeKey(op, '/{index}/_rollover'),
  }),
  'notifications.create_config': (op) => ({
    method: op.method,
    path: '/_plugins/_notifications/configs',
    body: SAMPLE_CHANNEL,
    routeKey: routeKey(op, '/_plugins/_notifications/configs'),
  }),
  'notifications.get_config': configSample(),
  'notifications.update_config': configSample({ config: { ...SAMPLE_CHANNEL.config, is_enabled: false } }),
  'notifications.delete_config': configSample(),
  'notifications.get_configs': (op) => ({
    method: op.method,
    path: '/_plugins/_notifications/configs',
    query: 'config_type=webhook,slack&sort_field=name&sort_order=asc&max_items=10',
    routeKey: routeKey(op, '/_plugins/_notifications/configs'),
  }),
  'notifications.delete_configs': (op) => ({
    method: op.method,
    path: '/_plugins/_notifications/configs',
    query: `config_id_list=${SAMPLE_CONFIG_ID}`,
    routeKey: routeKey(op, '/_plugins/_notifications/configs'),
  }),
  'notifications.send_test': (op) => ({
    method: op.method,
    path: `/_plugins/_notifications/feature/test/${SAMPLE_CONFIG_ID}`,
    pathParameters: { config_id: SAMPLE_CONFIG_ID },
    routeKey: routeKey(op, '/_plugins/_notifications/feature/test/{config_id}'),
  }),
};

const smSample =
  (suffix = '', body?: unknown, query?: string) =>
  (op: Operation): Sample => ({
    method: op.method,
    path: `/_plugins/_sm/policies/${SAMPLE_SM_POLICY}${suffix}`,
    pathParameters: { policy_name: SAMPLE_SM_POLICY },
    query,
    body,
    routeKey: routeKey(op, op.paths[0]),
  });
Object.assign(SAMPLES, {
  'sm.create_policy': smSample('', DAILY_SNAPSHOT_POLICY),
  'sm.update_policy': smSample('', DAILY_SNAPSHOT_POLICY, 'if_seq_no=0&if_primary_term=1'),
  'sm.get_policy': smSample(),
  'sm.delete_policy': smSample(),
  'sm.explain_policy': smSample('/_explain'),
  'sm.start_policy': smSample('/_start'),
  'sm.stop_policy': smSample('/_stop'),
  'sm.get_policies': (op: Operation): Sample => ({
    method: op.method,
    path: '/_plugins/_sm/policies',
    query: 'from=0&size=20&sortField=sm_policy.name&sortOrder=asc&queryString=daily*',
    routeKey: routeKey(op, '/_plugins/_sm/policies'),
  }),
});

/** An index that pulls from newline-delimited JSON files (`<base_directory>/<stream>/<shard>.ndjson`). */
export const SAMPLE_INGEST_INDEX = 'orders';
const indexSample = (op: Operation, suffix: string, body?: unknown): Sample => ({
  method: op.method,
  path: `/${SAMPLE_INGEST_INDEX}${suffix}`,
  pathParameters: { index: SAMPLE_INGEST_INDEX },
  body,
  routeKey: routeKey(op, op.paths[0]),
});
Object.assign(SAMPLES, {
  'indices.create': (op: Operation) =>
    indexSample(op, '', {
      settings: {
        ingestion_source: {
          type: 'file',
          'pointer.init.reset': 'earliest',
          error_strategy: 'DROP',
          'poll.max_batch_size': 500,
          param: { stream: 'orders', base_directory: '/tmp/ingestion' },
        },
        index: { number_of_shards: 1, number_of_replicas: 0 },
      },
      mappings: { properties: { name: { type: 'text' } } },
    }),
  'ingestion.pause': (op: Operation) => indexSample(op, '/ingestion/_pause'),
  'ingestion.resume': (op: Operation) =>
    indexSample(op, '/ingestion/_resume', { reset_settings: [{ shard: 0, mode: 'OFFSET', value: '0' }] }),
  'ingestion.get_state': (op: Operation) => ({ ...indexSample(op, '/ingestion/_state'), query: 'size=100' }),
  'indices.get_settings': (op: Operation) => indexSample(op, '/_settings'),
} satisfies Record<string, (op: Operation) => Sample>);

/** One plugin setting (ours) and one of the cluster's, in one request, as users send them. */
Object.assign(SAMPLES, {
  'cluster.put_settings': (op: Operation): Sample => ({
    method: op.method,
    path: '/_cluster/settings',
    body: {
      transient: { 'plugins.index_state_management.jitter': 0.6, 'cluster.routing.allocation.enable': 'all' },
    },
    routeKey: routeKey(op, op.paths[0]),
  }),
  'cluster.get_settings': (op: Operation): Sample => ({
    method: op.method,
    path: '/_cluster/settings',
    // Every plugin setting with the value in force (the cluster's own defaults filtered out).
    query: 'include_defaults=true&flat_settings=true&filter_path=persistent,transient,defaults.plugins*',
    routeKey: routeKey(op, op.paths[0]),
  }),
} satisfies Record<string, (op: Operation) => Sample>);

const ismIndexSample =
  (action: string, body?: unknown) =>
  (op: Operation): Sample => ({
    method: op.method,
    path: `/_plugins/_ism/${action}/${SAMPLE_ISM_INDEX}`,
    pathParameters: { index: SAMPLE_ISM_INDEX },
    body,
    routeKey: routeKey(op, `/_plugins/_ism/${action}/{index}`),
  });
/** Move the index to the policy's warm state (change_policy and its Open Distro name update_policy). */
const CHANGE_TO_WARM = { policy_id: SAMPLE_POLICY_ID, state: 'warm' };
/** A search of the sample rollup job's target index, which the interceptor rewrites. */
const ROLLUP_TARGET = NYC_TAXI_ROLLUP.rollup.target_index;
Object.assign(SAMPLES, {
  'ism.add_policy': ismIndexSample('add', { policy_id: SAMPLE_POLICY_ID }),
  'ism.remove_policy': ismIndexSample('remove'),
  'ism.change_policy': ismIndexSample('change_policy', CHANGE_TO_WARM),
  'ism.update_policy': ismIndexSample('update_policy', CHANGE_TO_WARM),
  'ism.retry_index': ismIndexSample('retry'),
  'ism.explain_policy': ismIndexSample('explain'),
  'ism.explain_policy_post': ismIndexSample('explain', { filter: { policy_id: SAMPLE_POLICY_ID } }),
  'rollups.search': (op: Operation): Sample => ({
    method: op.method,
    path: `/${ROLLUP_TARGET}/_search`,
    pathParameters: { index: ROLLUP_TARGET },
    body: {
      size: 0,
      aggs: {
        avg_passengers: { avg: { field: 'passenger_count' } },
        by_location: { terms: { field: 'PULocationID', size: 5 } },
      },
    },
    routeKey: routeKey(op, '/{index}/_search'),
  }),
  'rollups.search_get': (op: Operation): Sample => ({
    method: op.method,
    path: `/${ROLLUP_TARGET}/_search`,
    pathParameters: { index: ROLLUP_TARGET },
    query: 'size=0&q=PULocationID:132',
    routeKey: routeKey(op, '/{index}/_search'),
  }),
} satisfies Record<string, (op: Operation) => Sample>);

/** Fills `{param}` / `{param+}` segments with `sample` values. */
const genericSample = (op: Operation): Sample => {
  const template = op.paths.find((p) => p.startsWith('/_plugins')) ?? op.paths[0];
  const pathParameters: Record<string, string> = {};
  const concrete = template.replace(
    /\{(\w+)\+?\}/g,
    (_, name: string) => (pathParameters[name] = `sample-${name}`.replace(/_/g, '-')),
  );
  return {
    method: op.method,
    path: concrete,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : undefined,
    body: ['PUT', 'POST'].includes(op.method) ? {} : undefined,
    routeKey: routeKey(op, template),
  };
};

const FIXED_TIME = new Date('2025-01-15T10:30:00.000Z');

/** The fields a deployed, IAM-authorized API adds beside what `toApiEvent` builds. */
const asDeployed = (event: ApiEvent, name: string, sample: Sample): ApiEvent => {
  const apiId = 'a1b2c3d4e5';
  const domainName = `${apiId}.execute-api.eu-west-1.amazonaws.com`;
  const hasBody = sample.body !== undefined;
  return {
    ...event,
    headers: {
      accept: 'application/json',
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
      ...(hasBody ? { 'content-length': String(Buffer.byteLength(event.body ?? '')) } : {}),
      host: domainName,
      'user-agent': 'opensearch-py/2.8.0 (Python 3.12.8)',
      'x-amz-date': '20250115T103000Z',
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      'x-amzn-trace-id': 'Root=1-67878d18-0123456789abcdef01234567',
      'x-forwarded-for': '203.0.113.10',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
    },
    requestContext: {
      ...event.requestContext,
      accountId: '123456789012',
      apiId,
      domainName,
      domainPrefix: apiId,
      http: {
        ...event.requestContext.http,
        sourceIp: '203.0.113.10',
        userAgent: 'opensearch-py/2.8.0 (Python 3.12.8)',
      },
      requestId: `sample-${name}`,
      time: '15/Jan/2025:10:30:00 +0000',
      timeEpoch: FIXED_TIME.getTime(),
      // HTTP APIs with IAM authorization pass the caller's identity.
      authorizer: {
        iam: {
          accessKey: 'ASIAEXAMPLEKEY000000',
          accountId: '123456789012',
          callerId: 'AROAEXAMPLEROLEID0000:ops',
          principalOrgId: null,
          userArn: 'arn:aws:sts::123456789012:assumed-role/opensearch-ops/ops',
          userId: 'AROAEXAMPLEROLEID0000:ops',
          cognitoIdentity: null,
        },
      },
    } as ApiEvent['requestContext'],
  };
};

const build = (name: string, sample: Sample): ApiEvent =>
  asDeployed(
    toApiEvent({
      method: sample.method,
      path: sample.path,
      rawQueryString: sample.query,
      headers: sample.body === undefined ? {} : { 'content-type': 'application/json' },
      body: sample.body === undefined ? undefined : JSON.stringify(sample.body),
      pathParameters: sample.pathParameters,
      routeKey: sample.routeKey,
    }),
    name,
    sample,
  );

/** The scheduled event of a worker's EventBridge rule, at a fixed time and with a fixed id. */
const workerEvent = (worker: (typeof workers)[number]): WorkerEvent => ({
  ...scheduledEvent(worker, FIXED_TIME),
  id: `sample-${worker.worker}`,
  account: '123456789012',
  region: 'eu-west-1',
  resources: [`arn:aws:events:eu-west-1:123456789012:rule/${worker.worker}`],
});

/** Every sample event, by operation or worker name (the file name without `.json`). */
export const sampleEvents = (): Map<string, ApiEvent | WorkerEvent> => {
  const events = new Map<string, ApiEvent | WorkerEvent>();
  for (const worker of workers) events.set(worker.worker, workerEvent(worker));
  for (const op of operations)
    events.set(op.operation, build(op.operation, (SAMPLES[op.operation] ?? genericSample)(op)));
  // An owned path with a method no operation serves: the fallback answers 405, as OpenSearch does.
  events.set(
    fallback.operation,
    build(fallback.operation, {
      method: 'POST',
      path: `/_plugins/_ism/policies/${SAMPLE_POLICY_ID}`,
      pathParameters: { proxy: `_ism/policies/${SAMPLE_POLICY_ID}` },
      routeKey: 'ANY /_plugins/{proxy+}',
    }),
  );
  events.set(
    dataPlaneProxy.operation,
    build(dataPlaneProxy.operation, {
      method: 'GET',
      path: '/_cluster/health',
      query: 'pretty=true',
      routeKey: '$default',
    }),
  );
  return events;
};

const main = (): void => {
  const check = process.argv.includes('--check');
  fs.mkdirSync(EVENTS_DIR, { recursive: true });
  let stale = 0;
  for (const [name, event] of sampleEvents()) {
    const file = path.join(EVENTS_DIR, `${name}.json`);
    const text = `${JSON.stringify(event, null, 2)}\n`;
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (current === text) continue;
    if (check) {
      stale++;
      console.error(
        `${path.relative(process.cwd(), file)} is ${current === undefined ? 'missing' : 'out of date'}`,
      );
    } else {
      fs.writeFileSync(file, text);
      console.log(`wrote ${path.relative(process.cwd(), file)}`);
    }
  }
  if (stale > 0) {
    console.error('run: npx ts-node --transpile-only local/make-events.ts');
    process.exitCode = 1;
  }
};

if (require.main === module) main();
