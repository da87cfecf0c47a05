import type { DocumentStore, StoredDocument } from '../../shared/document-store';
import { illegalArgument, statusException } from '../../shared/errors';
import type { JobStore } from '../../shared/jobs/job-store';
import { StaleJobError } from '../../shared/jobs/job-store';
import type { ClusterApi } from '../cluster-api';
import type { Policy } from '../policy/model';
import { isSafeToChange } from '../runner/run-managed-index';
import {
  inClusterStateOrder,
  inPluginOrder,
  resolveIndices,
  resolveIndicesStrict,
  type IndexInfo,
} from './cluster-indices';
import { isFailed, type ChangePolicy, type ManagedIndex } from './model';

/**
 * add / remove / change_policy / retry (TransportAddPolicyAction & co): resolve the indices on
 * the cluster, then act on their managed-index items. Knows nothing of HTTP.
 */
export interface FailedIndex {
  index_name: string;
  index_uuid: string;
  reason: string;
}

export interface UpdateResponse {
  updated_indices: number;
  failures: boolean;
  failed_indices: FailedIndex[];
}

/** Indices ISM never manages (plugins.index_state_management.restricted_index_pattern). */
const RESTRICTED = /^(?:\.opendistro_security|\.kibana.*|\.opendistro-ism-config)$/;

/**
 * A marker per index UUID that `remove` writes: the plugin's index setting
 * `index.plugins.index_state_management.auto_manage: false` (ISM templates never re-attach the
 * index; GET _settings shows it), which a plugin-free cluster cannot hold.
 */
export interface OptOut {
  index: string;
  /** The job as `remove` found it, and when: explain's search still sees it for a moment. */
  removed?: { at: number; job: ManagedIndex };
}

export interface ManagedIndexStores {
  managed: JobStore<ManagedIndex>;
  optOut: JobStore<OptOut>;
  policies: Pick<DocumentStore<Policy>, 'get'>;
}

const response = (updated: number, failed: FailedIndex[]): UpdateResponse => ({
  updated_indices: updated,
  failures: failed.length > 0,
  failed_indices: failed,
});

const failure = (i: IndexInfo, reason: string): FailedIndex => ({
  index_name: i.name,
  index_uuid: i.uuid,
  reason,
});

export const newManagedIndex = (i: IndexInfo, doc: StoredDocument<Policy>, now: number): ManagedIndex => ({
  index: i.name,
  index_uuid: i.uuid,
  policy_id: doc.id,
  policy: { ...doc.source, policy_id: doc.id },
  policy_seq_no: doc.seqNo,
  policy_primary_term: doc.primaryTerm,
  enabled: true,
  enabled_time: now,
  last_updated_time: now,
  change_policy: null,
  metadata: null,
});

export class ManagedIndexService {
  constructor(
    private readonly stores: ManagedIndexStores,
    private readonly cluster: ClusterApi,
  ) {}

  /**
   * TransportAddPolicyAction. failed_indices in its order: closed indices, then restricted ones,
   * then those already managed, each in the order the plugin meets the indices.
   */
  async add(expression: string | undefined, body: unknown, now: number): Promise<UpdateResponse> {
    if (!expression) throw illegalArgument('Missing indices');
    const policyId = (body as { policy_id?: unknown } | undefined)?.policy_id;
    if (typeof policyId !== 'string' || policyId === '') throw illegalArgument('Missing policy_id');
    const indices = await resolveIndices(this.cluster, expression);
    if (indices.length === 0) return response(0, []);
    const failed = closedFirst(indices);
    const doc = await this.stores.policies.get(policyId);
    if (!doc) throw statusException(404, `Could not find policy=${policyId}`);
    const candidates = inPluginOrder(indices).filter((i) => i.open);
    const restricted = candidates.filter((i) => RESTRICTED.test(i.name));
    failed.push(
      ...restricted.map((i) => failure(i, 'Matches restricted index pattern defined in the cluster setting')),
    );
    let updated = 0;
    for (const i of candidates.filter((c) => !RESTRICTED.test(c.name))) {
      // Due at once: the first run initializes the policy at the next tick.
      // auto_manage stays false on an index removed before, as the plugin leaves it.
      if (await this.stores.managed.create(i.uuid, newManagedIndex(i, doc, now), now)) {
        updated++;
      } else {
        failed.push(
          failure(i, 'This index already has a policy, use the update policy API to update index policies'),
        );
      }
    }
    return response(updated, failed);
  }

  /** TransportRemovePolicyAction: closed indices fail first, then those not managed. */
  async remove(expression: string | undefined, now: number): Promise<UpdateResponse> {
    if (!expression) throw illegalArgument('Missing indices');
    const indices = await resolveIndicesStrict(this.cluster, expression);
    const failed = closedFirst(indices);
    let updated = 0;
    for (const i of inPluginOrder(indices).filter((c) => c.open)) {
      const record = await this.stores.managed.get(i.uuid);
      if (!record) {
        failed.push(failure(i, 'This index does not have a policy to remove'));
        continue;
      }
      await this.optOut(i, { at: now, job: { ...record.state, metadata: null } });
      if (await this.stores.managed.delete(i.uuid)) updated++;
      else failed.push(failure(i, 'This index does not have a policy to remove'));
    }
    return response(updated, failed);
  }

