import type { Dimension, RollupMetric, RollupMetricType } from '../../ism/policy/model';

/**
 * A rollup job as the plugin stores it in its config index (Rollup.kt), field for field and in
 * the plugin's output order, and the metadata its runner keeps (RollupMetadata.kt).
 */
export type { Dimension, RollupMetric, RollupMetricType };

/** ChronoUnit names of exact length, as job-scheduler renders an interval's unit. */
export type IntervalUnit =
  'Nanos' | 'Micros' | 'Millis' | 'Seconds' | 'Minutes' | 'Hours' | 'HalfDays' | 'Days';

export type RollupSchedule =
  | {
      interval: { start_time: number; period: number; unit: IntervalUnit; schedule_delay?: number };
    }
  | { cron: { expression: string; timezone: string; schedule_delay?: number } };

export interface RollupJob {
  rollup_id: string;
  enabled: boolean;
  schedule: RollupSchedule;
  last_updated_time: number;
  enabled_time: number | null;
  description: string;
  schema_version: number;
  source_index: string;
  target_index: string;
  metadata_id: string | null;
  page_size: number;
  delay: number | null;
  continuous: boolean;
  dimensions: Dimension[];
  metrics: RollupMetric[];
  routing_field?: string;
  /** Nested, string-valued, as the plugin echoes Settings: {"index":{"number_of_shards":"2"}}. */
  target_index_settings?: Record<string, unknown>;
}

export type RollupStatus = 'init' | 'started' | 'stopped' | 'finished' | 'failed' | 'retry';

export interface RollupStats {
  pages_processed: number;
  documents_processed: number;
  rollups_indexed: number;
  index_time_in_millis: number;
  search_time_in_millis: number;
}

export interface ContinuousMetadata {
  next_window_start_time: number;
  next_window_end_time: number;
}

/** RollupMetadata.toXContent order; `after_key` and `continuous` only when set. */
export interface RollupMetadata {
  rollup_id: string;
  after_key?: Record<string, unknown>;
  last_updated_time: number;
  continuous?: ContinuousMetadata;
  status: RollupStatus;
  failure_reason: string | null;
  stats: RollupStats;
}

/** What the rollup worker keeps per job in the job store (kind `rollup`). */
export interface RollupRunState {
  metadata_id: string | null;
  metadata: RollupMetadata | null;
  /** The target index whose periodic refresh a run paused (and puts back when it ends). */
  refresh_paused?: string;
}

export const ZERO_STATS: RollupStats = {
  pages_processed: 0,
  documents_processed: 0,
  rollups_indexed: 0,
  index_time_in_millis: 0,
  search_time_in_millis: 0,
};

export const dateHistogramOf = (job: Pick<RollupJob, 'dimensions'>) => {
  const first = job.dimensions[0];
  if (!first || !('date_histogram' in first)) throw new Error('The first dimension must be a date histogram');
  return first.date_histogram;
};
