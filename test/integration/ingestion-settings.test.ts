import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ShardState } from '../../lambdas/ingestion/model';
import { IngestionService } from '../../lambdas/ingestion/service';
import { clusterClient } from '../../lambdas/shared/cluster';
import { filterResponse } from '../../lambdas/shared/filter-path';
import { systemClock } from '../../lambdas/shared/clock';
import { documentClient } from '../../lambdas/shared/dynamo';
import { JobStore } from '../../lambdas/shared/jobs/job-store';
import { startTestApi, type TestApi } from '../support/api';
import { validateResponse } from '../support/spec';

/**
 * GET /<index>/_settings through our endpoint shows an ingesting index's
 * `index.ingestion_source.*` settings as the user set them (the cluster never saw them), in
 * OpenSearch's nested and flat renderings, filtered by `{name}`; other indices and errors come
 * back as the cluster answers them.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

jest.setTimeout(60_000);

let api: TestApi;
let dir: string;
const INDEX = 'settings-ingest';
const PLAIN = 'settings-plain';

beforeAll(async () => {
  api = await startTestApi();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingestion-settings-'));
  const created = await api.request('PUT', `/${INDEX}`, {
    settings: {
      ingestion_source: {
        type: 'file',
        'pointer.init.reset': 'reset_by_offset',
        'pointer.init.reset.value': 3,
        error_strategy: 'BLOCK',
        'poll.max_batch_size': 50,
        param: { stream: 'events', base_directory: dir },
      },
      index: { number_of_shards: 1, number_of_replicas: 0 },
    },
  });
  expect(created.status).toBe(200);
  const plain = await api.request('PUT', `/${PLAIN}`, {
    settings: { index: { number_of_shards: 1, number_of_replicas: 0 } },
  });
  expect(plain.status).toBe(200);
});
afterAll(async () => {
  await api?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const get = async (
  pathAndQuery: string,
  template = '/{index}/_settings',
): Promise<{ status: number; body: Json }> => {
  const res = await api.request<Json>('GET', pathAndQuery);
  if (res.status === 200)
    expect(validateResponse('indices', 'GET', template, res.status, res.body)).toEqual([]);
  return res;
};

/** What the cluster itself answers, for the parts that must pass unchanged. */
const fromCluster = async (pathAndQuery: string): Promise<{ status: number; body: Json }> => {
  const client = await clusterClient();
  const [p, q] = pathAndQuery.split('?');
  const res = await client.transport.request(
    { method: 'GET', path: p, querystring: q },
    { ignore: [400, 404], maxRetries: 0 },
  );
  return { status: res.statusCode ?? 0, body: res.body as Json };
};

const GIVEN = {
  type: 'file',
  pointer: { init: { reset: 'reset_by_offset', 'reset.value': '3' } },
  error_strategy: 'BLOCK',
  poll: { max_batch_size: '50' },
  param: { stream: 'events', base_directory: '' },
};

