import type { JobStore } from '../../shared/jobs/job-store';
import { illegalArgument, OpenSearchError } from '../../shared/errors';
import type { ClusterApi } from '../cluster-api';
import { compileQueryString } from '../query-string';
import { resolveIndices } from './cluster-indices';
import type { ManagedIndex } from './model';

/** explain (TransportExplainAction): per-index metadata in the plugin's key order. */
export interface ExplainFilter {
  policy_id?: string;
  state?: string;
  action_type?: string;
  failed?: boolean;
}

export interface ExplainParams {
  showPolicy: boolean;
  validateAction: boolean;
  from: number;
  size: number;
  sortOrder: string;
  queryString: string;
  filter: ExplainFilter;
}

const PLUGIN_KEY = 'index.plugins.index_state_management.policy_id';
const LEGACY_KEY = 'index.opendistro.index_state_management.policy_id';

export const unmanagedEntry = (): Record<string, unknown> => ({
  [PLUGIN_KEY]: null,
  [LEGACY_KEY]: null,
  enabled: null,
});

export const explainEntry = (
  managed: ManagedIndex,
  params: Pick<ExplainParams, 'showPolicy' | 'validateAction'>,
) => {
  const out: Record<string, unknown> = {
    [PLUGIN_KEY]: managed.policy_id,
    [LEGACY_KEY]: managed.policy_id,
    index: managed.index,
    index_uuid: managed.index_uuid,
    policy_id: managed.policy_id,
  };
  const m = managed.metadata;
  if (m) {
    out.policy_seq_no = m.policy_seq_no;
    out.policy_primary_term = m.policy_primary_term;
    if (m.rolled_over || m.action?.name === 'rollover') {
      out.rolled_over = m.rolled_over ?? false;
      if (m.rolled_over_index_name) out.rolled_over_index_name = m.rolled_over_index_name;
    }
    if (m.index_creation_date !== undefined) out.index_creation_date = m.index_creation_date;
    if (m.policy_completed) {
      out.policy_completed = true;
    } else {
      if (m.transition_to !== undefined) out.transition_to = m.transition_to;
      else {
        if (m.state) out.state = m.state;
        if (m.action) out.action = m.action;
        if (m.step) out.step = m.step;
      }
      if (m.retry_info) out.retry_info = m.retry_info;
      if (m.info) out.info = m.info;
    }
  }
  out.enabled = managed.enabled;
  if (params.showPolicy) {
    out.policy = managed.policy;
  }
  if (params.validateAction) {
    out.validate = { validation_message: 'Validation passed', validation_status: 'passed' };
  }
  return out;
};

const matchesFilter = (managed: ManagedIndex, f: ExplainFilter): boolean => {
  if (f.policy_id !== undefined && managed.policy_id !== f.policy_id) return false;
  const m = managed.metadata;
  // Managed indices without metadata are never filtered out by state/action/failed, as in the plugin.
  if (!m) return true;
  if (f.state !== undefined && m.state?.name !== f.state) return false;
  if (f.action_type !== undefined && m.action?.name !== f.action_type) return false;
  if (f.failed !== undefined && m.action?.failed !== f.failed && m.retry_info?.failed !== f.failed)
    return false;
  return true;
};

export const parseExplainFilter = (body: unknown, method: string): ExplainFilter => {
  if (method !== 'POST') return {};
  if (body === undefined) throw new OpenSearchError(400, 'parse_exception', 'request body is required');
  const filter = (body as { filter?: Record<string, unknown> } | null)?.filter;
  if (!filter || typeof filter !== 'object') return {};
  const out: ExplainFilter = {};
  if (typeof filter.policy_id === 'string') out.policy_id = filter.policy_id;
  if (typeof filter.state === 'string') out.state = filter.state;
  if (typeof filter.action_type === 'string') out.action_type = filter.action_type;
  if (typeof filter.failed === 'boolean') out.failed = filter.failed;
  return out;
};

export const explain = async (
  store: JobStore<ManagedIndex>,
  cluster: ClusterApi,
  expression: string | undefined,
  params: ExplainParams,
): Promise<Record<string, unknown>> => {
  const order = params.sortOrder.toLowerCase();
  if (order !== 'asc' && order !== 'desc') {
    throw illegalArgument(
      `No enum constant org.opensearch.search.sort.SortOrder.${params.sortOrder.toUpperCase()}`,
    );
  }
  const out: Record<string, unknown> = {};
  if (!expression) {
    const matches = compileQueryString(params.queryString);
    const all = (await store.list())
      .map((r) => r.state)
      .filter((m) => matches(m.index) && matchesFilter(m, params.filter))
      .sort((a, b) => (order === 'asc' ? 1 : -1) * a.index.localeCompare(b.index));
    for (const m of all.slice(params.from, params.from + params.size)) out[m.index] = explainEntry(m, params);
    out.total_managed_indices = all.length;
    return out;
  }
  const indices = await resolveIndices(cluster, expression);
  if (indices.length === 0) {
    throw new OpenSearchError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: no documents to get;',
    );
  }
  let total = 0;
  for (const i of indices) {
    const record = await store.get(i.uuid);
    if (record && matchesFilter(record.state, params.filter)) {
      out[i.name] = explainEntry(record.state, params);
      total++;
    } else if (!record) out[i.name] = unmanagedEntry();
  }
  out.total_managed_indices = total;
  return out;
};
