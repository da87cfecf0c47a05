import type { ClusterApi } from '../../../../lambdas/ism/cluster-api';
import {
  explain,
  SEARCH_REFRESH_MS,
  type ExplainParams,
  type ExplainStores,
} from '../../../../lambdas/ism/managed-index/explain';
import type { ManagedIndex } from '../../../../lambdas/ism/managed-index/model';
import { newManagedIndex, type OptOut } from '../../../../lambdas/ism/managed-index/service';
import type { Policy } from '../../../../lambdas/ism/policy/model';
import { isOpenSearchError } from '../../../../lambdas/shared/errors';
import type { JobRecord } from '../../../../lambdas/shared/jobs/job-store';

/**
 * explain with an index expression, as the plugin answers it: its search of the jobs (sorted,
 * from `from`, 10,000 hits at most, queryString), the metadata filter, and a job removed a
 * moment ago that its unrefreshed search still finds. Cluster and table are in-memory here.
 */
const NAMES = ['ex-a', 'ex-b', 'ex-u'];
const cluster: ClusterApi = {
  async request<T>(_method: string, path: string): Promise<T> {
    const expr = decodeURIComponent(path.replace('/_cluster/state/metadata/', ''));
    const re = new RegExp(`^${expr.replace(/\*/g, '.*')}$`);
    const indices = Object.fromEntries(
      NAMES.filter((n) => re.test(n)).map((n) => [
        n,
        { state: 'open', settings: { index: { uuid: `uuid-${n}`, creation_date: '1' } } },
      ]),
    );
    return { metadata: { indices } } as T;
  },
};

const policy = { policy_id: 'p', default_state: 'a', states: [{ name: 'a', actions: [], transitions: [] }] };
const job = (name: string): ManagedIndex =>
  newManagedIndex(
    {
      name,
      uuid: `uuid-${name}`,
      open: true,
      creationDate: 1,
      hidden: false,
      settings: {},
      aliases: [],
      rolloverInfo: {},
    },
    { id: 'p', version: 1, seqNo: 1, primaryTerm: 1, source: policy as unknown as Policy },
    0,
  );

const record = <S>(id: string, state: S): JobRecord<S> => ({ kind: 'test', id, rev: 1, state });

const storesWith = (jobs: ManagedIndex[], optOuts: Record<string, OptOut> = {}): ExplainStores => ({
  managed: {
    get: async (id) => jobs.map((j) => record(j.index_uuid, j)).find((r) => r.id === id),
    list: async () => jobs.map((j) => record(j.index_uuid, j)),
  },
  optOut: {
    get: async (id) => (optOuts[id] ? record(id, optOuts[id]) : undefined),
    list: async () => Object.entries(optOuts).map(([id, o]) => record(id, o)),
  },
});

const params = (over: Partial<ExplainParams> = {}): ExplainParams => ({
  showPolicy: false,
  validateAction: false,
  from: 0,
  size: 20,
  sortField: 'managed_index.index',
  sortOrder: 'asc',
  queryString: '*',
  filter: {},
  ...over,
});

const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (isOpenSearchError(e)) return { status: e.status, body: e.toEnvelope() };
  }
  throw new Error('expected an OpenSearch error');
};

const UNMANAGED = {
  'index.plugins.index_state_management.policy_id': null,
  'index.opendistro.index_state_management.policy_id': null,
  enabled: null,
};

describe('explain <expression>', () => {
  const stores = storesWith([job('ex-a'), job('ex-b')]);

  it('refuses any from > 0: its search asks for 10,000 hits from there', async () => {
    const r = await refusal(explain(stores, cluster, 'ex-*', params({ from: 1, size: 2 }), 0));
    const reason =
      'Result window is too large, from + size must be less than or equal to: [10000] but was [10001]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.';
    const cause = { type: 'illegal_argument_exception', reason };
    expect(r.status).toBe(400);
    expect(r.body.error).toEqual({
      root_cause: [cause],
      type: 'search_phase_execution_exception',
      reason: 'all shards failed',
      phase: 'query',
      grouped: true,
      failed_shards: [{ shard: 0, index: '.opendistro-ism-config', node: expect.any(String), reason: cause }],
      caused_by: { ...cause, caused_by: cause },
    });
  });

  it('sorts its search too: a field the config index does not map is refused', async () => {
    const r = await refusal(explain(stores, cluster, 'ex-*', params({ sortField: 'index', from: 1 }), 0));
    const cause = {
      type: 'query_shard_exception',
      reason: 'No mapping found for [index] in order to sort on',
      index: '.opendistro-ism-config',
      index_uuid: expect.any(String),
    };
    expect(r.body.error).toMatchObject({ root_cause: [cause], caused_by: cause });
    expect(r.body.error.failed_shards).toEqual([expect.objectContaining({ reason: cause })]);
  });

  it('shows a managed index its queryString leaves out as not managed', async () => {
    const out = await explain(stores, cluster, 'ex-*', params({ queryString: 'ex-b' }), 0);
    expect(out['ex-a']).toEqual(UNMANAGED);
    expect(out['ex-u']).toEqual(UNMANAGED);
    expect(out['ex-b']).toMatchObject({ index: 'ex-b', policy_id: 'p', enabled: true });
    expect(out.total_managed_indices).toBe(1);
  });

  it('leaves out a managed index whose metadata the filter rejects', async () => {
    const a = job('ex-a');
    a.metadata = {
      index: 'ex-a',
      index_uuid: a.index_uuid,
      policy_id: 'p',
      policy_seq_no: 1,
      policy_primary_term: 1,
      state: { name: 'a', start_time: 1 },
    };
    const out = await explain(
      storesWith([a, job('ex-b')]),
      cluster,
      'ex-*',
      params({ filter: { state: 'z' } }),
      0,
    );
    expect(out).not.toHaveProperty('ex-a');
    // Not initialized: never filtered out.
    expect(out['ex-b']).toMatchObject({ policy_id: 'p' });
    expect(out.total_managed_indices).toBe(1);
  });

  it('still finds a job removed less than a refresh interval ago, without its metadata', async () => {
    const removed = { index: 'ex-u', removed: { at: 5_000, job: job('ex-u') } };
    const withGhost = storesWith([], { 'uuid-ex-u': removed });
    const soon = await explain(withGhost, cluster, 'ex-u', params(), 5_000 + SEARCH_REFRESH_MS - 1);
    expect(soon['ex-u']).toEqual({
      'index.plugins.index_state_management.policy_id': 'p',
      'index.opendistro.index_state_management.policy_id': 'p',
      index: 'ex-u',
      index_uuid: 'uuid-ex-u',
      policy_id: 'p',
      enabled: true,
    });
    expect(soon.total_managed_indices).toBe(1);
    const later = await explain(withGhost, cluster, 'ex-u', params(), 5_000 + SEARCH_REFRESH_MS);
    expect(later).toEqual({ 'ex-u': UNMANAGED, total_managed_indices: 0 });
  });
});
