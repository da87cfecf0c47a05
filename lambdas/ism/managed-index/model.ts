import type { Policy } from '../policy/model';

/**
 * A managed index as the plugin keeps it (ManagedIndexConfig + ManagedIndexMetaData), in one
 * job-store item keyed by the index UUID (a re-created index of the same name is a different
 * managed index). Field names are OpenSearch's, so explain renders them as they are.
 */
export type StepStatus = 'starting' | 'condition_not_met' | 'completed' | 'failed' | 'timed_out';

export interface StateMetaData {
  name: string;
  start_time: number;
}

export interface ActionMetaData {
  name: string;
  start_time: number | null;
  /** Position of the action in its state; -1 for the implicit transition action. */
  index: number;
  failed: boolean;
  consumed_retries: number;
  last_retry_time: number | null;
  action_properties?: Record<string, unknown>;
}

export interface StepMetaData {
  name: string;
  start_time: number;
  step_status: StepStatus;
}

export interface RetryInfo {
  failed: boolean;
  consumed_retries: number;
}

export type Info = Record<string, unknown>;

export interface ManagedIndexMetaData {
  index: string;
  index_uuid: string;
  policy_id: string;
  /** Absent when the policy could not be loaded at initialization. */
  policy_seq_no?: number;
  policy_primary_term?: number;
  policy_completed?: boolean;
  rolled_over?: boolean;
  rolled_over_index_name?: string;
  index_creation_date?: number;
  transition_to?: string;
  state?: StateMetaData;
  action?: ActionMetaData;
  step?: StepMetaData;
  retry_info?: RetryInfo;
  info?: Info;
}

export interface ChangePolicy {
  policy_id: string;
  state: string | null;
  include: { state: string }[];
  is_safe: boolean;
}

export interface ManagedIndex {
  index: string;
  index_uuid: string;
  policy_id: string;
  /** The copy of the policy this index runs (edits to the stored policy do not reach it). */
  policy: Policy;
  policy_seq_no: number;
  policy_primary_term: number;
  enabled: boolean;
  enabled_time: number | null;
  last_updated_time: number;
  change_policy: ChangePolicy | null;
  /** Null until the runner first initializes the policy. */
  metadata: ManagedIndexMetaData | null;
  /** Set while the cluster cannot be reached: the runner's back-off (not part of explain). */
  cluster_unavailable?: { since: number; attempts: number };
}

/** Failed in the plugin's sense: a policy-level failure or an action out of retries. */
export const isFailed = (m: ManagedIndexMetaData | null): boolean =>
  !!m && (m.retry_info?.failed === true || m.action?.failed === true);

/** The explain-style view of the metadata mustache templates see as `ctx`. */
export const templateContext = (m: ManagedIndexMetaData): Record<string, unknown> => ({ ...m });
