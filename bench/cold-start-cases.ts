/**
 * What every cold start of `npm run bench` (bench/run.ts) must answer, and the state it needs.
 *
 * A cold start only counts when the handler did its real work: each handler's sample event
 * (events/<operation>.json) is invoked on the state that work needs (the policy a GET reads, no
 * policy where a create makes one, a managed index for a retry...), set up untimed before every
 * run by bench/cold-start-fixtures.ts, and must get exactly the status OpenSearch answers to that
 * request, plus, where a 200 can also report a failure (`"failures":true`, an undelivered test
 * message), the body text that says the work was done. Any other answer fails the handler's row
 * and the bench exits 1.
 *
 * Every handler of the route table must have a case here (test/unit/bench/cold-start-cases.test.ts).
 */
import { dataPlaneProxy, fallback } from '../infra/routes';

/** State a run needs, set up before it (bench/cold-start-fixtures.ts says how). */
export const NEEDS = [
  // ISM policies and the deployment-wide switch.
  'ism-policy',
  'no-ism-policy',
  'ism-running',
  'ism-stopped',
  // The sample index `logs-000001` (write index of the `logs` alias) on the cluster.
  'logs-index',
  'logs-unmanaged',
  'logs-managed',
  /** Managed, and its rollover failed out of retries (what a retry is for). */
  'logs-failed',
  // Snapshot Management.
  'sm-policy',
  'no-sm-policy',
  /** Created anew; the event's `if_seq_no`/`if_primary_term` are set to the new document's. */
  'fresh-sm-policy',
  'sm-policy-started',
  'sm-policy-stopped',
  // Notifications: the sample channel, a webhook to a loopback receiver of the bench's.
  'channel',
  'no-channel',
  // Rollups.
  'rollup-job',
  'no-rollup-job',
  'rollup-job-started',
  'rollup-job-stopped',
  /** The sample job's target index, rolled up from a small source index (built once). */
  'rollup-index',
  // Transforms (of the rollup fixture's source index, `nyc-taxi-data`).
  'transform-job',
  'no-transform-job',
  'transform-job-started',
  'transform-job-stopped',
  // Ingestion: the sample index `orders` with an ingestion source.
  'no-orders-index',
  'orders-ingesting',
  'orders-paused',
  /** Talks to the cluster, with nothing else to set up. */
  'cluster',
] as const;
export type Need = (typeof NEEDS)[number];

/** Needs that need an OpenSearch cluster. */
export const CLUSTER_NEEDS: ReadonlySet<Need> = new Set<Need>([
  'logs-index',
  'logs-unmanaged',
  'logs-managed',
  'logs-failed',
  'rollup-index',
  'no-orders-index',
  'orders-ingesting',
  'orders-paused',
  'cluster',
]);

export interface ColdStartCase {
  /** The one status OpenSearch answers to the sample event on this state. */
  readonly status: number;
  /** Text the answer's body must contain: the work was done, not only accepted. */
  readonly bodyHas?: readonly string[];
  /** State set up, untimed, before every run, in this order. */
  readonly needs: readonly Need[];
}

const ACK = '"acknowledged":true';
const NO_FAILURES = '"failures":false';
const SHARDS_ACK = '"shards_acknowledged":true';

