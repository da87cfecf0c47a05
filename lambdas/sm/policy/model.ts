/**
 * Snapshot Management documents, field for field as the plugin stores and renders them
 * (SMPolicy.kt, SMMetadata.kt). Knows nothing of HTTP, Lambda or DynamoDB.
 */

/** `{"cron": {...}}` (the usual snapshot schedule) or `{"interval": {...}}`, as job-scheduler reads them. */
export type Schedule = CronSchedule | IntervalSchedule;

export interface CronSchedule {
  cron: { expression: string; timezone: string };
}

export type IntervalUnit = 'Minutes' | 'Hours' | 'Days';

export interface IntervalSchedule {
  interval: { start_time: number; period: number; unit: IntervalUnit };
}

export interface Creation {
  schedule: Schedule;
  /** Normalised TimeValue text, e.g. `1h`. */
  time_limit?: string;
}

export interface DeleteCondition {
  max_age?: string;
  min_count: number;
  max_count?: number;
}

export interface Deletion {
  schedule: Schedule;
  condition: DeleteCondition;
  time_limit?: string;
  snapshot_pattern?: string;
}

export interface NotificationConditions {
  creation: boolean;
  deletion: boolean;
  failure: boolean;
  time_limit_exceeded: boolean;
}

export interface NotificationConfig {
  channel: { id: string };
  conditions: NotificationConditions;
}

/** `snapshot_config`: stored verbatim; these are the keys SM itself reads. */
export interface SnapshotConfig {
  repository: string;
  date_format?: string;
  date_format_timezone?: string;
  timezone?: string;
  indices?: string;
  ignore_unavailable?: boolean | string;
  include_global_state?: boolean | string;
  partial?: boolean | string;
  metadata?: Record<string, string>;
  [key: string]: unknown;
}

/** The stored `sm_policy` object (its user-facing name is the doc id minus `-sm-policy`). */
export interface SMPolicy {
  name: string;
  description?: string;
  schema_version: number;
  creation?: Creation;
  deletion?: Deletion;
  snapshot_config: SnapshotConfig;
  schedule: IntervalSchedule;
  enabled: boolean;
  last_updated_time: number;
  enabled_time: number | null;
  notification?: NotificationConfig;
}

export const SM_DOC_ID_SUFFIX = '-sm-policy';
export const policyDocId = (name: string): string => `${name}${SM_DOC_ID_SUFFIX}`;
export const policyNameOf = (docId: string): string =>
  docId.endsWith(SM_DOC_ID_SUFFIX) ? docId.slice(0, -SM_DOC_ID_SUFFIX.length) : docId;

// ---- metadata (the explain state) ------------------------------------------------------------

export type WorkflowType = 'creation' | 'deletion';

export const CREATION_STATES = [
  'CREATION_START',
  'CREATION_CONDITION_MET',
  'CREATING',
  'CREATION_FINISHED',
] as const;
export const DELETION_STATES = [
  'DELETION_START',
  'DELETION_CONDITION_MET',
  'DELETING',
  'DELETION_FINISHED',
] as const;
export type SMState = (typeof CREATION_STATES)[number] | (typeof DELETION_STATES)[number];

export type ExecutionStatus = 'IN_PROGRESS' | 'RETRYING' | 'SUCCESS' | 'FAILED' | 'TIME_LIMIT_EXCEEDED';

export interface LatestExecution {
  status: ExecutionStatus;
  start_time: number;
  end_time: number | null;
  info?: { message?: string; cause?: string };
}

export interface WorkflowMetadata {
  current_state: SMState;
  trigger: { time: number };
  started?: string[];
  latest_execution?: LatestExecution;
  retry?: { count: number };
  /**
   * Not in the plugin: the cluster call this workflow is about to make, saved before making it
   * (snapshot names), so that a runner that dies between the call and saving its outcome finds
   * out what happened instead of doing it twice or forgetting it. Never shown by explain.
   */
  pending?: string[];
  /**
   * Not in the plugin (which runs inside the cluster it snapshots): the cluster has been
   * unreachable or overloaded for `attempts` runs in a row; the workflow is not looked at again
   * before `next_attempt_time` (exponential backoff). Leaves `retry`, the snapshot's own three
   * retries, alone. Explain shows it in `latest_execution.info.message` only.
   */
  unavailable?: { attempts: number; next_attempt_time: number };
}

export interface SMMetadata {
  name: string;
  policy_seq_no: number;
  policy_primary_term: number;
  /**
   * Not in the plugin's document: the plugin writes a policy's metadata on the policy's first
   * job run (a minute after it is enabled), and explain shows nothing of it before then. Ours is
   * kept from the start, flagged so until that run, which starts it afresh.
   */
  awaiting_first_run?: true;
  creation?: WorkflowMetadata;
  deletion?: WorkflowMetadata;
}
