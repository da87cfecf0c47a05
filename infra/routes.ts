/**
 * The route table: the single source of truth for the API. The CDK stack builds one Lambda per
 * operation from it and the local server mounts the same table, so a route added here exists in
 * both places. Every index-management route exists under both OpenSearch prefixes.
 */
import { ID_PARAMS, LIST_PARAMS } from '../lambdas/notifications/channel/list-params';
import type { ControlPlaneConfig } from './config';

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';

export interface Operation {
  /** OpenSearch API-spec operation group, e.g. `ism.put_policy`. Also the Lambda's logical name. */
  readonly operation: string;
  readonly method: HttpMethod;
  /** Path templates; `{name}` segments become path parameters. */
  readonly paths: readonly string[];
  /** Handler module, relative to the repository root; it exports `handler`. */
  readonly handler: string;
  /** Query parameters the operation accepts, beside OpenSearch's global ones. */
  readonly params: readonly string[];
  /** Whether the operation talks to the cluster (gets the cluster endpoint and credentials). */
  readonly cluster?: boolean;
  /** Whether it delivers notifications (may publish to SNS topics and assume a channel's role_arn). */
  readonly notify?: boolean;
  /** Extra environment for the function, from the deployment's context (see infra/config.ts). */
  readonly configEnvironment?: (config: ControlPlaneConfig) => Record<string, string>;
  /**
   * Whether it reads ingestion streams with its own role (Kinesis; see `kinesisStreamArns` in
   * infra/config.ts): a rollover of an ingesting index reads the stream to hand it over.
   */
  readonly streams?: boolean;
}

const both = (suffix: string): string[] => [`/_plugins${suffix}`, `/_opendistro${suffix}`];

/** The plugin's `plugins.rollup.search.*` cluster settings (lambdas/rollup/search/settings.ts reads them). */
const rollupSearchEnvironment = (config: ControlPlaneConfig): Record<string, string> => ({
  ROLLUP_SEARCH_ENABLED: String(config.rollup.search.enabled),
  ROLLUP_SEARCH_ALL_JOBS: String(config.rollup.search.allJobs),
  ROLLUP_SEARCH_SOURCE_INDICES: String(config.rollup.search.sourceIndices),
});

/**
 * The deployment's values of the plugin's cluster settings (see lambdas/shared/plugin-settings.ts
 * nodeSettingsFromEnv), which `GET _cluster/settings?include_defaults` shows as a node's own.
 */
const pluginSettingsEnvironment = (config: ControlPlaneConfig): Record<string, string> => ({
  ...rollupSearchEnvironment(config),
  ISM_JOB_INTERVAL_MINUTES: String(config.ism.jobIntervalMinutes),
  ISM_JITTER: String(config.ism.jitter),
  ISM_HISTORY_ENABLED: String(config.ism.history.enabled),
  ISM_HISTORY_MAX_DOCS: String(config.ism.history.maxDocs),
  ISM_HISTORY_MAX_AGE_HOURS: String(config.ism.history.maxAgeHours),
  ISM_HISTORY_RETENTION_DAYS: String(config.ism.history.retentionDays),
  ISM_HISTORY_REPLICAS: String(config.ism.history.replicas),
});

/** Query parameters OpenSearch accepts on every route. */
export const GLOBAL_PARAMS = ['pretty', 'human', 'error_trace', 'filter_path', 'source'] as const;

const EXPLAIN_PARAMS = [
  'index',
  'type',
  'local',
  'cluster_manager_timeout',
  'master_timeout',
  'show_policy',
  'validate_action',
  'size',
  'from',
  'sortField',
  'sortOrder',
  'queryString',
];

/** How a multi-index request resolves its index expression (OpenSearch's IndicesOptions). */
const INDEX_OPTIONS = ['ignore_unavailable', 'allow_no_indices', 'expand_wildcards'] as const;

