import type { Dimension } from '../../ism/policy/model';
import type { JobSchedule } from './schedule';
import type { JsonObject } from '../../shared/xcontent';

/**
 * A transform job as the plugin stores it in its config index (Transform.kt), field for field
 * and in the plugin's output order, and the metadata its runner keeps (TransformMetadata.kt).
 */
export type { Dimension };

export interface TransformJob {
  transform_id: string;
  schema_version: number;
  schedule: JobSchedule;
  metadata_id: string | null;
  updated_at: number;
  enabled: boolean;
  enabled_at: number | null;
  description: string;
  source_index: string;
  /** Rendered as OpenSearch renders the parsed query (defaults such as `boost` filled in). */
  data_selection_query: JsonObject;
  target_index: string;
  page_size: number;
  groups: Dimension[];
  /** Rendered as AggregatorFactories.Builder renders them. */
  aggregations: JsonObject;
  continuous: boolean;
}

export type TransformStatus = 'init' | 'started' | 'stopped' | 'finished' | 'failed';

export interface TransformStats {
  pages_processed: number;
  documents_processed: number;
  documents_indexed: number;
  index_time_in_millis: number;
  search_time_in_millis: number;
}

/** ContinuousTransformStats: when the run's checkpoints were taken, and how far behind each index is. */
export interface ContinuousStats {
  last_timestamp?: number;
  documents_behind?: Record<string, number>;
}

/** TransformMetadata.toXContent order; optional fields only when set. */
export interface TransformMetadata {
  transform_id: string;
  after_key?: Record<string, unknown>;
  last_updated_at: number;
  status: TransformStatus;
  failure_reason: string | null;
  stats: TransformStats;
  /** `[<index>][<shard>]` → global checkpoint the last successful run of a continuous job covered. */
  shard_id_to_global_checkpoint?: Record<string, number>;
  continuous_stats?: ContinuousStats;
}

/**
 * Where a continuous run is between pages: the shards whose new documents it still has to look
 * at (with the checkpoints it started from), and the buckets already recomputed in this run.
 */
export interface ContinuousProgress {
  /** Checkpoints taken at the start of this run (saved as the metadata's once the run ends). */
  readonly checkpoints: Record<string, number>;
  readonly checkpointTime: number;
  /** Shards still to search, in order; the first one is being searched (after `after_key`). */
  readonly shards: readonly string[];
}

/** What the transform worker keeps per job in the job store (kind `transform`). */
export interface TransformRunState {
  metadata_id: string | null;
  metadata: TransformMetadata | null;
  continuous_progress?: ContinuousProgress;
}

export const ZERO_STATS: TransformStats = {
  pages_processed: 0,
  documents_processed: 0,
  documents_indexed: 0,
  index_time_in_millis: 0,
  search_time_in_millis: 0,
};

/** The plugin's supported aggregation types (Transform.supportedAggregations). */
export const SUPPORTED_AGGREGATIONS = [
  'sum',
  'max',
  'min',
  'value_count',
  'avg',
  'scripted_metric',
  'percentiles',
] as const;

export const groupSourceField = (g: Dimension): string =>
  'date_histogram' in g
    ? g.date_histogram.source_field
    : 'terms' in g
      ? g.terms.source_field
      : g.histogram.source_field;

export const groupTargetField = (g: Dimension): string =>
  'date_histogram' in g
    ? g.date_histogram.target_field
    : 'terms' in g
      ? g.terms.target_field
      : g.histogram.target_field;

export const groupType = (g: Dimension): 'date_histogram' | 'terms' | 'histogram' =>
  'date_histogram' in g ? 'date_histogram' : 'terms' in g ? 'terms' : 'histogram';
