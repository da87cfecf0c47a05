import type { JobStore } from '../../shared/jobs/job-store';
import { illegalArgument, OpenSearchError } from '../../shared/errors';
import { compareMissingLast } from '../../shared/sort-documents';
import type { ClusterApi } from '../cluster-api';
import { compileQueryString } from '../query-string';
import { resolveIndices, type IndexInfo } from './cluster-indices';
import {
  MAX_RESULT_WINDOW,
  resultWindowError,
  textFieldSortError,
  unmappedSortError,
} from '../../shared/config-search';
import type { ManagedIndex } from './model';
import type { OptOut } from './service';
import { validateAction, type ValidationResult } from './validate';

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
  sortField: string;
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
  params: Pick<ExplainParams, 'showPolicy'>,
  validation?: ValidationResult,
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
    if (m.policy_seq_no !== undefined) out.policy_seq_no = m.policy_seq_no;
    if (m.policy_primary_term !== undefined) out.policy_primary_term = m.policy_primary_term;
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
  if (validation) out.validate = validation;
  return out;
};

/**
 * explain searches the managed-index job documents of the config index, sorted by `sortField`
 * (with an index expression too); these are the fields its mapping can sort on
 * (`managed_index.name` is a text field: use `managed_index.name.keyword`). Fields the plugin
 * keeps but we do not (the job schedule) have no value here and sort last.
 */
const SORT_FIELDS: Record<string, (m: ManagedIndex) => unknown> = {
  'managed_index.index': (m) => m.index,
  'managed_index.name.keyword': (m) => m.index,
  'managed_index.index_uuid': (m) => m.index_uuid,
  'managed_index.policy_id': (m) => m.policy_id,
  'managed_index.enabled': (m) => m.enabled,
  'managed_index.enabled_time': (m) => m.enabled_time,
  'managed_index.last_updated_time': (m) => m.last_updated_time,
  'managed_index.policy_seq_no': (m) => m.policy_seq_no,
  'managed_index.policy_primary_term': (m) => m.policy_primary_term,
  'managed_index.change_policy.policy_id': (m) => m.change_policy?.policy_id,
  'managed_index.change_policy.state': (m) => m.change_policy?.state,
  'managed_index.change_policy.is_safe': (m) => m.change_policy?.is_safe,
  'managed_index.schedule.interval.start_time': () => undefined,
  'managed_index.schedule.interval.period': () => undefined,
  'managed_index.schedule.interval.unit': () => undefined,
  'managed_index.jitter': () => undefined,
};
const TEXT_FIELDS = new Set(['managed_index.name', 'managed_index.change_policy.user.name']);

const sortKey = (sortField: string): ((m: ManagedIndex) => unknown) => {
  const key = SORT_FIELDS[sortField];
  if (key) return key;
  if (TEXT_FIELDS.has(sortField)) {
    throw textFieldSortError(sortField);
  }
  throw unmappedSortError(sortField);
};

/**
 * The plugin's search of the jobs: the sort is parsed first, then the result window is checked
 * (with an index expression the search asks for 10,000 hits from `from`, so any `from` > 0 fails).
 */
const searchJobs = (
  all: ManagedIndex[],
  params: ExplainParams,
  size: number,
  matches: (m: ManagedIndex) => boolean,
): { hits: ManagedIndex[]; total: number } => {
  const key = sortKey(params.sortField);
  if (params.from + size > MAX_RESULT_WINDOW) throw resultWindowError(params.from + size);
  const direction = params.sortOrder.toLowerCase() === 'asc' ? 1 : -1;
  const found = all
    .filter(matches)
    .sort((a, b) => compareMissingLast(key(a), key(b), direction) || a.index.localeCompare(b.index));
  return { hits: found.slice(params.from, params.from + size), total: found.length };
};

