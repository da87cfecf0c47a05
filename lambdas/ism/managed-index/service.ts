import type { DocumentStore, StoredDocument } from '../../shared/document-store';
import { illegalArgument, statusException } from '../../shared/errors';
import type { JobStore } from '../../shared/jobs/job-store';
import { StaleJobError } from '../../shared/jobs/job-store';
import type { ClusterApi } from '../cluster-api';
import type { Policy } from '../policy/model';
import { sameActions } from '../runner/run-managed-index';
import { resolveIndices, resolveIndicesStrict, type IndexInfo } from './cluster-indices';
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

/** A marker per index UUID that `remove` writes, so ISM templates never re-attach the index. */
export interface OptOut {
  index: string;
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

  async add(expression: string | undefined, body: unknown, now: number): Promise<UpdateResponse> {
    if (!expression) throw illegalArgument('Missing indices');
    const policyId = (body as { policy_id?: unknown } | undefined)?.policy_id;
    if (typeof policyId !== 'string' || policyId === '') throw illegalArgument('Missing policy_id');
    const indices = await resolveIndices(this.cluster, expression);
    if (indices.length === 0) return response(0, []);
    const failed: FailedIndex[] = [];
    const open = indices.filter((i) => {
      if (!i.open) failed.push(failure(i, 'This index is closed'));
      return i.open;
    });
    const doc = await this.stores.policies.get(policyId);
    if (!doc) throw statusException(404, `Could not find policy=${policyId}`);
    let updated = 0;
    for (const i of open) {
      if (RESTRICTED.test(i.name)) {
        failed.push(failure(i, 'Matches restricted index pattern defined in the cluster setting'));
        continue;
      }
      // Due at once: the first run initializes the policy at the next tick.
      if (await this.stores.managed.create(i.uuid, newManagedIndex(i, doc, now), now)) {
        updated++;
        await this.stores.optOut.delete(i.uuid);
      } else {
        failed.push(
          failure(i, 'This index already has a policy, use the update policy API to update index policies'),
        );
      }
    }
    return response(updated, failed);
  }

  async remove(expression: string | undefined): Promise<UpdateResponse> {
    if (!expression) throw illegalArgument('Missing indices');
    const indices = await resolveIndicesStrict(this.cluster, expression);
    const failed: FailedIndex[] = [];
    let updated = 0;
    for (const i of indices) {
      if (!i.open) {
        failed.push(failure(i, 'This index is closed'));
        continue;
      }
      // The plugin sets index.plugins.index_state_management.auto_manage=false, a setting a
      // plugin-free cluster refuses: the opt-out is kept in our table instead.
      await this.stores.optOut.create(i.uuid, { index: i.name }, null);
      if (await this.stores.managed.delete(i.uuid)) updated++;
      else failed.push(failure(i, 'This index does not have a policy to remove'));
    }
    return response(updated, failed);
  }

  async changePolicy(expression: string | undefined, body: unknown): Promise<UpdateResponse> {
    const change = parseChangePolicy(body);
    if (!expression) throw illegalArgument('Missing index');
    const doc = await this.stores.policies.get(change.policy_id);
    if (!doc) throw statusException(404, `Could not find policy=${change.policy_id}`);
    const indices = await resolveIndicesStrict(this.cluster, expression);
    const failed: FailedIndex[] = [];
    let updated = 0;
    for (const i of indices) {
      for (let attempt = 0; ; attempt++) {
        const record = await this.stores.managed.get(i.uuid);
        const m = record?.state.metadata ?? null;
        if (m?.transition_to !== undefined) {
          failed.push(failure(i, 'Cannot change policy while transitioning to new state'));
          break;
        }
        const stateName = m?.state?.name;
        if (m && change.include.length > 0 && !change.include.some((s) => s.state === stateName)) break;
        if (!record) {
          failed.push(failure(i, 'This index is not being managed'));
          break;
        }
        const isSafe =
          !m?.state ||
          (change.state === null &&
            sameActions(
              record.state.policy.states.find((s) => s.name === stateName),
              doc.source.states.find((s) => s.name === stateName),
            ));
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

  async retry(expression: string | undefined, body: unknown, now: number): Promise<UpdateResponse> {
    if (!expression) throw illegalArgument('Missing indices');
    const state = (body as { state?: unknown } | undefined)?.state;
    const indices = await resolveIndicesStrict(this.cluster, expression);
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