describe('GET _settings of an ingesting index', () => {
  it('shows the ingestion source nested under index, as set (strings, no defaults)', async () => {
    const { status, body } = await get(`/${INDEX}/_settings`);
    expect(status).toBe(200);
    const index = body[INDEX].settings.index;
    expect(index.ingestion_source).toEqual({ ...GIVEN, param: { stream: 'events', base_directory: dir } });
    // The cluster's own settings are all still there.
    const cluster = (await fromCluster(`/${INDEX}/_settings`)).body[INDEX].settings.index;
    expect(cluster.ingestion_source).toBeUndefined();
    expect({ ...index, ingestion_source: undefined }).toEqual({ ...cluster, ingestion_source: undefined });
  });

  it('shows them flat with flat_settings=true', async () => {
    const { body } = await get(`/${INDEX}/_settings?flat_settings=true`);
    const settings = body[INDEX].settings;
    expect(settings).toMatchObject({
      'index.ingestion_source.type': 'file',
      'index.ingestion_source.pointer.init.reset': 'reset_by_offset',
      'index.ingestion_source.pointer.init.reset.value': '3',
      'index.ingestion_source.error_strategy': 'BLOCK',
      'index.ingestion_source.poll.max_batch_size': '50',
      'index.ingestion_source.param.stream': 'events',
      'index.ingestion_source.param.base_directory': dir,
      'index.number_of_shards': '1',
    });
    expect(Object.keys(settings).filter((k) => k.startsWith('index.ingestion_source.'))).toHaveLength(7);
    expect(Object.keys(settings)).toEqual([...Object.keys(settings)].sort());
  });

  it('filters by {name} patterns', async () => {
    const only = await get(
      `/${INDEX}/_settings/index.ingestion_source.param.*?flat_settings=true`,
      '/{index}/_settings/{name}',
    );
    expect(only.body).toEqual({
      [INDEX]: {
        settings: {
          'index.ingestion_source.param.base_directory': dir,
          'index.ingestion_source.param.stream': 'events',
        },
      },
    });
    const mixed = await get(`/${INDEX}/_settings/index.number_of_shards,*.type`, '/{index}/_settings/{name}');
    // `*.type` matches the cluster's `index.replication.type` too.
    const cluster = (await fromCluster(`/${INDEX}/_settings/index.number_of_shards,*.type`)).body;
    expect(cluster[INDEX].settings.index.number_of_shards).toBe('1');
    expect(mixed.body).toEqual({
      [INDEX]: {
        settings: { index: { ...cluster[INDEX].settings.index, ingestion_source: { type: 'file' } } },
      },
    });
    // Nothing of ours matches: the cluster's answer as is.
    const theirs = await get(`/${INDEX}/_settings/index.number_of_replicas`, '/{index}/_settings/{name}');
    expect(theirs.body).toEqual((await fromCluster(`/${INDEX}/_settings/index.number_of_replicas`)).body);
  });

  it('leaves a plain index in a comma list unchanged, and drops it when a filter leaves it nothing', async () => {
    const { body } = await get(`/${INDEX},${PLAIN}/_settings`);
    expect(body[PLAIN]).toEqual((await fromCluster(`/${PLAIN}/_settings`)).body[PLAIN]);
    expect(body[INDEX].settings.index.ingestion_source.type).toBe('file');
    const filtered = await get(
      `/${INDEX},${PLAIN}/_settings/index.ingestion_source.type`,
      '/{index}/_settings/{name}',
    );
    expect(filtered.body).toEqual({
      [INDEX]: { settings: { index: { ingestion_source: { type: 'file' } } } },
    });
    // As the cluster does for a plain index whose settings the filter empties.
    expect((await fromCluster(`/${PLAIN}/_settings/index.ingestion_source.type`)).body).toEqual({});
  });

  it('with include_defaults keeps the set settings out of defaults', async () => {
    const { body } = await get(`/${INDEX}/_settings?include_defaults=true&flat_settings=true`);
    expect(body[INDEX].settings['index.ingestion_source.type']).toBe('file');
    expect(body[INDEX].defaults['index.ingestion_source.type']).toBeUndefined();
    expect(body[INDEX].defaults['index.refresh_interval']).toBe('1s');
  });

  it('passes a missing index 404 unchanged', async () => {
    const ours = await get('/no-such-index/_settings');
    const theirs = await fromCluster('/no-such-index/_settings');
    expect(ours.status).toBe(404);
    expect(ours.body).toEqual(theirs.body);
    const filtered = await get('/no-such-index/_settings/index.ingestion_source.*');
    expect(filtered.status).toBe(404);
    expect(filtered.body.error.type).toBe('index_not_found_exception');
  });

  it('shows them in GET /_settings of every index, and /_settings/{name}', async () => {
    const all = await get('/_settings', '/_settings');
    expect(all.body[INDEX].settings.index.ingestion_source.type).toBe('file');
    expect(all.body[PLAIN]).toEqual((await fromCluster(`/${PLAIN}/_settings`)).body[PLAIN]);
    const named = await get(
      '/_settings/index.ingestion_source.type,index.ingestion_source.param.stream',
      '/_settings/{name}',
    );
    expect(named.body).toEqual({
      [INDEX]: { settings: { index: { ingestion_source: { type: 'file', param: { stream: 'events' } } } } },
    });
  });

  it('finds the registered indices of a long list with one query', async () => {
    const service = new IngestionService(
      new JobStore<ShardState>(documentClient(), api.tableName, 'ingestion'),
      systemClock,
      () => undefined,
    );
    const names = [...Array.from({ length: 20 }, (_, i) => `other-${i}`), INDEX];
    const long = await service.registrations(names);
    expect([...long.keys()]).toEqual([INDEX]);
    expect(long.get(INDEX)?.source.settings).toMatchObject({ type: 'file', 'pointer.init.reset.value': '3' });
    expect(long.get(INDEX)?.indexUuid).toEqual(expect.any(String));
    expect([...(await service.registrations([PLAIN, INDEX])).keys()]).toEqual([INDEX]);
  });

  it('shows nothing of ours for an index deleted and created again on the cluster behind our back', async () => {
    const name = 'settings-recreated';
    const created = await api.request('PUT', `/${name}`, {
      settings: { ingestion_source: { type: 'file', param: { stream: 'again', base_directory: dir } } },
    });
    expect(created.status).toBe(200);
    expect((await get(`/${name}/_settings`)).body[name].settings.index.ingestion_source.type).toBe('file');
    const client = await clusterClient();
    await client.indices.delete({ index: name });
    await client.indices.create({ index: name, body: { settings: { number_of_replicas: 0 } } });
    const { body } = await get(`/${name}/_settings`);
    expect(body).toEqual((await fromCluster(`/${name}/_settings`)).body);
    const filtered = await get(`/${name}/_settings/index.ingestion_source.*`, '/{index}/_settings/{name}');
    expect(filtered.body).toEqual({});
  });
});