export const operations: readonly Operation[] = [
  {
    operation: 'ism.put_policy',
    method: 'PUT',
    paths: [...both('/_ism/policies/{policy_id}'), ...both('/_ism/policies')],
    handler: 'lambdas/ism/handlers/put-policy.ts',
    params: ['if_seq_no', 'if_primary_term', 'policyID', 'refresh'],
  },
  {
    operation: 'ism.get_policy',
    method: 'GET',
    paths: both('/_ism/policies/{policy_id}'),
    handler: 'lambdas/ism/handlers/get-policy.ts',
    params: ['version'],
  },
  {
    operation: 'ism.exists_policy',
    method: 'HEAD',
    paths: both('/_ism/policies/{policy_id}'),
    handler: 'lambdas/ism/handlers/exists-policy.ts',
    params: ['version'],
  },
  {
    operation: 'ism.get_policies',
    method: 'GET',
    paths: both('/_ism/policies'),
    handler: 'lambdas/ism/handlers/get-policies.ts',
    params: ['from', 'size', 'sortField', 'sortOrder', 'queryString', 'policyID'],
  },
  {
    operation: 'ism.delete_policy',
    method: 'DELETE',
    paths: both('/_ism/policies/{policy_id}'),
    handler: 'lambdas/ism/handlers/delete-policy.ts',
    params: ['refresh'],
  },
  // Snapshot Management: no legacy `_opendistro` prefix in OpenSearch.
  {
    operation: 'sm.create_policy',
    method: 'POST',
    paths: ['/_plugins/_sm/policies/{policy_name}'],
    handler: 'lambdas/sm/handlers/create-policy.ts',
    params: ['refresh'],
  },
  {
    operation: 'sm.update_policy',
    method: 'PUT',
    paths: ['/_plugins/_sm/policies/{policy_name}'],
    handler: 'lambdas/sm/handlers/update-policy.ts',
    params: ['if_seq_no', 'if_primary_term', 'refresh'],
  },
  {
    operation: 'sm.get_policy',
    method: 'GET',
    paths: ['/_plugins/_sm/policies/{policy_name}'],
    handler: 'lambdas/sm/handlers/get-policy.ts',
    params: [],
  },
  {
    operation: 'sm.get_policies',
    method: 'GET',
    paths: ['/_plugins/_sm/policies'],
    handler: 'lambdas/sm/handlers/get-policies.ts',
    params: ['from', 'size', 'sortField', 'sortOrder', 'queryString'],
  },
  {
    operation: 'sm.delete_policy',
    method: 'DELETE',
    paths: ['/_plugins/_sm/policies/{policy_name}'],
    handler: 'lambdas/sm/handlers/delete-policy.ts',
    params: ['refresh'],
  },
  {
    operation: 'sm.explain_policy',
    method: 'GET',
    paths: ['/_plugins/_sm/policies/{policy_name}/_explain'],
    handler: 'lambdas/sm/handlers/explain-policy.ts',
    params: [],
  },
  {
    operation: 'sm.start_policy',
    method: 'POST',
    paths: ['/_plugins/_sm/policies/{policy_name}/_start'],
    handler: 'lambdas/sm/handlers/start-policy.ts',
    params: [],
  },
  {
    operation: 'sm.stop_policy',
    method: 'POST',
    paths: ['/_plugins/_sm/policies/{policy_name}/_stop'],
    handler: 'lambdas/sm/handlers/stop-policy.ts',
    params: [],
  },
  {
    // OpenSearch core's rollover, served here so that every rollover is recorded and hooked.
    operation: 'indices.rollover',
    method: 'POST',
    // `{index}` as in every other route whose first segment is a name: API Gateway wants one
    // variable name per position among sibling routes (OpenSearch's spec calls this one `{alias}`).
    paths: ['/{index}/_rollover', '/{index}/_rollover/{new_index}'],
    handler: 'lambdas/rollover/handlers/rollover.ts',
    params: ['dry_run', 'timeout', 'master_timeout', 'cluster_manager_timeout', 'wait_for_active_shards'],
    cluster: true,
    // The ingestion handover (lambdas/ingestion/rollover-handover.ts) reads an ingesting index's stream.
    streams: true,
  },
  // Notifications: only the /_plugins prefix exists for this plugin.
  {
    operation: 'notifications.create_config',
    method: 'POST',
    paths: ['/_plugins/_notifications/configs'],
    handler: 'lambdas/notifications/handlers/create-config.ts',
    params: [],
  },
  {
    operation: 'notifications.get_configs',
    method: 'GET',
    paths: ['/_plugins/_notifications/configs'],
    handler: 'lambdas/notifications/handlers/get-configs.ts',
    params: LIST_PARAMS,
  },
  {
    operation: 'notifications.delete_configs',
    method: 'DELETE',
    paths: ['/_plugins/_notifications/configs'],
    handler: 'lambdas/notifications/handlers/delete-configs.ts',
    params: ID_PARAMS,
  },
  {
    operation: 'notifications.get_config',
    method: 'GET',
    paths: ['/_plugins/_notifications/configs/{config_id}'],
    handler: 'lambdas/notifications/handlers/get-config.ts',
    params: [],
  },
  {
    operation: 'notifications.update_config',
    method: 'PUT',
    paths: ['/_plugins/_notifications/configs/{config_id}'],
    handler: 'lambdas/notifications/handlers/update-config.ts',
    params: [],
  },
  {
    operation: 'notifications.delete_config',
    method: 'DELETE',
    paths: ['/_plugins/_notifications/configs/{config_id}'],
    handler: 'lambdas/notifications/handlers/delete-config.ts',
    params: [],
  },
  {
    operation: 'notifications.send_test',
    method: 'POST',
    paths: ['/_plugins/_notifications/feature/test/{config_id}'],
    handler: 'lambdas/notifications/handlers/send-test.ts',
    params: [],
    notify: true,
  },
  {
    operation: 'notifications.list_channels',
    method: 'GET',
    paths: ['/_plugins/_notifications/channels'],
    handler: 'lambdas/notifications/handlers/list-channels.ts',
    params: [],
  },
  {
    operation: 'notifications.list_features',
    method: 'GET',
    paths: ['/_plugins/_notifications/features'],
    handler: 'lambdas/notifications/handlers/list-features.ts',
    params: [],
  },
  {
    operation: 'rollups.put',
    method: 'PUT',
    paths: [...both('/_rollup/jobs/{id}'), ...both('/_rollup/jobs')],
    handler: 'lambdas/rollup/handlers/put-rollup.ts',
    params: ['if_seq_no', 'if_primary_term', 'refresh'],
  },
  {
    operation: 'rollups.get',
    method: 'GET',
    paths: both('/_rollup/jobs/{id}'),
    handler: 'lambdas/rollup/handlers/get-rollup.ts',
    params: [],
  },
  {
    operation: 'rollups.get_all',
    method: 'GET',
    paths: both('/_rollup/jobs'),
    handler: 'lambdas/rollup/handlers/get-rollups.ts',
    params: ['search', 'from', 'size', 'sortField', 'sortDirection'],
  },
  {
    operation: 'rollups.exists',
    method: 'HEAD',
    paths: both('/_rollup/jobs/{id}'),
    handler: 'lambdas/rollup/handlers/exists-rollup.ts',
    params: [],
  },
  {
    operation: 'rollups.delete',
    method: 'DELETE',
    paths: both('/_rollup/jobs/{id}'),
    handler: 'lambdas/rollup/handlers/delete-rollup.ts',
    params: ['refresh'],
  },
  {
    operation: 'rollups.start',
    method: 'POST',
    paths: both('/_rollup/jobs/{id}/_start'),
    handler: 'lambdas/rollup/handlers/start-rollup.ts',
    params: [],
  },
  {
    operation: 'rollups.stop',
    method: 'POST',
    paths: both('/_rollup/jobs/{id}/_stop'),
    handler: 'lambdas/rollup/handlers/stop-rollup.ts',
    params: [],
  },
  {
    operation: 'rollups.explain',
    method: 'GET',
    paths: both('/_rollup/jobs/{id}/_explain'),
    handler: 'lambdas/rollup/handlers/explain-rollup.ts',
    params: [],
  },
  {
    operation: 'transforms.put',
    method: 'PUT',
    paths: [...both('/_transform/{id}'), ...both('/_transform')],
    handler: 'lambdas/transform/handlers/put-transform.ts',
    params: ['if_seq_no', 'if_primary_term', 'refresh'],
    // A new job's source index and mappings are checked on the cluster.
    cluster: true,
  },
  {
    operation: 'transforms.get',
    method: 'GET',
    paths: both('/_transform/{id}'),
    handler: 'lambdas/transform/handlers/get-transform.ts',
    params: [],
  },
  {
    operation: 'transforms.search',
    method: 'GET',
    paths: both('/_transform'),
    handler: 'lambdas/transform/handlers/get-transforms.ts',
    params: ['search', 'from', 'size', 'sortField', 'sortDirection'],
  },
  {
    operation: 'transforms.exists',
    method: 'HEAD',
    paths: both('/_transform/{id}'),
    handler: 'lambdas/transform/handlers/exists-transform.ts',
    params: [],
  },
  {
    operation: 'transforms.delete',
    method: 'DELETE',
    paths: both('/_transform/{id}'),
    handler: 'lambdas/transform/handlers/delete-transform.ts',
    params: ['force'],
  },
  {
    operation: 'transforms.start',
    method: 'POST',
    paths: both('/_transform/{id}/_start'),
    handler: 'lambdas/transform/handlers/start-transform.ts',
    params: [],
  },
  {
    operation: 'transforms.stop',
    method: 'POST',
    paths: both('/_transform/{id}/_stop'),
    handler: 'lambdas/transform/handlers/stop-transform.ts',
    params: [],
  },
  {
    operation: 'transforms.explain',
    method: 'GET',
    paths: both('/_transform/{id}/_explain'),
    handler: 'lambdas/transform/handlers/explain-transform.ts',
    params: [],
    // A continuous job's explain counts the documents its source gained since its last run.
    cluster: true,
  },
  {
    operation: 'transforms.preview',
    method: 'POST',
    paths: [...both('/_transform/_preview'), ...both('/_transform')],
    handler: 'lambdas/transform/handlers/preview-transform.ts',
    params: [],
    cluster: true,
  },
  {
    operation: 'ism.add_policy',
    method: 'POST',
    paths: [...both('/_ism/add/{index}'), ...both('/_ism/add')],
    handler: 'lambdas/ism/handlers/add-policy.ts',
    params: ['index', 'type'],
    cluster: true,
  },
  {
    operation: 'ism.remove_policy',
    method: 'POST',
    paths: [...both('/_ism/remove/{index}'), ...both('/_ism/remove')],
    handler: 'lambdas/ism/handlers/remove-policy.ts',
    params: ['index', 'type'],
    cluster: true,
  },
  {
    operation: 'ism.change_policy',
    method: 'POST',
    paths: [...both('/_ism/change_policy/{index}'), ...both('/_ism/change_policy')],
    handler: 'lambdas/ism/handlers/change-policy.ts',
    params: ['index', 'type'],
    cluster: true,
  },
  {
    // The Open Distro documentation's name for change_policy, which no plugin release served
    // (under either prefix): ours under _plugins only; _opendistro answers "no handler found",
    // as the plugin's cluster does.
    operation: 'ism.update_policy',
    method: 'POST',
    paths: ['/_plugins/_ism/update_policy/{index}', '/_plugins/_ism/update_policy'],
    handler: 'lambdas/ism/handlers/update-policy.ts',
    params: ['index', 'type'],
    cluster: true,
  },
  {
    operation: 'ism.retry_index',
    method: 'POST',
    paths: [...both('/_ism/retry/{index}'), ...both('/_ism/retry')],
    handler: 'lambdas/ism/handlers/retry-index.ts',
    params: ['index', 'type', 'cluster_manager_timeout', 'master_timeout'],
    cluster: true,
  },
  {
    operation: 'ism.explain_policy',
    method: 'GET',
    paths: [...both('/_ism/explain/{index}'), ...both('/_ism/explain')],
    handler: 'lambdas/ism/handlers/explain.ts',
    params: EXPLAIN_PARAMS,
    cluster: true,
  },
  {
    operation: 'ism.explain_policy_post',
    method: 'POST',
    paths: [...both('/_ism/explain/{index}'), ...both('/_ism/explain')],
    handler: 'lambdas/ism/handlers/explain-post.ts',
    params: EXPLAIN_PARAMS,
    cluster: true,
  },
  {
    // Not in the plugin: the deployment-wide switch it keeps in plugins.index_state_management.enabled.
    operation: 'ism.status',
    method: 'GET',
    paths: both('/_ism/status'),
    handler: 'lambdas/ism/handlers/ism-status.ts',
    params: [],
  },
  {
    operation: 'ism.start',
    method: 'POST',
    paths: both('/_ism/start'),
    handler: 'lambdas/ism/handlers/ism-start.ts',
    params: [],
  },
  {
    operation: 'ism.stop',
    method: 'POST',
    paths: both('/_ism/stop'),
    handler: 'lambdas/ism/handlers/ism-stop.ts',
    params: [],
  },
  {
    // A search of rollup indices is rewritten as the plugin's interceptor does; others pass through.
    operation: 'rollups.search',
    method: 'POST',
    paths: ['/{index}/_search'],
    handler: 'lambdas/rollup/handlers/search.ts',
    params: [],
    cluster: true,
    configEnvironment: rollupSearchEnvironment,
  },
  {
    operation: 'rollups.search_get',
    method: 'GET',
    paths: ['/{index}/_search'],
    handler: 'lambdas/rollup/handlers/search.ts',
    params: [],
    cluster: true,
    configEnvironment: rollupSearchEnvironment,
  },
  {
    // Only bodies with `settings.ingestion_source` are ours; the handler passes every other
    // create-index request to the cluster unchanged.
    operation: 'indices.create',
    method: 'PUT',
    paths: ['/{index}'],
    handler: 'lambdas/ingestion/handlers/create-index.ts',
    // `ingestion` (native | control-plane) is ours: where an ingesting index is ingested.
    params: ['wait_for_active_shards', 'timeout', 'master_timeout', 'cluster_manager_timeout', 'ingestion'],
    cluster: true,
  },
  {
    // The cluster answers; indices we ingest get back the `index.ingestion_source.*` settings
    // create-index kept from the cluster. Every other index passes unchanged.
    operation: 'indices.get_settings',
    method: 'GET',
    paths: ['/{index}/_settings', '/{index}/_settings/{name}', '/_settings', '/_settings/{name}'],
    handler: 'lambdas/ingestion/handlers/get-settings.ts',
    params: [
      ...INDEX_OPTIONS,
      'flat_settings',
      'include_defaults',
      'local',
      'master_timeout',
      'cluster_manager_timeout',
    ],
    cluster: true,
  },
  {
    operation: 'ingestion.pause',
    method: 'POST',
    paths: ['/{index}/ingestion/_pause'],
    handler: 'lambdas/ingestion/handlers/pause.ts',
    params: [...INDEX_OPTIONS, 'cluster_manager_timeout', 'timeout'],
    cluster: true,
  },
  {
    operation: 'ingestion.resume',
    method: 'POST',
    paths: ['/{index}/ingestion/_resume'],
    handler: 'lambdas/ingestion/handlers/resume.ts',
    params: [...INDEX_OPTIONS, 'cluster_manager_timeout', 'timeout'],
    cluster: true,
  },
  {
    operation: 'ingestion.get_state',
    method: 'GET',
    paths: ['/{index}/ingestion/_state'],
    handler: 'lambdas/ingestion/handlers/get-state.ts',
    params: [...INDEX_OPTIONS, 'size', 'next_token', 'sort', 'shards', 'timeout'],
    cluster: true,
  },
  {
    // The plugin's settings (lambdas/shared/plugin-settings.ts) are answered here; every other
    // setting of the request goes to the cluster.
    operation: 'cluster.put_settings',
    method: 'PUT',
    paths: ['/_cluster/settings'],
    handler: 'lambdas/core/handlers/put-cluster-settings.ts',
    params: ['flat_settings', 'timeout', 'master_timeout', 'cluster_manager_timeout'],
    cluster: true,
  },
  {
    // The cluster's answer with the plugin's settings added (include_defaults: every one of them).
    operation: 'cluster.get_settings',
    method: 'GET',
    paths: ['/_cluster/settings'],
    handler: 'lambdas/core/handlers/get-cluster-settings.ts',
    params: ['flat_settings', 'include_defaults', 'local', 'master_timeout', 'cluster_manager_timeout'],
    cluster: true,
    configEnvironment: pluginSettingsEnvironment,
  },
];

/**
 * Namespaces the control plane owns: a request under one of these prefixes that matches no
 * operation is answered by the fallback (405 or OpenSearch's "no handler found"), never passed
 * to the cluster.
 */
export const OWNED_PREFIXES = ['/_plugins/', '/_opendistro/'] as const;

/** Answers unmatched requests under {@link OWNED_PREFIXES}. */
export const fallback = {
  operation: 'core.route_fallback',
  handler: 'lambdas/core/handlers/route-fallback.ts',
} as const;

/** Passes every other path through to the cluster when the data plane is proxied. */
export const dataPlaneProxy = {
  operation: 'core.data_plane_proxy',
  handler: 'lambdas/core/handlers/data-plane-proxy.ts',
} as const;
