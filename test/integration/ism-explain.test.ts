import { startIsmHarness, type IsmHarness } from '../support/ism-harness';
import { validateResponse } from '../support/spec';

/**
 * explain's `validate_action` (the plugin's per-action validators, run against the real node)
 * and explain-all's `sortField`/`sortOrder` over the managed-index job fields.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let h: IsmHarness;
beforeAll(async () => {
  h = await startIsmHarness();
});
afterAll(async () => h.close());

const oneAction = (action: Json) => ({
  description: 'one action',
  default_state: 'a',
  states: [{ name: 'a', actions: [action], transitions: [] }],
});

const createIndex = async (name: string, body: Json = {}) =>
  h.cluster.request('PUT', `/${name}`, {
    body: { settings: { 'index.number_of_shards': 1, 'index.number_of_replicas': 0 }, ...body },
  });

const validate = async (index: string) => (await h.explain(index, '?validate_action=true')).validate;

/** Puts the index on its policy's first action without running it (a run killed after `starting`). */
const parkOnFirstAction = async (index: string, step: string) => {
  await h.crashOnce('before', index, step);
  expect((await h.explain(index)).step).toMatchObject({ name: step, step_status: 'starting' });
};

describe('validate_action', () => {
  beforeAll(async () => {
    await h.putPolicy('v-rollover', oneAction({ rollover: { min_doc_count: 1000 } }));
    await h.putPolicy('v-delete', oneAction({ delete: {} }));
    await h.putPolicy('v-priority', oneAction({ index_priority: { priority: 5 } }));
    await h.putPolicy('v-shrink', oneAction({ shrink: { num_new_shards: 1 } }));
    await h.putPolicy('v-close', oneAction({ close: {} }));
  });

  it('rollover: re_validating without a rollover alias, passed once the index has a write alias', async () => {
    await createIndex('vr-000001');
    await h.add('vr-000001', 'v-rollover');
    expect(await validate('vr-000001')).toEqual({
      validation_message: 'Starting Validation',
      validation_status: 'passed',
    });
    await h.tick(); // fails: no alias
    expect(await validate('vr-000001')).toEqual({
      validation_message: 'Missing rollover_alias index setting [index=vr-000001]',
      validation_status: 're_validating',
    });
    await h.cluster.request('POST', '/_aliases', {
      body: { actions: [{ add: { index: 'vr-000001', alias: 'vr', is_write_index: true } }] },
    });
    expect(await validate('vr-000001')).toEqual({
      validation_message: 'Rollover validation passed for [index=vr-000001]',
      validation_status: 'passed',
    });
    // Without the write flag and with a second index behind the alias, no alias can be told.
    await createIndex('vr-other');
    await h.cluster.request('POST', '/_aliases', {
      body: {
        actions: [
          { add: { index: 'vr-000001', alias: 'vr', is_write_index: false } },
          { add: { index: 'vr-other', alias: 'vr' } },
        ],
      },
    });
    expect(await validate('vr-000001')).toEqual({
      validation_message: 'Missing rollover_alias index setting [index=vr-000001]',
      validation_status: 're_validating',
    });
  });

  it('delete: re_validating while the index is its alias write index', async () => {
    await createIndex('vd-000001', { aliases: { vd: { is_write_index: true } } });
    await h.add('vd-000001', 'v-delete');
    await parkOnFirstAction('vd-000001', 'attempt_delete');
    expect(await validate('vd-000001')).toEqual({
      validation_message: 'Index [index=vd-000001] is the write index for data stream and cannot be deleted',
      validation_status: 're_validating',
    });
    await h.cluster.request('POST', '/_aliases', {
      body: { actions: [{ remove: { index: 'vd-000001', alias: 'vd' } }] },
    });
    expect(await validate('vd-000001')).toEqual({
      validation_message: 'Delete validation passed for [index=vd-000001]',
      validation_status: 'passed',
    });
  });

  it('index_priority: failed under a read_only_allow_delete block; close passes; unmapped actions pass', async () => {
    await createIndex('vp');
    await h.add('vp', 'v-priority');
    await parkOnFirstAction('vp', 'attempt_set_index_priority');
    await h.cluster.request('PUT', '/vp/_settings', {
      body: { 'index.blocks.read_only_allow_delete': true },
    });
    expect(await validate('vp')).toEqual({
      validation_message: 'read_only_allow_delete block is not null for index [index=vp]',
      validation_status: 'failed',
    });
    await h.cluster.request('PUT', '/vp/_settings', {
      body: { 'index.blocks.read_only_allow_delete': null },
    });
    expect((await validate('vp')).validation_status).toBe('passed');

    await createIndex('vc');
    await h.add('vc', 'v-close');
    await parkOnFirstAction('vc', 'attempt_close');
    expect(await validate('vc')).toEqual({
      validation_message: 'Close action validation passed for [index=vc]',
      validation_status: 'passed',
    });

    await createIndex('vs');
    await h.add('vs', 'v-shrink');
    await parkOnFirstAction('vs', 'attempt_move_shards_step');
    expect(await validate('vs')).toEqual({
      validation_message: 'Starting Validation',
      validation_status: 'passed',
    });
  });

  it('data streams: the write backing index is the rollover target and is not deleted', async () => {
    await h.cluster.request('PUT', '/_index_template/vds', {
      body: { index_patterns: ['vds*'], data_stream: {}, template: { settings: { number_of_replicas: 0 } } },
    });
    await h.cluster.request('PUT', '/_data_stream/vds');
    const ds = (await h.cluster.request('GET', '/_data_stream/vds')) as Json;
    const backing = ds.data_streams[0].indices[0].index_name as string;
    await h.add(backing, 'v-delete');
    await parkOnFirstAction(backing, 'attempt_delete');
    expect(await validate(backing)).toEqual({
      validation_message: `Index [index=${backing}] is the write index for data stream and cannot be deleted`,
      validation_status: 're_validating',
    });
    await h.cluster.request('POST', '/vds/_rollover');
    expect(await validate(backing)).toEqual({
      validation_message: `Delete validation passed for [index=${backing}]`,
      validation_status: 'passed',
    });
  });

  it('explain-all validates each index of the page; without the flag there is no validate key', async () => {
    const r = await h.api.request(
      'GET',
      '/_plugins/_ism/explain?validate_action=true&queryString=v*&size=100',
    );
    expect(r.status).toBe(200);
    expect(validateResponse('ism', 'GET', '/_plugins/_ism/explain', 200, r.body)).toEqual([]);
    expect(r.body.vc.validate).toEqual({
      validation_message: 'Close action validation passed for [index=vc]',
      validation_status: 'passed',
    });
    expect(r.body['vd-000001'].validate.validation_status).toBe('passed');
    expect((await h.explain('vc')).validate).toBeUndefined();
  });
});

