import type { Client } from '@opensearch-project/opensearch';
import { ManualClock } from '../../lambdas/shared/clock';
import { clusterClient } from '../../lambdas/shared/cluster';
import { documentClient } from '../../lambdas/shared/dynamo';
import { hashToFixedSize } from '../../lambdas/shared/murmur3';
import { runDue } from '../../lambdas/shared/jobs/run-due';
import { transformCluster } from '../../lambdas/transform/cluster-deps';
import { ismTransforms } from '../../lambdas/transform';
import { transformWork, type RunnerDeps } from '../../lambdas/transform/runner/runner';
import { TransformService } from '../../lambdas/transform/transform-service';
import { Crash, MINUTE, startIsmHarness, type IsmHarness } from '../support/ism-harness';
import { validateResponse } from '../support/spec';

/**
 * The transform API and the transform worker against DynamoDB Local and a real OpenSearch node:
 * what a user sees through the API, the documents and mapping the worker writes, that a run cut
 * off between two pages ends with exactly the documents and stats of an uninterrupted run, that a
 * continuous job recomputes only what changed, and ISM's transform action.
 */
jest.setTimeout(180_000);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let h: IsmHarness;
let client: Client;
const T = '/_plugins/_transform';
const SRC = 'tr-sales';
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

const transform = (overrides: Record<string, unknown> = {}) => ({
  transform: {
    enabled: false,
    schedule: { interval: { period: 1, unit: 'Minutes' } },
    description: 'sales per category and day',
    source_index: SRC,
    target_index: 'tr-out',
    page_size: 100,
    groups: [
      { terms: { source_field: 'category', target_field: 'category' } },
      { date_histogram: { source_field: 'ts', target_field: 'day', calendar_interval: '1d' } },
    ],
    aggregations: {
      total: { sum: { field: 'price' } },
      n: { value_count: { field: 'price' } },
      top: { max: { field: 'price' } },
    },
    ...overrides,
  },
});

const service = (clock: ManualClock): TransformService => {
  const { jobs, runs, tombstones } = TransformService.stores(documentClient(), h.api.tableName);
  return new TransformService(jobs, runs, tombstones, transformCluster, clock);
};

/** A clock past every job's first scheduled run. */
const later = (): ManualClock => new ManualClock(Date.now() + 5 * MINUTE);

/** One worker invocation at `clock`, as the scheduler would start it. */
const tick = (clock: ManualClock, extra: Partial<RunnerDeps> = {}) => {
  const svc = service(clock);
  return runDue({
    store: svc.runs,
    clock,
    work: transformWork({ service: svc, cluster: transformCluster, ...extra }),
    budgetMs: 60_000,
    retryDelayMs: 1_000,
  });
};

/** Runs the job until its explain shows a final status (or a few runs pass). */
const runToEnd = async (id: string, clock = later(), extra: Partial<RunnerDeps> = {}) => {
  for (let i = 0; i < 10; i++) {
    await tick(clock, extra).catch(() => undefined);
    const m = (await h.api.request('GET', `${T}/${id}/_explain`)).body[id]?.transform_metadata;
    if (m && ['finished', 'failed'].includes(m.status)) return m;
    clock.advance(2 * MINUTE);
  }
  return (await h.api.request('GET', `${T}/${id}/_explain`)).body[id]?.transform_metadata;
};

const sales = (n: number, from = 0) =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return { ts: T0 + Math.floor(i / 20) * DAY + i * 1000, category: 'abc'[i % 3], price: (i % 10) + 0.25 };
  });

/** What a bucket of these sales sums up to (computed here, to compare with the cluster's answer). */
const bucketOf = (docs: Json[]) => ({
  _doc_count: docs.length,
  'transform._doc_count': docs.length,
  total: docs.reduce((s, d) => s + d.price, 0),
  n: docs.length,
  top: Math.max(...docs.map((d) => d.price)),
});

const index = async (name: string, docs: Json[]) => {
  const body = docs.flatMap((d) => [{ index: { _index: name } }, d]);
  const res = await client.bulk({ body: body as never, refresh: true });
  expect((res.body as Json).errors).toBe(false);
};

const targetDocs = async (name: string): Promise<Map<string, Json>> => {
  await client.indices.refresh({ index: name });
  const res = await client.search({ index: name, body: { size: 1000 } as never });
  return new Map((res.body as Json).hits.hits.map((hit: Json) => [hit._id, hit._source]));
};