/** By operation name (and the bare handler, the fallback and the proxy). */
export const COLD_START_CASES: Readonly<Record<string, ColdStartCase>> = {
  bare: { status: 200, needs: [] },

  'ism.put_policy': { status: 201, bodyHas: ['"_id":"hot_warm_delete"'], needs: ['no-ism-policy'] },
  'ism.get_policy': { status: 200, bodyHas: ['"_id":"hot_warm_delete"'], needs: ['ism-policy'] },
  'ism.exists_policy': { status: 200, needs: ['ism-policy'] },
  // queryString=hot* finds the sample policy, the only one.
  'ism.get_policies': { status: 200, bodyHas: ['"total_policies":1'], needs: ['ism-policy'] },
  'ism.delete_policy': { status: 200, bodyHas: ['"result":"deleted"'], needs: ['ism-policy'] },
  'ism.add_policy': {
    status: 200,
    bodyHas: ['"updated_indices":1', NO_FAILURES],
    needs: ['logs-index', 'ism-policy', 'logs-unmanaged'],
  },
  'ism.remove_policy': {
    status: 200,
    bodyHas: ['"updated_indices":1', NO_FAILURES],
    needs: ['logs-managed'],
  },
  'ism.change_policy': {
    status: 200,
    bodyHas: ['"updated_indices":1', NO_FAILURES],
    needs: ['logs-managed'],
  },
  'ism.update_policy': {
    status: 200,
    bodyHas: ['"updated_indices":1', NO_FAILURES],
    needs: ['logs-managed'],
  },
  'ism.retry_index': { status: 200, bodyHas: ['"updated_indices":1', NO_FAILURES], needs: ['logs-failed'] },
  'ism.explain_policy': {
    status: 200,
    bodyHas: ['"policy_id":"hot_warm_delete"', '"total_managed_indices":1'],
    needs: ['logs-managed'],
  },
  'ism.explain_policy_post': {
    status: 200,
    bodyHas: ['"policy_id":"hot_warm_delete"', '"total_managed_indices":1'],
    needs: ['logs-managed'],
  },
  'ism.status': { status: 200, needs: [] },
  'ism.start': { status: 200, bodyHas: [ACK], needs: ['ism-stopped'] },
  'ism.stop': { status: 200, bodyHas: [ACK], needs: ['ism-running'] },

  'sm.create_policy': {
    status: 201,
    bodyHas: ['"_id":"daily-snapshots-sm-policy"'],
    needs: ['no-sm-policy'],
  },
  'sm.update_policy': {
    status: 200,
    bodyHas: ['"_id":"daily-snapshots-sm-policy"'],
    needs: ['fresh-sm-policy'],
  },
  'sm.get_policy': { status: 200, bodyHas: ['"_id":"daily-snapshots-sm-policy"'], needs: ['sm-policy'] },
  'sm.get_policies': { status: 200, bodyHas: ['"total_policies":1'], needs: ['sm-policy'] },
  'sm.delete_policy': { status: 200, bodyHas: ['"result":"deleted"'], needs: ['sm-policy'] },
  'sm.explain_policy': { status: 200, bodyHas: ['"name":"daily-snapshots"'], needs: ['sm-policy'] },
  'sm.start_policy': { status: 200, bodyHas: [ACK], needs: ['sm-policy-stopped'] },
  'sm.stop_policy': { status: 200, bodyHas: [ACK], needs: ['sm-policy-started'] },

  'indices.rollover': { status: 200, bodyHas: ['"dry_run":true'], needs: ['logs-index'] },

  'notifications.create_config': {
    status: 200,
    bodyHas: ['"config_id":"ops-webhook"'],
    needs: ['no-channel'],
  },
  'notifications.get_configs': { status: 200, bodyHas: ['"total_hits":1'], needs: ['channel'] },
  'notifications.delete_configs': { status: 200, bodyHas: ['"ops-webhook":"OK"'], needs: ['channel'] },
  'notifications.get_config': { status: 200, bodyHas: ['"config_id":"ops-webhook"'], needs: ['channel'] },
  'notifications.update_config': { status: 200, bodyHas: ['"config_id":"ops-webhook"'], needs: ['channel'] },
  'notifications.delete_config': { status: 200, bodyHas: ['"ops-webhook":"OK"'], needs: ['channel'] },
  // The test message reached the receiver, which answered 200.
  'notifications.send_test': { status: 200, bodyHas: ['"status_code":"200"'], needs: ['channel'] },
  'notifications.list_channels': { status: 200, bodyHas: ['"config_id":"ops-webhook"'], needs: ['channel'] },
  'notifications.list_features': { status: 200, needs: [] },

  'rollups.put': { status: 201, bodyHas: ['"_id":"nyc-taxi-hourly"'], needs: ['no-rollup-job'] },
  'rollups.get': { status: 200, bodyHas: ['"_id":"nyc-taxi-hourly"'], needs: ['rollup-job'] },
  'rollups.get_all': { status: 200, bodyHas: ['"total_rollups":1'], needs: ['rollup-job'] },
  'rollups.exists': { status: 200, needs: ['rollup-job'] },
  'rollups.delete': { status: 200, bodyHas: ['"result":"deleted"'], needs: ['rollup-job'] },
  'rollups.start': { status: 200, bodyHas: [ACK], needs: ['rollup-job-stopped'] },
  'rollups.stop': { status: 200, bodyHas: [ACK], needs: ['rollup-job-started'] },
  'rollups.explain': { status: 200, bodyHas: ['"nyc-taxi-hourly"'], needs: ['rollup-job'] },
  // Rewritten by the interceptor: the aggregations come back under the names asked for.
  'rollups.search': { status: 200, bodyHas: ['"avg_passengers"', '"by_location"'], needs: ['rollup-index'] },
  'rollups.search_get': { status: 200, bodyHas: ['"hits"'], needs: ['rollup-index'] },

  'transforms.put': {
    status: 201,
    bodyHas: ['"_id":"nyc-taxi-by-location"'],
    needs: ['rollup-index', 'no-transform-job'],
  },
  'transforms.get': { status: 200, bodyHas: ['"_id":"nyc-taxi-by-location"'], needs: ['transform-job'] },
  'transforms.search': { status: 200, bodyHas: ['"total_transforms":1'], needs: ['transform-job'] },
  'transforms.exists': { status: 200, needs: ['transform-job'] },
  // A disabled job: deleting an enabled one takes `force`.
  'transforms.delete': { status: 200, bodyHas: ['"result":"deleted"'], needs: ['transform-job-stopped'] },
  'transforms.start': { status: 200, bodyHas: [ACK], needs: ['transform-job-stopped'] },
  'transforms.stop': { status: 200, bodyHas: [ACK], needs: ['transform-job-started'] },
  'transforms.explain': {
    status: 200,
    bodyHas: ['"nyc-taxi-by-location"'],
    needs: ['transform-job', 'cluster'],
  },
  'transforms.preview': { status: 200, bodyHas: ['"documents"', '"location"'], needs: ['rollup-index'] },

  'indices.create': {
    status: 200,
    bodyHas: [ACK, SHARDS_ACK, '"index":"orders"'],
    needs: ['no-orders-index'],
  },
  'ingestion.pause': { status: 200, bodyHas: [ACK, SHARDS_ACK], needs: ['orders-ingesting'] },
  'ingestion.resume': { status: 200, bodyHas: [ACK, SHARDS_ACK], needs: ['orders-paused'] },
  'ingestion.get_state': { status: 200, bodyHas: ['"shard":0'], needs: ['orders-ingesting'] },
  'indices.get_settings': {
    status: 200,
    bodyHas: ['"ingestion_source":{', '"stream":"orders"'],
    needs: ['orders-ingesting'],
  },

  'cluster.put_settings': {
    status: 200,
    bodyHas: [ACK, '"jitter":"0.6"', '"enable":"all"'],
    needs: ['cluster'],
  },
  'cluster.get_settings': {
    status: 200,
    bodyHas: ['"plugins.index_state_management.job_interval":"', '"plugins.rollup.search.enabled":"'],
    needs: ['cluster'],
  },

  // A POST on a policy's path: OpenSearch's "Incorrect HTTP method" 405.
  [fallback.operation]: { status: 405, bodyHas: ['Incorrect HTTP method'], needs: [] },
  // GET _cluster/health through to the cluster.
  [dataPlaneProxy.operation]: { status: 200, bodyHas: ['"cluster_name"'], needs: ['cluster'] },
};

