/**
 * An ISM policy in the normalized shape OpenSearch renders it back: every object below is built
 * with its keys in the plugin's toXContent order, so JSON.stringify of a parsed policy is what a
 * GET returns. Durations and sizes are the re-rendered strings (`"30d"`, `"50gb"`).
 */
import type { JsonObject } from '../../shared/xcontent';

export interface Policy {
  policy_id: string;
  description: string;
  last_updated_time: number;
  schema_version: number;
  error_notification: ErrorNotification | null;
  default_state: string;
  states: State[];
  ism_template: ISMTemplate[] | null;
}

export interface State {
  name: string;
  actions: Action[];
  transitions: Transition[];
}

// ---- actions --------------------------------------------------------------------------------

export type Backoff = 'exponential' | 'constant' | 'linear';

export interface ActionRetry {
  count: number;
  backoff: Backoff;
  /** TimeValue, default "1m". */
  delay: string;
}

export type EmptyConfig = Record<string, never>;

export interface RolloverConditionGroup {
  min_size?: string;
  min_doc_count?: number;
  min_index_age?: string;
  min_primary_shard_size?: string;
}

export interface RolloverConfig extends RolloverConditionGroup {
  /** Newer than 2.19. */
  any_of?: RolloverConditionGroup[];
  copy_alias: boolean;
  /** Newer than 2.19 (3.4); rendered only when true. */
  prevent_empty_rollover?: true;
}

export interface ReplicaCountConfig {
  number_of_replicas: number;
}

export interface IndexPriorityConfig {
  priority: number;
}

export interface ForceMergeConfig {
  max_num_segments: number;
}

export interface AllocationConfig {
  require: Record<string, string>;
  include: Record<string, string>;
  exclude: Record<string, string>;
  wait_for: boolean;
}

/** One `_aliases` action as OpenSearch's AliasActions renders it. */
export type AliasActionSpec = { add: AliasActionBody } | { remove: AliasActionBody };

export interface AliasActionBody {
  aliases: string[];
  filter?: JsonObject;
  routing?: string;
  index_routing?: string;
  search_routing?: string;
  is_write_index?: boolean;
  is_hidden?: boolean;
  must_exist?: boolean;
}

export interface AliasConfig {
  actions: AliasActionSpec[];
}

export interface SnapshotConfig {
  repository: string;
  snapshot: string;
}

/** A mustache Script as OpenSearch renders it. */
export interface MessageTemplate {
  source: string | JsonObject;
  lang: 'mustache';
  options?: Record<string, string>;
  params?: JsonObject;
}

export interface ChannelRef {
  id: string;
}

export interface CustomWebhook {
  url: string | null;
  scheme: string | null;
  host: string | null;
  port: number;
  path: string | null;
  query_params: Record<string, string>;
  header_params: Record<string, string>;
  username: string | null;
  password: string | null;
}

/** Exactly one destination type is kept (chime, then slack, then custom_webhook). */
export type Destination =
  { chime: { url: string } } | { slack: { url: string } } | { custom_webhook: CustomWebhook };

export interface NotificationConfig {
  destination?: Destination;
  channel?: ChannelRef;
  message_template: MessageTemplate;
}

export type DateHistogramDimension = {
  date_histogram: {
    fixed_interval?: string;
    calendar_interval?: string;
    source_field: string;
    target_field: string;
    timezone: string;
    format?: string | null;
  };
};
export type TermsDimension = { terms: { source_field: string; target_field: string } };
export type HistogramDimension = {
  histogram: { source_field: string; target_field: string; interval: number };
};
export type Dimension = DateHistogramDimension | TermsDimension | HistogramDimension;

export type RollupMetricType = 'avg' | 'sum' | 'max' | 'min' | 'value_count';

export interface RollupMetric {
  source_field: string;
  metrics: Partial<Record<RollupMetricType, EmptyConfig>>[];
}

export interface ISMRollup {
  description: string;
  target_index: string;
  page_size: number;
  dimensions: Dimension[];
  metrics: RollupMetric[];
}

export interface RollupConfig {
  ism_rollup: ISMRollup;
}