beforeAll(async () => {
  // Compiling the spec blocks the event loop for seconds: before any keep-alive socket exists.
  validateResponse('transforms', 'GET', `${T}/{id}`, 200, {});
  h = await startIsmHarness();
  client = await clusterClient();
  await client.indices.delete({ index: 'tr-*', ignore_unavailable: true } as never);
  await client.indices.create({
    index: SRC,
    body: {
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: {
        properties: { ts: { type: 'date' }, category: { type: 'keyword' }, price: { type: 'double' } },
      },
    } as never,
  });
  await index(SRC, sales(60));
});

afterAll(async () => {
  await client.indices.delete({ index: 'tr-*', ignore_unavailable: true } as never).catch(() => undefined);
  await h.close();
});

describe('the transform API', () => {
  it('creates a job (201, Location), reads it back as the plugin stores it, and refuses a second create', async () => {
    const put = await h.api.request('PUT', `${T}/api-a`, transform());
    expect(put.status).toBe(201);
    expect(put.headers.get('location')).toBe(`${T}/api-a`);
    expect(validateResponse('transforms', 'PUT', `${T}/{id}`, 201, put.body)).toEqual([]);
    expect(put.body.transform).toMatchObject({
      transform_id: 'api-a',
      schema_version: 21,
      metadata_id: null,
      enabled: false,
      enabled_at: null,
      data_selection_query: { match_all: { boost: 1 } },
      continuous: false,
    });
    const get = await h.api.request('GET', `${T}/api-a`);
    expect(get.status).toBe(200);
    expect(validateResponse('transforms', 'GET', `${T}/{id}`, 200, get.body)).toEqual([]);
    expect(get.body).toEqual(put.body);
    const again = await h.api.request('PUT', `${T}/api-a`, transform());
    expect(again.status).toBe(409);
    expect(again.body.error.reason).toBe(
      `[api-a]: version conflict, document already exists (current version [${put.body._version}])`,
    );
  });

  it('updates with if_seq_no/if_primary_term; a stale pair and a changed immutable field are refused', async () => {
    const created = (await h.api.request('PUT', `${T}/api-b`, transform())).body;
    const q = `if_seq_no=${created._seq_no}&if_primary_term=${created._primary_term}`;
    const updated = await h.api.request('PUT', `${T}/api-b?${q}`, transform({ description: 'updated' }));
    expect(updated.status).toBe(200);
    expect(updated.body.transform.description).toBe('updated');
    const stale = await h.api.request('PUT', `${T}/api-b?${q}`, transform());
    expect(stale.status).toBe(409);
    const fresh = `if_seq_no=${updated.body._seq_no}&if_primary_term=${updated.body._primary_term}`;
    const moved = await h.api.request('PUT', `${T}/api-b?${fresh}`, transform({ target_index: 'tr-else' }));
    expect(moved.status).toBe(400);
    expect(moved.body.error).toMatchObject({
      type: 'status_exception',
      reason: 'Not allowed to modify [target_index]',
    });
  });

  it('refuses a job whose source is missing or cannot be grouped as asked', async () => {
    const missing = await h.api.request('PUT', `${T}/api-bad`, transform({ source_index: 'tr-nope' }));
    expect(missing.status).toBe(404);
    expect(missing.body.error.reason).toBe('No specified source index exist in the cluster');
    const wrong = await h.api.request(
      'PUT',
      `${T}/api-bad`,
      transform({ groups: [{ histogram: { source_field: 'category', interval: 5 } }] }),
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.reason).toBe(
      `Cannot find field [category] that can be grouped as [histogram] in [${SRC}].`,
    );
  });

  it('lists, checks existence, and deletes (enabled jobs only with force; missing ids answer not_found)', async () => {
    await h.api.request('PUT', `${T}/api-list-1`, transform({ target_index: 'tr-l1' }));
    await h.api.request('PUT', `${T}/api-list-2`, transform({ target_index: 'tr-l2', enabled: true }));
    const list = await h.api.request('GET', `${T}?search=api-list&sortDirection=desc&size=1`);
    expect(validateResponse('transforms', 'GET', T, 200, list.body)).toEqual([]);
    expect(list.body.total_transforms).toBe(2);
    expect(list.body.transforms.map((t: Json) => t._id)).toEqual(['api-list-2']);
    expect((await h.api.request('HEAD', `${T}/api-list-1`)).status).toBe(200);
    expect((await h.api.request('HEAD', `${T}/api-nope`)).status).toBe(404);

    const refused = await h.api.request('DELETE', `${T}/api-list-1,api-list-2`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.reason).toBe(
      '[api-list-2] transform(s) are enabled, please disable them before deleting them or set force flag',
    );
    const deleted = await h.api.request('DELETE', `${T}/api-list-1,api-list-2,api-nope?force=true`);
    expect(deleted.status).toBe(200);
    expect(validateResponse('transforms', 'DELETE', `${T}/{id}`, 200, deleted.body)).toEqual([]);
    expect(deleted.body.items.map((i: Json) => [i.delete._id, i.delete.result, i.delete.status])).toEqual([
      ['api-list-1', 'deleted', 200],
      ['api-list-2', 'deleted', 200],
      ['api-nope', 'not_found', 404],
    ]);
    const gone = await h.api.request('GET', `${T}/api-list-1`);
    expect(gone.status).toBe(404);
    expect(gone.body.error).toMatchObject({ type: 'status_exception', reason: 'Transform not found' });
  });

  it('answers the _opendistro prefix the same way', async () => {
    const res = await h.api.request('GET', `/_opendistro/_transform/api-a`);
    expect(res.status).toBe(200);
    expect(res.body._id).toBe('api-a');
  });

  it('previews the first page of documents, computed on the cluster', async () => {
    const res = await h.api.request(
      'POST',
      `${T}/_preview`,
      transform({ groups: [{ terms: { source_field: 'category' } }] }),
    );
    expect(res.status).toBe(200);
    expect(validateResponse('transforms', 'POST', `${T}/_preview`, 200, res.body)).toEqual([]);
    expect(res.body.documents).toEqual(
      ['a', 'b', 'c'].map((category) => ({
        ...bucketOf(sales(60).filter((d) => d.category === category)),
        category,
      })),
    );
  });
});