/** ExplainFilter.byMetaData: managed indices without metadata are never filtered out. */
const matchesMetadata = (managed: ManagedIndex, f: ExplainFilter): boolean => {
  const m = managed.metadata;
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

/**
 * The config index's refresh interval: its search sees a job removed this recently still (its
 * metadata, read in real time, is gone), so explain shows the index as managed, uninitialized.
 */
export const SEARCH_REFRESH_MS = 1_000;

export interface ExplainStores {
  managed: Pick<JobStore<ManagedIndex>, 'get' | 'list'>;
  optOut: Pick<JobStore<OptOut>, 'get' | 'list'>;
}

export const explain = async (
  stores: ExplainStores,
  cluster: ClusterApi,
  expression: string | undefined,
  params: ExplainParams,
  now: number,
): Promise<Record<string, unknown>> => {
  const order = params.sortOrder.toLowerCase();
  if (order !== 'asc' && order !== 'desc') {
    throw illegalArgument(
      `No enum constant org.opensearch.search.sort.SortOrder.${params.sortOrder.toUpperCase()}`,
    );
  }
  const queryMatches = compileQueryString(params.queryString);
  const { filter } = params;
  const searched = (m: ManagedIndex): boolean =>
    queryMatches(m.index) && (filter.policy_id === undefined || m.policy_id === filter.policy_id);
  const justRemoved = (o: OptOut | undefined): ManagedIndex | undefined =>
    o?.removed && now - o.removed.at < SEARCH_REFRESH_MS ? o.removed.job : undefined;
  const out: Record<string, unknown> = {};
  if (!expression) {
    const jobs = (await stores.managed.list()).map((r) => r.state);
    const live = new Set(jobs.map((m) => m.index_uuid));
    for (const o of await stores.optOut.list()) {
      const ghost = justRemoved(o.state);
      if (ghost && !live.has(ghost.index_uuid)) jobs.push(ghost);
    }
    const { hits, total } = searchJobs(jobs, params, params.size, searched);
    // The metadata filter applies to the page the search returned, as in the plugin.
    const page = hits.filter((m) => matchesMetadata(m, filter));
    const validations = params.validateAction ? await validateAll(cluster, page) : undefined;
    for (const m of page) out[m.index] = explainEntry(m, params, validations?.get(m.index_uuid));
    out.total_managed_indices = total - (hits.length - page.length);
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
  const records = new Map<string, ManagedIndex>();
  for (const i of indices) {
    const record = await stores.managed.get(i.uuid);
    const job = record?.state ?? justRemoved((await stores.optOut.get(i.uuid))?.state);
    if (job) records.set(i.uuid, job);
  }
  // The jobs of these indices the search finds: any other index shows as not managed.
  const { hits } = searchJobs([...records.values()], params, MAX_RESULT_WINDOW, searched);
  const found = new Set(hits.map((m) => m.index_uuid));
  let total = found.size;
  for (const i of indices) {
    const managed = records.get(i.uuid);
    if (managed && !matchesMetadata(managed, filter)) {
      if (found.has(i.uuid)) total--;
      continue;
    }
    if (!managed || !found.has(i.uuid)) {
      out[i.name] = unmanagedEntry();
      continue;
    }
    const validation = params.validateAction ? await validateAction(cluster, managed, i) : undefined;
    out[i.name] = explainEntry(managed, params, validation);
  }
  out.total_managed_indices = total;
  return out;
};

/** Validations for a page of managed indices, reading the cluster's view of them in one call. */
const validateAll = async (
  cluster: ClusterApi,
  page: ManagedIndex[],
): Promise<Map<string, ValidationResult>> => {
  const out = new Map<string, ValidationResult>();
  if (page.length === 0) return out;
  const byName = new Map<string, IndexInfo>(
    (await resolveIndices(cluster, page.map((m) => m.index).join(','))).map((i) => [i.name, i]),
  );
  for (const m of page) {
    const info = byName.get(m.index);
    out.set(m.index_uuid, await validateAction(cluster, m, info?.uuid === m.index_uuid ? info : undefined));
  }
  return out;
};