export interface ISMTransform {
  description: string;
  target_index: string;
  page_size: number;
  /** Query DSL, kept as sent (default `{"match_all":{"boost":1.0}}`). */
  data_selection_query: JsonObject;
  groups: Dimension[];
  /** Aggregations, kept as sent (default `{}`). */
  aggregations: JsonObject;
}

export interface TransformConfig {
  ism_transform: ISMTransform;
}

export interface ShrinkAlias {
  [alias: string]: {
    filter?: JsonObject;
    routing?: string;
    index_routing?: string;
    search_routing?: string;
    is_write_index: boolean | null;
    is_hidden?: boolean;
  };
}

export interface ShrinkConfig {
  num_new_shards?: number;
  max_shard_size?: string;
  percentage_of_source_shards?: number;
  target_index_name_template?: MessageTemplate;
  aliases?: ShrinkAlias[];
  switch_aliases: boolean;
  force_unsafe?: boolean;
}

/** Newer than 2.19 (3.x). Optional fields are rendered only when not at their default. */
export interface ConvertIndexToRemoteConfig {
  repository: string;
  snapshot: string;
  include_aliases?: boolean;
  ignore_index_settings?: string;
  number_of_replicas?: number;
  delete_original_index?: boolean;
  rename_pattern?: string;
}

export interface ActionConfigs {
  rollover: RolloverConfig;
  delete: EmptyConfig;
  read_only: EmptyConfig;
  read_write: EmptyConfig;
  replica_count: ReplicaCountConfig;
  close: EmptyConfig;
  open: EmptyConfig;
  index_priority: IndexPriorityConfig;
  allocation: AllocationConfig;
  alias: AliasConfig;
  force_merge: ForceMergeConfig;
  snapshot: SnapshotConfig;
  notification: NotificationConfig;
  rollup: RollupConfig;
  transform: TransformConfig;
  shrink: ShrinkConfig;
  /** Newer than 2.19. */
  convert_index_to_remote: ConvertIndexToRemoteConfig;
  /** Newer than 2.19. */
  stop_replication: EmptyConfig;
  /** Newer than 2.19. */
  search_only: EmptyConfig;
}

export type ActionType = keyof ActionConfigs;

export interface ActionCommon {
  /** TimeValue; absent when not configured. */
  timeout?: string;
  retry: ActionRetry;
}

/** Common settings plus exactly one action-type key. */
export type ActionOf<K extends ActionType> = ActionCommon & { [P in K]: ActionConfigs[P] } & {
  [P in Exclude<ActionType, K>]?: never;
};

export type Action = { [K in ActionType]: ActionOf<K> }[ActionType];

export const ACTION_TYPES: readonly ActionType[] = [
  'rollover',
  'delete',
  'read_only',
  'read_write',
  'replica_count',
  'close',
  'open',
  'index_priority',
  'allocation',
  'alias',
  'force_merge',
  'snapshot',
  'notification',
  'rollup',
  'transform',
  'shrink',
  'convert_index_to_remote',
  'stop_replication',
  'search_only',
];

/** The type key of an action (the one key besides timeout/retry). */
export const actionTypeOf = (action: Action): ActionType =>
  // A parsed Action always has exactly one of these keys.
  ACTION_TYPES.find((t) => t in action) as ActionType;

// ---- transitions ----------------------------------------------------------------------------

export interface CronCondition {
  cron: {
    expression: string;
    timezone: string;
    schedule_delay?: number;
  };
}

/** At most one key is set. */
export interface Conditions {
  min_index_age?: string;
  min_doc_count?: number;
  min_size?: string;
  cron?: CronCondition;
  min_rollover_age?: string;
  /** Newer than 2.19 (3.2). */
  min_state_age?: string;
  /** Newer than 2.19 (3.2). */
  no_alias?: boolean;
}

export interface Transition {
  state_name: string;
  conditions?: Conditions;
}

// ---- templates and notifications ---------------------------------------------------------

export interface ISMTemplate {
  /** `-pattern` entries are exclusions (newer than 2.19; there they are literal patterns). */
  index_patterns: string[];
  priority: number;
  /** Epoch millis; kept as sent, or the parse time when absent. */
  last_updated_time: number;
}

export interface ErrorNotification {
  destination?: Destination;
  channel?: ChannelRef;
  message_template: MessageTemplate;
}