  /**
   * TransportChangePolicyAction: indices in transition fail first; indices that are not managed
   * after them, as the plugin finds them in a second look-up.
   */
  async changePolicy(expression: string | undefined, body: unknown): Promise<UpdateResponse> {
    const change = parseChangePolicy(body);
    if (!expression) throw illegalArgument('Missing index');
    const doc = await this.stores.policies.get(change.policy_id);
    if (!doc) throw statusException(404, `Could not find policy=${change.policy_id}`);
    const indices = inPluginOrder(await resolveIndicesStrict(this.cluster, expression));
    const failed: FailedIndex[] = [];
    const toUpdate: IndexInfo[] = [];
    for (const i of indices) {
      const m = (await this.stores.managed.get(i.uuid))?.state.metadata ?? null;
      if (m?.transition_to !== undefined) {
        failed.push(failure(i, 'Cannot change policy while transitioning to new state'));
      } else if (!m || change.include.length === 0 || change.include.some((s) => s.state === m.state?.name)) {
        toUpdate.push(i);
      }
    }
    let updated = 0;
    for (const i of toUpdate) {
      for (let attempt = 0; ; attempt++) {
        const record = await this.stores.managed.get(i.uuid);
        if (!record) {
          failed.push(failure(i, 'This index is not being managed'));
          break;
        }
        const isSafe = isSafeToChange(
          record.state.policy,
          record.state.metadata?.state?.name,
          doc.source,
          change,
        );
        try {
          // A disabled (failed) index takes the change after retry; one that waits gets it next run.
          await this.stores.managed.update(
            i.uuid,
            record.rev,
            { ...record.state, change_policy: { ...change, is_safe: isSafe } },
            record.dueAt ?? null,
          );
          updated++;
          break;
        } catch (e) {
          if (!(e instanceof StaleJobError) || attempt >= 3) {
            failed.push(failure(i, e instanceof Error ? e.message : String(e)));
            break;
          }
        }
      }
    }
    return response(updated, failed);
  }

  /** Writes (or refreshes) the index's opt-out marker. */
  private async optOut(i: IndexInfo, removed: NonNullable<OptOut['removed']>): Promise<void> {
    const marker: OptOut = { index: i.name, removed };
    if (await this.stores.optOut.create(i.uuid, marker, null)) return;
    const current = await this.stores.optOut.get(i.uuid);
    if (current) await this.stores.optOut.update(i.uuid, current.rev, marker, null).catch(() => undefined);
  }

  /** TransportRetryFailedManagedIndexAction: one look at each index, in the plugin's order. */
  async retry(expression: string | undefined, body: unknown, now: number): Promise<UpdateResponse> {
    if (!expression) throw illegalArgument('Missing indices');
    const state = (body as { state?: unknown } | undefined)?.state;
    const indices = inPluginOrder(await resolveIndicesStrict(this.cluster, expression));
    const failed: FailedIndex[] = [];
    let updated = 0;
    for (const i of indices) {
      for (let attempt = 0; ; attempt++) {
        const record = await this.stores.managed.get(i.uuid);
        if (!record) {
          failed.push(failure(i, 'This index is not being managed.'));
          break;
        }
        const m = record.state.metadata;
        if (!m) {
          failed.push(failure(i, 'This index has no metadata information'));
          break;
        }
        if (!isFailed(m)) {
          failed.push(failure(i, 'This index is not in failed state.'));
          break;
        }
        const metadata = {
          ...m,
          retry_info: { failed: false, consumed_retries: 0 },
          info: { message: 'Pending retry of failed managed index' },
          ...(m.action
            ? {
                action: {
                  ...m.action,
                  failed: false,
                  consumed_retries: 0,
                  last_retry_time: null,
                  start_time: null,
                },
              }
            : {}),
        };
        delete metadata.step;
        delete metadata.transition_to;
        if (typeof state === 'string') metadata.transition_to = state;
        try {
          await this.stores.managed.update(
            i.uuid,
            record.rev,
            { ...record.state, enabled: true, enabled_time: now, metadata },
            now,
          );
          updated++;
          break;
        } catch (e) {
          if (!(e instanceof StaleJobError) || attempt >= 3) {
            failed.push(failure(i, `Failed to update metadata for index ${i.name}`));
            break;
          }
        }
      }
    }
    return response(updated, failed);
  }
}

/** The closed indices of a request, as add and remove fail them first. */
const closedFirst = (indices: readonly IndexInfo[]): FailedIndex[] =>
  inClusterStateOrder(indices)
    .filter((i) => !i.open)
    .map((i) => failure(i, 'This index is closed'));

const parseChangePolicy = (body: unknown): ChangePolicy => {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw illegalArgument('ChangePolicy policy id is null');
  }
  let policyId: string | undefined;
  let state: string | null = null;
  const include: { state: string }[] = [];
  for (const [k, v] of Object.entries(body)) {
    if (k === 'policy_id') policyId = typeof v === 'string' ? v : undefined;
    else if (k === 'state') state = typeof v === 'string' ? v : null;
    else if (k === 'include') {
      if (!Array.isArray(v)) throw illegalArgument('Must include a state when using include filter');
      for (const entry of v) {
        const s = (entry as { state?: unknown } | null)?.state;
        if (typeof s !== 'string') throw illegalArgument('Must include a state when using include filter');
        include.push({ state: s });
      }
    } else if (k !== 'is_safe') throw illegalArgument(`Invalid field: [${k}] found in ChangePolicy.`);
  }
  if (!policyId) throw illegalArgument('ChangePolicy policy id is null');
  return { policy_id: policyId, state, include, is_safe: false };
};