describe('a one-shot transform run', () => {
  it('writes one document per bucket with the plugin ids and mapping, finishes and disables the job', async () => {
    const put = await h.api.request(
      'PUT',
      `${T}/run-a`,
      transform({ target_index: 'tr-run-a', page_size: 2 }),
    );
    expect(put.status).toBe(201);
    expect((await h.api.request('POST', `${T}/run-a/_start`)).body).toEqual({ acknowledged: true });
    const m = await runToEnd('run-a');
    expect(m).toMatchObject({
      transform_id: 'run-a',
      status: 'finished',
      failure_reason: null,
      // 9 buckets, 2 a page: 5 pages of buckets and the empty page that ends the run.
      stats: { pages_processed: 6, documents_processed: 60, documents_indexed: 9 },
    });
    expect(m.after_key).toBeUndefined();
    const explain = await h.api.request('GET', `${T}/run-a/_explain`);

    const docs = await targetDocs('tr-run-a');
    expect(docs.size).toBe(9);
    expect(docs.get(hashToFixedSize(`run-a#a:${T0}`))).toEqual({
      'transform._id': 'run-a',
      ...bucketOf(sales(20).filter((d) => d.category === 'a')),
      category: 'a',
      day: T0,
    });
    const mapping = (await client.indices.getMapping({ index: 'tr-run-a' })).body as Json;
    expect(mapping['tr-run-a'].mappings).toMatchObject({
      _meta: { schema_version: 1 },
      dynamic_templates: [{ strings: { match_mapping_type: 'string', mapping: { type: 'keyword' } } }],
      properties: {
        category: { type: 'keyword' },
        day: { type: 'long' },
        total: { type: 'float' },
        transform: { properties: { _doc_count: { type: 'long' }, _id: { type: 'keyword' } } },
      },
    });
    const job = (await h.api.request('GET', `${T}/run-a`)).body.transform;
    expect(job).toMatchObject({ enabled: false, enabled_at: null });
    expect(job.metadata_id).toEqual(explain.body['run-a'].metadata_id);
  });

  it('cut off between two pages, resumes after the last checkpoint: same documents, same stats', async () => {
    await h.api.request(
      'PUT',
      `${T}/run-b`,
      transform({ target_index: 'tr-run-b', page_size: 2, enabled: true }),
    );
    let crashed = false;
    const crashOnce: RunnerDeps['onPage'] = ({ page, phase }) => {
      // Page 3's documents are written, its checkpoint is not: the next run redoes it.
      if (page === 3 && phase === 'written' && !crashed) {
        crashed = true;
        throw new Crash('killed between two pages');
      }
    };
    const m = await runToEnd('run-b', later(), { onPage: crashOnce });
    expect(crashed).toBe(true);
    expect(m).toMatchObject({
      status: 'finished',
      stats: { pages_processed: 6, documents_processed: 60, documents_indexed: 9 },
    });
    const [a, b] = [await targetDocs('tr-run-a'), await targetDocs('tr-run-b')];
    const strip = (docs: Map<string, Json>) =>
      [...docs.values()]
        .map(({ 'transform._id': _id, ...rest }) => rest)
        .sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
    expect(b.size).toBe(9);
    expect(strip(b)).toEqual(strip(a));
  });

  it('creates no target when the query matches nothing, as the plugin creates it on the first write', async () => {
    await h.api.request(
      'PUT',
      `${T}/run-empty`,
      transform({
        target_index: 'tr-run-empty',
        enabled: true,
        data_selection_query: { term: { category: 'nope' } },
      }),
    );
    const m = await runToEnd('run-empty');
    expect(m).toMatchObject({ status: 'finished', stats: { pages_processed: 1, documents_indexed: 0 } });
    expect((await client.indices.exists({ index: 'tr-run-empty' })).body).toBe(false);
  });

  it('fails with the plugin reason when the source is gone, and disables the job', async () => {
    await client.indices.create({
      index: 'tr-gone',
      body: { mappings: { properties: { category: { type: 'keyword' } } } } as never,
    });
    await h.api.request(
      'PUT',
      `${T}/run-c`,
      transform({
        source_index: 'tr-gone',
        target_index: 'tr-run-c',
        enabled: true,
        groups: [{ terms: { source_field: 'category' } }],
        aggregations: {},
      }),
    );
    await client.indices.delete({ index: 'tr-gone' });
    const m = await runToEnd('run-c');
    expect(m).toMatchObject({
      status: 'failed',
      failure_reason: 'Failed validation - [No specified source index exist in the cluster]',
    });
    expect((await h.api.request('GET', `${T}/run-c`)).body.transform.enabled).toBe(false);
    // The spec's schema wants a failure_reason string, which only a failed job has (the plugin
    // writes null otherwise, as the corpus shows).
    const explain = await h.api.request('GET', `${T}/run-c/_explain`);
    expect(validateResponse('transforms', 'GET', `${T}/{id}/_explain`, 200, explain.body)).toEqual([]);
  });
});