describe('GET _settings with filter_path', () => {
  const fp = (f: string): string => `filter_path=${encodeURIComponent(f)}`;
  const FILTERS = [
    '*.settings.index.number_of_shards',
    '**.number_of_shards',
    '-**.number_of_shards',
    '*.settings.index.*',
    '*',
    '**',
    '-*',
    'nothing',
    '*.settings.index\\.number_of_shards',
    '*.*.index.number_of_*,-*.*.index.number_of_replicas',
    '**.type',
    '-**.type',
    ' * , -*.settings.index.uuid',
    '**.index.uuid',
    '*.*.*.*.reset',
    `${PLAIN}.settings`,
    'settings-*.settings.index.provided_name',
  ];

  it('filters as the cluster itself does (compared on an index with nothing of ours, every rendering)', async () => {
    for (const q of ['', 'flat_settings=true', 'include_defaults=true']) {
      const full = (await fromCluster(`/${PLAIN}/_settings?${q}`)).body;
      for (const f of FILTERS) {
        const theirs = (await fromCluster(`/${PLAIN}/_settings?${q}&${fp(f)}`)).body;
        expect([f, filterResponse(full, f)]).toEqual([f, theirs]);
        const ours = await api.request<Json>('GET', `/${PLAIN}/_settings?${q}&${fp(f)}`);
        expect([f, ours.status, ours.body]).toEqual([f, 200, theirs]);
      }
    }
  });

  it('keeps the ingestion source of an ingesting index, filtered after it is added', async () => {
    const nested = await get(`/${INDEX},${PLAIN}/_settings?${fp('*.settings.index.ingestion_source.type')}`);
    expect(nested.body).toEqual({ [INDEX]: { settings: { index: { ingestion_source: { type: 'file' } } } } });
    const param = await get(`/${INDEX}/_settings?${fp('**.ingestion_source.param')}`);
    expect(param.body).toEqual({
      [INDEX]: {
        settings: { index: { ingestion_source: { param: { stream: 'events', base_directory: dir } } } },
      },
    });
    // `pointer.init.reset` and `pointer.init.reset.value` nest as OpenSearch nests them.
    const reset = await get(`/${INDEX}/_settings?${fp('*.*.index.ingestion_source.pointer.init.reset*')}`);
    expect(reset.body).toEqual({
      [INDEX]: {
        settings: {
          index: {
            ingestion_source: { pointer: { init: { reset: 'reset_by_offset', 'reset.value': '3' } } },
          },
        },
      },
    });
    const flat = await get(
      `/${INDEX}/_settings?flat_settings=true&${fp(`${INDEX}.settings.index\\.ingestion_source\\.type,-**.uuid`)}`,
    );
    expect(flat.body).toEqual({ [INDEX]: { settings: { 'index.ingestion_source.type': 'file' } } });
  });

  it("excludes: our settings go with the rest, and everything else is the cluster's answer filtered", async () => {
    const { body } = await get(
      `/${INDEX},${PLAIN}/_settings?${fp('-**.ingestion_source.param,-*.settings.index.uuid')}`,
    );
    const cluster = (await fromCluster(`/${INDEX},${PLAIN}/_settings?${fp('-*.settings.index.uuid')}`)).body;
    const rest: Partial<typeof GIVEN> = { ...GIVEN };
    delete rest.param;
    expect(body).toEqual({
      [PLAIN]: cluster[PLAIN],
      [INDEX]: { settings: { index: { ...cluster[INDEX].settings.index, ingestion_source: rest } } },
    });
    expect((await get(`/${INDEX}/_settings?${fp('-*')}`)).body).toEqual({});
  });

  it('in GET /_settings/{name} and with include_defaults', async () => {
    const named = await get(
      `/_settings/index.ingestion_source.*?${fp(`${INDEX}.settings.index.ingestion_source.error_strategy`)}`,
      '/_settings/{name}',
    );
    expect(named.body).toEqual({
      [INDEX]: { settings: { index: { ingestion_source: { error_strategy: 'BLOCK' } } } },
    });
    const defaults = await get(
      `/${INDEX}/_settings?include_defaults=true&flat_settings=true&${fp('**.index\\.ingestion_source\\.type,**.index\\.refresh_interval')}`,
    );
    expect(defaults.body).toEqual({
      [INDEX]: {
        settings: { 'index.ingestion_source.type': 'file' },
        defaults: { 'index.refresh_interval': '1s' },
      },
    });
  });

  it('leaves errors unfiltered, and refuses an empty exclusion as the cluster does', async () => {
    const missing = await get(`/no-such-index/_settings?${fp('error.type')}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual((await fromCluster(`/no-such-index/_settings?${fp('error.type')}`)).body);
    const theirs = await fromCluster(`/${PLAIN}/_settings?${fp('*.settings,-')}`);
    const ours = await get(`/${INDEX}/_settings?${fp('*.settings,-')}`);
    expect([ours.status, ours.body]).toEqual([theirs.status, theirs.body]);
    expect(theirs.status).toBe(400);
  });
});