describe('explain-all sortField and sortOrder', () => {
  beforeAll(async () => {
    await h.putPolicy('s-b', oneAction({ rollover: { min_doc_count: 1000 } }));
    await h.putPolicy('s-a', oneAction({ rollover: { min_doc_count: 1000 } }));
    for (const [index, policy] of [
      ['sort-1', 's-b'],
      ['sort-2', 's-a'],
      ['sort-3', 's-b'],
    ]) {
      await createIndex(index);
      await h.add(index, policy);
    }
  });

  const order = async (query: string) => {
    const r = await h.api.request('GET', `/_plugins/_ism/explain?queryString=sort-*${query}`);
    expect(r.status).toBe(200);
    return Object.keys(r.body).filter((k) => k !== 'total_managed_indices');
  };

  it('sorts by the index name by default, by other job fields when asked, ties by index name', async () => {
    expect(await order('')).toEqual(['sort-1', 'sort-2', 'sort-3']);
    expect(await order('&sortOrder=desc')).toEqual(['sort-3', 'sort-2', 'sort-1']);
    expect(await order('&sortField=managed_index.policy_id')).toEqual(['sort-2', 'sort-1', 'sort-3']);
    expect(await order('&sortField=managed_index.policy_id&sortOrder=desc')).toEqual([
      'sort-1',
      'sort-3',
      'sort-2',
    ]);
    expect(await order('&sortField=managed_index.name.keyword&sortOrder=desc')).toEqual([
      'sort-3',
      'sort-2',
      'sort-1',
    ]);
    expect(await order('&sortField=managed_index.enabled_time&sortOrder=desc&size=2')).toEqual([
      'sort-3',
      'sort-2',
    ]);
  });

  it('a text field or an unmapped field is refused as OpenSearch refuses the sort', async () => {
    const text = await h.api.request('GET', '/_plugins/_ism/explain?sortField=managed_index.name');
    expect(text.status).toBe(400);
    expect(text.body.error.type).toBe('search_phase_execution_exception');
    expect(text.body.error.caused_by.reason).toMatch(/^Text fields are not optimised/);
    const unknown = await h.api.request('GET', '/_plugins/_ism/explain?sortField=index');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.caused_by.reason).toBe('No mapping found for [index] in order to sort on');
    const bad = await h.api.request('GET', '/_plugins/_ism/explain?sortOrder=up');
    expect(bad.status).toBe(400);
  });
});