describe('a continuous transform', () => {
  it('recomputes only the buckets of new documents, and explains how far behind the source is', async () => {
    await client.indices.create({
      index: 'tr-live',
      body: {
        settings: { number_of_shards: 2, number_of_replicas: 0 },
        mappings: {
          properties: { ts: { type: 'date' }, category: { type: 'keyword' }, price: { type: 'double' } },
        },
      } as never,
    });
    await index('tr-live', sales(60));
    const put = await h.api.request(
      'PUT',
      `${T}/live`,
      transform({ source_index: 'tr-live', target_index: 'tr-live-out', continuous: true, enabled: true }),
    );
    expect(put.status).toBe(201);
    const clock = later();
    await tick(clock);
    let m = (await h.api.request('GET', `${T}/live/_explain`)).body.live.transform_metadata;
    expect(m).toMatchObject({ status: 'started', stats: { documents_indexed: 9, documents_processed: 60 } });
    expect(m.continuous_stats).toEqual({
      last_timestamp: expect.any(Number),
      documents_behind: { 'tr-live': 0 },
    });
    expect(m.shard_id_to_global_checkpoint).toBeUndefined();

    // Two more sales of category `a` on day 0: one bucket changes, nothing else is recomputed.
    await index('tr-live', [
      { ts: T0 + 5000, category: 'a', price: 100 },
      { ts: T0 + 6000, category: 'a', price: 1 },
    ]);
    await client.indices.flush({ index: 'tr-live' } as never);
    m = (await h.api.request('GET', `${T}/live/_explain`)).body.live.transform_metadata;
    expect(m.continuous_stats.documents_behind).toEqual({ 'tr-live': 2 });
    clock.advance(2 * MINUTE);
    await tick(clock);
    m = (await h.api.request('GET', `${T}/live/_explain`)).body.live.transform_metadata;
    expect(m.stats).toMatchObject({ documents_indexed: 10, documents_processed: 69 });
    const docs = await targetDocs('tr-live-out');
    expect(docs.size).toBe(9);
    expect(docs.get(hashToFixedSize(`live#a:${T0}`))).toMatchObject({ _doc_count: 9, top: 100, n: 9 });
    expect((await h.api.request('GET', `${T}/live`)).body.transform.enabled).toBe(true);
  });
});