/** What the child process reports (bench/cold-start-child.js). */
export interface ChildAnswer {
  statusCode?: number;
  /** The start of the body (the child keeps its first BODY_CHARS characters). */
  body?: string;
  error?: string;
}

/** The child keeps this much of the body: enough for every `bodyHas`. */
export const BODY_CHARS = 4000;

/** Why a run's answer is wrong, or undefined when it is exactly what the case expects. */
export const wrongAnswer = (c: ColdStartCase, answer: ChildAnswer | undefined): string | undefined => {
  if (!answer) return 'no answer';
  if (answer.error) return answer.error;
  const body = answer.body ?? '';
  if (answer.statusCode !== c.status) {
    return `status ${answer.statusCode}, expected ${c.status}: ${body.slice(0, 600)}`;
  }
  const missing = (c.bodyHas ?? []).filter((text) => !body.includes(text));
  if (missing.length > 0) {
    return `status ${c.status}, but the body lacks ${missing.join(' and ')}: ${body.slice(0, 600)}`;
  }
  return undefined;
};

export const needsCluster = (c: ColdStartCase, talksToCluster: boolean): boolean =>
  talksToCluster || c.needs.some((n) => CLUSTER_NEEDS.has(n));

/** The expectation as the bench prints it. */
export const expectationText = (c: ColdStartCase): string =>
  `${c.status}${c.bodyHas && c.bodyHas.length > 0 ? ` with ${c.bodyHas.join(', ')}` : ''}`;
