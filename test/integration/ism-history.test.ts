import { findWorker } from '../../infra/workers';
import { IsmHistory } from '../../lambdas/ism/history/ism-history';
import { HISTORY_WRITE_ALIAS } from '../../lambdas/ism/history/mapping';
import { DEFAULT_HISTORY_SETTINGS } from '../../lambdas/ism/history/settings';
import { runWorker } from '../../local/scheduler';
import { startIsmHarness, type IsmHarness } from '../support/ism-harness';

/**
 * The ISM history index, as the plugin writes it: the ism-runner (invoked as EventBridge does)
 * adds a document per saved metadata to `.opendistro-ism-managed-index-history-write`, and the
 * history indices are rolled over and expire as the plugin's history settings say.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const DAY = 24 * 3_600_000;

let h: IsmHarness;
beforeAll(async () => {
  process.env.ISM_HISTORY_REPLICAS = '0'; // a single node: keep the history index green
  h = await startIsmHarness();
});
afterAll(async () => {
  delete process.env.ISM_HISTORY_REPLICAS;
  await h.close();
});

/** The index the history is written to (after a rollover the alias names the old one too). */
const writeIndex = async (): Promise<string> => {
  const aliases = await h.cluster.request<Json>('GET', `/_alias/${HISTORY_WRITE_ALIAS}`);
  const names = Object.keys(aliases);
  return names.find((n) => aliases[n].aliases[HISTORY_WRITE_ALIAS].is_write_index) ?? names[0];
};

const invoke = async () => (await runWorker(findWorker('ism')!)) as Json;

const historyOf = async (uuid: string): Promise<Json[]> => {
  await h.cluster.request('POST', `/${HISTORY_WRITE_ALIAS}/_refresh`);
  const out = await h.cluster.request<Json>('GET', `/${HISTORY_WRITE_ALIAS}/_search`, {
    query: {
      q: `managed_index_meta_data.index_uuid:"${uuid}"`,
      size: 100,
      sort: 'managed_index_meta_data.history_timestamp:asc',
    },
  });
  return out.hits.hits.map((hit: Json) => hit._source.managed_index_meta_data);
};

it('the runner writes every saved metadata but starting and condition_not_met steps to the history index', async () => {
  await h.putPolicy('hist', {
    description: 'history',
    default_state: 'hot',
    states: [
      {
        name: 'hot',
        actions: [{ read_only: {} }],
        transitions: [{ state_name: 'cold', conditions: { min_doc_count: 1 } }],
      },
      { name: 'cold', actions: [], transitions: [] },
    ],
  });
  await h.cluster.request('PUT', '/hist-index', {
    body: { settings: { 'index.number_of_shards': 1, 'index.number_of_replicas': 0 } },
  });
  await h.add('hist-index', 'hist');

  const first = await invoke();
  expect(first.historyWritten).toBeGreaterThanOrEqual(2);
  // The maintenance item ran once (nothing to roll over yet) and is not due again for hours.
  expect(first.historyMaintenance).toMatchObject({ rolledOver: false, deleted: [] });
  expect((await invoke()).historyMaintenance).toBeUndefined();

  const uuid = (await h.explain('hist-index')).index_uuid;
  const docs = await historyOf(uuid);
  expect(docs[0]).toMatchObject({
    index: 'hist-index',
    policy_id: 'hist',
    info: { message: 'Successfully initialized policy: hist' },
  });
  expect(docs).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        action: expect.objectContaining({ name: 'read_only' }),
        step: expect.objectContaining({ step_status: 'completed' }),
      }),
    ]),
  );
  for (const doc of docs) {
    expect(typeof doc.history_timestamp).toBe('number');
    expect(['starting', 'condition_not_met']).not.toContain(doc.step?.step_status);
  }
  // The transition waits (no documents yet): nothing new for a run that only re-checks it.
  const before = docs.length;
  h.clock.advance(10 * 60_000);
  await invoke();
  expect((await historyOf(uuid)).length).toBe(before);

  // The plugin's index: hidden, date-named, behind the write alias.
  const name = await writeIndex();
  expect(name).toMatch(/^\.opendistro-ism-managed-index-history-\d{4}\.\d{2}\.\d{2}-1$/);
  const settings = await h.cluster.request<Json>('GET', `/${name}/_settings`);
  expect(settings[name].settings.index.hidden).toBe('true');
});

it('rolls the history index over by size or age and deletes indices past retention, never the one being written', async () => {
  const settings = { ...DEFAULT_HISTORY_SETTINGS, replicas: 0, maxDocs: 1 };
  const now = Date.now();
  const history = new IsmHistory(h.cluster, settings, () => now);
  history.record({
    index: 'r',
    index_uuid: 'r-uuid',
    policy_id: 'p',
    policy_seq_no: 1,
    policy_primary_term: 1,
  });
  expect(await history.flush()).toBe(1);
  const before = await writeIndex();

  expect(await history.maintain()).toEqual({ rolledOver: true, deleted: [] });
  const after = await writeIndex();
  expect(after).not.toBe(before);
  expect(after).toMatch(/^\.opendistro-ism-managed-index-history-\d{4}\.\d{2}\.\d{2}-000002$/);

  // 31 days on: the old index expires, the one written to stays.
  const later = new IsmHistory(h.cluster, settings, () => now + 31 * DAY);
  expect((await later.maintain()).deleted).toEqual([before]);
  const remaining = await h.cluster.request<Json>('GET', '/.opendistro-ism-managed-index-history-*/_alias', {
    query: { expand_wildcards: 'all' },
  });
  expect(Object.keys(remaining)).toEqual([after]);
});

it('writes nothing while history is disabled', async () => {
  const history = new IsmHistory(h.cluster, { ...DEFAULT_HISTORY_SETTINGS, enabled: false }, Date.now);
  history.record({
    index: 'x',
    index_uuid: 'x-uuid',
    policy_id: 'p',
    policy_seq_no: 1,
    policy_primary_term: 1,
    info: { message: 'hello' },
  });
  expect(history.pending).toBe(0);
  expect(await history.flush()).toBe(0);
});
