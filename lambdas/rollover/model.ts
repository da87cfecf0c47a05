/**
 * The rollover API's vocabulary, as OpenSearch's `indices.rollover` names it. The cluster's own
 * `_rollover` decides everything (conditions, names, the atomic alias swap); these types describe
 * what goes in and comes back, and what we remember of each rollover.
 */

/** Query parameters of `POST /{alias}/_rollover[/{new_index}]` that the cluster receives. */
export const ROLLOVER_PARAMS = [
  'dry_run',
  'timeout',
  'master_timeout',
  'cluster_manager_timeout',
  'wait_for_active_shards',
] as const;

export type RolloverParam = (typeof ROLLOVER_PARAMS)[number];

/** Who asked for a rollover: a user through the API, or an ISM `rollover` action. */
export type RolloverSource = 'api' | 'ism';

export interface RolloverRequest {
  /** Alias or data stream to roll over. */
  readonly alias: string;
  /** Explicit name (date math allowed) for the new index; derived from the old one when absent. */
  readonly newIndex?: string;
  /** The request body exactly as the caller sent it (conditions, settings, mappings, aliases). */
  readonly body?: string;
  readonly params?: Partial<Record<RolloverParam, string>>;
  readonly source: RolloverSource;
}

/** The cluster's answer to a rollover that it accepted (HTTP 200). */
export interface RolloverResponse {
  acknowledged: boolean;
  shards_acknowledged: boolean;
  old_index: string;
  new_index: string;
  rolled_over: boolean;
  dry_run: boolean;
  /** `"[max_docs: 1000]": true` per condition given; `{}` for an unconditional rollover. */
  conditions: Record<string, boolean>;
}

/** One rollover that happened through the control plane (API or ISM), for explain and history. */
export interface RolloverRecord {
  alias: string;
  old_index: string;
  new_index: string;
  /** The conditions as the rollover reported them (`{}` when unconditional). */
  conditions: Record<string, boolean>;
  /** The keys of `conditions` that were met, e.g. `["[max_docs: 1000]"]`. */
  met_conditions: string[];
  /** Epoch milliseconds, from the control plane's clock. */
  time: number;
  source: RolloverSource;
}

export const metConditions = (conditions: Record<string, boolean>): string[] =>
  Object.entries(conditions)
    .filter(([, met]) => met)
    .map(([name]) => name);

/**
 * The conditions of a rollover as its response names them (`"[max_docs: 1000]": true`), from
 * what the cluster keeps of it in `rollover_info.met_conditions` (`{"max_docs": 1000}`). Only the
 * met ones are kept there, so every condition comes back as met.
 */
export const conditionsFromRolloverInfo = (
  met: Record<string, string | number> | undefined,
): Record<string, boolean> =>
  Object.fromEntries(Object.entries(met ?? {}).map(([name, value]) => [`[${name}: ${value}]`, true]));

export const isRolloverResponse = (body: unknown): body is RolloverResponse => {
  if (typeof body !== 'object' || body === null) return false;
  const r = body as Record<string, unknown>;
  return (
    typeof r.old_index === 'string' &&
    typeof r.new_index === 'string' &&
    typeof r.rolled_over === 'boolean' &&
    typeof r.dry_run === 'boolean'
  );
};