describe("ISM's transform action", () => {
  it('creates the job, waits for it, and completes with the plugin messages', async () => {
    const source = 'tr-ism-src';
    await client.indices.create({
      index: source,
      body: {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: {
          properties: { ts: { type: 'date' }, category: { type: 'keyword' }, price: { type: 'double' } },
        },
      } as never,
    });
    await index(source, sales(30));
    const ismTransform = {
      description: 'per category',
      target_index: 'tr-ism-out',
      page_size: 10,
      groups: [{ terms: { source_field: 'category', target_field: 'category' } }],
      aggregations: { total: { sum: { field: 'price' } } },
    };
    await h.putPolicy('tr-ism', {
      description: 'transform then done',
      default_state: 'a',
      states: [{ name: 'a', actions: [{ transform: { ism_transform: ismTransform } }], transitions: [] }],
    });
    await h.add(source, 'tr-ism');
    const id = ismTransforms.id(source, { ...ismTransform, data_selection_query: { match_all: {} } });
    // Every metadata ISM saves, run after run, until the action waits for the job.
    const saved: Json[] = [];
    for (let i = 0; i < 8 && !saved.some((m) => m.step?.name === 'wait_for_transform_completion'); i++) {
      h.clock.advance(2 * MINUTE);
      saved.push(...(await h.runRecording(source)));
    }
    const steps = saved.filter((m) => m.step && m.step.step_status !== 'starting');
    expect(steps.map((m) => [m.step.name, m.step.step_status, m.info])).toEqual([
      [
        'attempt_create_transform',
        'completed',
        { message: `Successfully created the transform job [${id}] [index=${source}]` },
      ],
      [
        'wait_for_transform_completion',
        'condition_not_met',
        { message: `Transform job [${id}] is still processing [index=${source}]` },
      ],
    ]);
    expect(steps[0].action?.action_properties).toEqual({ transform_action_properties: { transform_id: id } });
    const job = (await h.api.request('GET', `${T}/${id}`)).body.transform;
    expect(job).toMatchObject({
      source_index: source,
      target_index: 'tr-ism-out',
      enabled: true,
      continuous: false,
    });
    await runToEnd(id, new ManualClock(h.clock.now() + 5 * MINUTE));
    h.clock.advance(2 * MINUTE);
    const done = (await h.runRecording(source)).find(
      (m) => m.step?.name === 'wait_for_transform_completion' && m.step.step_status === 'completed',
    );
    expect(done?.info).toEqual({ message: `Transform job [${id}] completed [index=${source}]` });
    expect(await h.explain(source)).toMatchObject({ policy_completed: true });
    expect((await targetDocs('tr-ism-out')).size).toBe(3);
  });
});

describe.each([['before'], ['after']] as const)(
  'ISM transform action killed %s the job is created',
  (when) => {
    it('the resumed step creates one job (or finds the one it made) and goes on to wait for it', async () => {
      const source = `tr-ism-crash-${when}`;
      await client.indices.create({
        index: source,
        body: {
          settings: { number_of_shards: 1, number_of_replicas: 0 },
          mappings: {
            properties: { ts: { type: 'date' }, category: { type: 'keyword' }, price: { type: 'double' } },
          },
        } as never,
      });
      await index(source, sales(9));
      const ismTransform = {
        description: 'per category',
        target_index: `${source}-out`,
        page_size: 10,
        groups: [{ terms: { source_field: 'category', target_field: 'category' } }],
        aggregations: {},
      };
      await h.putPolicy(`tr-crash-${when}`, {
        description: 'transform',
        default_state: 'a',
        states: [{ name: 'a', actions: [{ transform: { ism_transform: ismTransform } }], transitions: [] }],
      });
      await h.add(source, `tr-crash-${when}`);
      const id = ismTransforms.id(source, { ...ismTransform, data_selection_query: { match_all: {} } });
      await h.crashOnce(when, source, 'attempt_create_transform');
      expect((await h.api.request('HEAD', `${T}/${id}`)).status).toBe(when === 'after' ? 200 : 404);

      h.clock.advance(7 * MINUTE); // past the dead run's lease
      const created = (await h.runRecording(source)).filter(
        (m) => m.step?.name === 'attempt_create_transform' && m.step.step_status !== 'starting',
      );
      expect(created.map((m) => [m.step.step_status, m.info])).toEqual([
        [
          'completed',
          when === 'after'
            ? { info: `Transform job [${id}] already exists, skipping creation [index=${source}]` }
            : { message: `Successfully created the transform job [${id}] [index=${source}]` },
        ],
      ]);
      const list = await h.api.request('GET', `${T}?search=${id}`);
      expect(list.body.total_transforms).toBe(1);
    });
  },
);
