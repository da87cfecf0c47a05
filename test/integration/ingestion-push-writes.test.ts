import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PUSH_DELETION, PUSH_INDEXING } from '../../lambdas/ingestion/push-writes';
import { clusterClient } from '../../lambdas/shared/cluster';
import { startTestApi, type TestApi } from '../support/api';
import { pollOnce } from '../support/ingestion-harness';

/**
 * Push writes through our endpoint to an index our poller ingests get OpenSearch 3.x's answers
 * for an index with `ingestion_source` (recorded on a 3.8.0 node with the ingestion-kafka
 * plugin; ingestion-native.test.ts compares the two side by side), nothing is written, and the
 * poller goes on ingesting; writes to every other index go to the cluster as before.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

jest.setTimeout(60_000);

let api: TestApi;
let dir: string;
const ONE = 'push-one';
const TWO = 'push-two';
const PLAIN = 'push-plain';
const ALIAS = 'push-alias';

const engineError = (reason: string): Json => ({
  error: {
    root_cause: [{ type: 'ingestion_engine_exception', reason }],
    type: 'ingestion_engine_exception',
    reason,
  },
  status: 400,
});

const feed = (stream: string, shard: number, ids: string[]): void => {
  fs.mkdirSync(path.join(dir, stream), { recursive: true });
  const lines = ids.map((id) => JSON.stringify({ _id: id, _source: { name: id, n: 1 } })).join('\n');
  fs.appendFileSync(path.join(dir, stream, `${shard}.ndjson`), `${lines}\n`);
};

const ingesting = (stream: string, shards: number): Json => ({
  settings: {
    ingestion_source: {
      type: 'file',
      'pointer.init.reset': 'earliest',
      param: { stream, base_directory: dir },
    },
    index: { number_of_shards: shards, number_of_replicas: 0 },
  },
});

/** Ids in the index as the cluster has them. */
const ids = async (index: string): Promise<string[]> => {
  const client = await clusterClient();
  await client.indices.refresh({ index });
  const res = await client.search({ index, body: { size: 100, query: { match_all: {} } } });
  return (res.body.hits.hits as { _id: string }[]).map((h) => h._id).sort();
};

const uuidOf = async (index: string): Promise<string> => {
  const client = await clusterClient();
  const res = await client.indices.getSettings({ index, name: 'index.uuid' });
  return (res.body as Json)[index].settings.index.uuid;
};

const ndjson = (lines: unknown[]): string => `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;

const bulk = async (lines: unknown[], query = ''): Promise<{ status: number; body: Json }> => {
  const res = await fetch(`${api.url}/_bulk${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: ndjson(lines),
  });
  return { status: res.status, body: (await res.json()) as Json };
};

beforeAll(async () => {
  api = await startTestApi();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'push-writes-'));
  feed('one', 0, ['d1', 'd2', 'd3']);
  for (const [name, body] of [
    [ONE, ingesting('one', 1)],
    [TWO, ingesting('two', 2)],
    [PLAIN, { settings: { index: { number_of_shards: 1, number_of_replicas: 0 } } }],
  ] as const) {
    expect((await api.request('PUT', `/${name}`, body)).status).toBe(200);
  }
  const client = await clusterClient();
  await client.indices.putAlias({ index: ONE, name: ALIAS });
  await pollOnce();
  expect(await ids(ONE)).toEqual(['d1', 'd2', 'd3']);
});
afterAll(async () => {
  await api?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('single-document writes to an index the poller ingests', () => {
  it('are refused with ingestion_engine_exception (index, create, delete, upsert), by name or alias', async () => {
    const cases: [string, string, unknown, string][] = [
      ['PUT', `/${ONE}/_doc/x`, { a: 1 }, PUSH_INDEXING],
      ['POST', `/${ONE}/_doc/x?refresh=true`, { a: 1 }, PUSH_INDEXING],
      ['POST', `/${ONE}/_doc`, { a: 1 }, PUSH_INDEXING],
      ['PUT', `/${ONE}/_doc/x?op_type=create`, { a: 1 }, PUSH_INDEXING],
      ['PUT', `/${ONE}/_create/x`, { a: 1 }, PUSH_INDEXING],
      ['POST', `/${ONE}/_create/x`, { a: 1 }, PUSH_INDEXING],
      ['DELETE', `/${ONE}/_doc/d1`, undefined, PUSH_DELETION],
      ['DELETE', `/${ONE}/_doc/nope`, undefined, PUSH_DELETION],
      ['POST', `/${ONE}/_update/nope`, { doc: { a: 1 }, doc_as_upsert: true }, PUSH_INDEXING],
      ['POST', `/${ONE}/_update/nope`, { script: 'ctx._source.a = 1', upsert: { a: 0 } }, PUSH_INDEXING],
      ['POST', `/${ONE}/_update/d1`, { doc: { n: 2 } }, PUSH_INDEXING],
      ['POST', `/${ONE}/_update/d1`, { doc: { n: 1 }, detect_noop: false }, PUSH_INDEXING],
      ['PUT', `/${ALIAS}/_doc/x`, { a: 1 }, PUSH_INDEXING],
      ['DELETE', `/${ALIAS}/_doc/d1`, undefined, PUSH_DELETION],
    ];
    for (const [method, p, body, reason] of cases) {
      const res = await api.request<Json>(method, p, body);
      expect([method, p, res.status, res.body]).toEqual([method, p, 400, engineError(reason)]);
    }
    expect(await ids(ONE)).toEqual(['d1', 'd2', 'd3']);
    const client = await clusterClient();
    expect((await client.get({ index: ONE, id: 'd1' })).body._source).toEqual({ name: 'd1', n: 1 });
  });

  it('an update of a missing document without upsert is a 404, one that changes nothing a noop', async () => {
    const missing = await api.request<Json>('POST', `/${ONE}/_update/nope`, { doc: { a: 1 } });
    expect(missing.status).toBe(404);
    const cause = {
      type: 'document_missing_exception',
      reason: '[nope]: document missing',
      index: ONE,
      shard: '0',
      index_uuid: await uuidOf(ONE),
    };
    expect(missing.body).toEqual({ error: { root_cause: [cause], ...cause }, status: 404 });
    const noop = await api.request<Json>('POST', `/${ONE}/_update/d1`, { doc: { n: 1 } });
    expect([noop.status, noop.body]).toEqual([
      200,
      {
        _index: ONE,
        _id: 'd1',
        _version: -1,
        result: 'noop',
        _shards: { total: 0, successful: 0, failed: 0 },
      },
    ]);
  });

  it('leaves what the cluster refuses before writing to the cluster: a missing body, an update with neither doc nor script', async () => {
    const empty = await fetch(`${api.url}/${ONE}/_doc/x`, { method: 'PUT' });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as Json).error.reason).toBe('request body is required');
    const invalid = await api.request<Json>('POST', `/${ONE}/_update/d1`, {});
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.type).toBe('action_request_validation_exception');
    expect(invalid.body.error.reason).toBe('Validation Failed: 1: script or doc is missing;');
  });

  it('other indices take writes as before, and so does an index created again behind our back', async () => {
    const plain = await api.request<Json>('PUT', `/${PLAIN}/_doc/p1?refresh=true`, { a: 1 });
    expect(plain.status).toBe(201);
    expect(plain.body).toMatchObject({ _index: PLAIN, _id: 'p1', result: 'created' });
    expect((await api.request<Json>('DELETE', `/${PLAIN}/_doc/p1`)).status).toBe(200);
    expect((await api.request<Json>('PUT', '/push-auto-created/_doc/1', { a: 1 })).status).toBe(201);

    const name = 'push-recreated';
    expect((await api.request('PUT', `/${name}`, ingesting('recreated', 1))).status).toBe(200);
    expect((await api.request('PUT', `/${name}/_doc/1`, { a: 1 })).status).toBe(400);
    const client = await clusterClient();
    await client.indices.delete({ index: name });
    await client.indices.create({ index: name });
    expect((await api.request('PUT', `/${name}/_doc/1`, { a: 1 })).status).toBe(201);
  });
});

describe('_bulk with items for an index the poller ingests', () => {
  it('answers each item as OpenSearch does: the other indices written, a shard failing whole once one of its items reaches the engine', async () => {
    // On the 2-shard index, "a" and "c" go to shard 0, "b" to shard 1 (OpenSearch's Murmur3 routing).
    const client = await clusterClient();
    for (const [id, shard] of [
      ['a', 0],
      ['b', 1],
      ['c', 0],
    ] as const) {
      const res = await client.transport.request({
        method: 'GET',
        path: `/${TWO}/_search_shards`,
        querystring: { routing: id },
      });
      expect((res.body as Json).shards[0][0].shard).toBe(shard);
    }
    const res = await bulk([
      { index: { _index: ONE, _id: 'b1' } },
      { a: 1 },
      { index: { _index: PLAIN, _id: 'b1' } },
      { b: 'x' },
      { delete: { _index: TWO, _id: 'a' } },
      { update: { _index: TWO, _id: 'b' } },
      { doc: { a: 5 } },
      { update: { _index: TWO, _id: 'c' } },
      { doc: { a: 5 } },
      { create: { _index: ONE } },
      { a: 1 },
      { update: { _index: ONE, _id: 'nope' } },
      { doc: { a: 5 } },
      { delete: { _index: PLAIN, _id: 'none' } },
    ]);
    expect(res.status).toBe(200);
    const uuidTwo = await uuidOf(TWO);
    const fail = (index: string, id: string, reason: string): Json => ({
      _index: index,
      _id: id,
      status: 400,
      error: { type: 'ingestion_engine_exception', reason },
    });
    const items = res.body.items as Json[];
    expect(res.body.errors).toBe(true);
    expect(items[0]).toEqual({ index: fail(ONE, 'b1', PUSH_INDEXING) });
    expect(items[1]).toEqual({
      index: expect.objectContaining({ _index: PLAIN, _id: 'b1', result: 'created', status: 201 }),
    });
    expect(items[2]).toEqual({ delete: fail(TWO, 'a', PUSH_DELETION) });
    expect(items[3]).toEqual({
      update: {
        _index: TWO,
        _id: 'b',
        status: 404,
        error: {
          type: 'document_missing_exception',
          reason: '[b]: document missing',
          index: TWO,
          shard: '1',
          index_uuid: uuidTwo,
        },
      },
    });
    // Same shard as the delete: its shard request failed whole, with the delete's error.
    expect(items[4]).toEqual({ update: fail(TWO, 'c', PUSH_DELETION) });
    expect(items[5]).toEqual({ create: fail(ONE, expect.stringMatching(/^[\w-]{20}$/), PUSH_INDEXING) });
    expect(items[6]).toEqual({ update: fail(ONE, 'nope', PUSH_INDEXING) });
    expect(items[7]).toEqual({
      delete: expect.objectContaining({ _index: PLAIN, _id: 'none', result: 'not_found', status: 404 }),
    });
    expect(typeof res.body.took).toBe('number');
    expect(await ids(ONE)).toEqual(['d1', 'd2', 'd3']);
    expect(await ids(TWO)).toEqual([]);
    expect(await ids(PLAIN)).toEqual(['b1']);
  });

  it('keeps per-item answers when no item of a shard reaches the engine (missing, noop), and applies filter_path', async () => {
    const res = await bulk(
      [
        { update: { _index: ONE, _id: 'nope' } },
        { doc: { a: 5 } },
        { update: { _index: ALIAS, _id: 'd3' } },
        { doc: { n: 1 } },
      ],
      '?filter_path=errors,items.*.status,items.*.result,items.*.error.type',
    );
    expect(res.body).toEqual({
      errors: true,
      items: [
        { update: { status: 404, error: { type: 'document_missing_exception' } } },
        { update: { result: 'noop', status: 200 } },
      ],
    });
    const all = await bulk([{ update: { _index: ONE, _id: 'd3' } }, { doc: { n: 1 } }]);
    expect(all.body).toEqual({
      took: expect.any(Number),
      errors: false,
      items: [
        {
          update: {
            _index: ONE,
            _id: 'd3',
            _version: -1,
            result: 'noop',
            _shards: { total: 1, successful: 1, failed: 0 },
            status: 200,
          },
        },
      ],
    });
  });

  it("a bulk of other indices only, or one the cluster refuses whole, is the cluster's", async () => {
    const plain = await bulk([{ index: { _index: PLAIN, _id: 'b2' } }, { a: 1 }]);
    expect(plain.body.items[0].index).toMatchObject({ _id: 'b2', status: 201 });
    // An update without an id: the cluster refuses the whole request, nothing is written.
    const invalid = await bulk([
      { index: { _index: PLAIN, _id: 'b3' } },
      { a: 1 },
      { update: { _index: ONE } },
      { doc: {} },
    ]);
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.type).toBe('action_request_validation_exception');
    expect(await ids(PLAIN)).toEqual(['b1', 'b2']);
  });
});

describe('_delete_by_query and _update_by_query over an index the poller ingests', () => {
  const byQuery = (reason: string, index: string, ids: string[]): Json[] =>
    ids.map((id) => ({ index, id, cause: { type: 'ingestion_engine_exception', reason }, status: 400 }));
  const counts = {
    timed_out: false,
    version_conflicts: 0,
    noops: 0,
    retries: { bulk: 0, search: 0 },
    throttled_millis: 0,
    requests_per_second: -1,
    throttled_until_millis: 0,
  };

  it('fail on every document of the first batch and change nothing there', async () => {
    const dbq = await api.request<Json>('POST', `/${ONE}/_delete_by_query`, { query: { match_all: {} } });
    expect(dbq.status).toBe(400);
    expect(dbq.body).toEqual({
      took: expect.any(Number),
      ...counts,
      total: 3,
      deleted: 0,
      batches: 1,
      failures: byQuery(PUSH_DELETION, ONE, ['d1', 'd2', 'd3']),
    });
    const batch = await api.request<Json>('POST', `/${ALIAS}/_delete_by_query?scroll_size=2`, {
      query: { match_all: {} },
    });
    expect([batch.body.total, batch.body.failures]).toEqual([3, byQuery(PUSH_DELETION, ONE, ['d1', 'd2'])]);
    const ubq = await api.request<Json>('POST', `/${ONE}/_update_by_query?q=name:d2`);
    expect(ubq.status).toBe(400);
    expect(ubq.body).toEqual({
      took: expect.any(Number),
      ...counts,
      total: 1,
      updated: 0,
      deleted: 0,
      batches: 1,
      failures: byQuery(PUSH_INDEXING, ONE, ['d2']),
    });
    const none = await api.request<Json>('POST', `/${ONE}/_delete_by_query`, {
      query: { term: { name: 'zzz' } },
    });
    expect([none.status, none.body]).toEqual([
      200,
      { took: expect.any(Number), ...counts, total: 0, deleted: 0, batches: 0, failures: [] },
    ]);
    expect(await ids(ONE)).toEqual(['d1', 'd2', 'd3']);
  });

  it("over other indices only, or an expression the cluster refuses, are the cluster's own answer", async () => {
    // This distribution (integ-test-zip) has no reindex module: the cluster's answer is its error.
    for (const p of [`/${PLAIN}/_delete_by_query`, '/no-such/_update_by_query']) {
      const ours = await api.request<Json>('POST', p, { query: { match_all: {} } });
      const client = await clusterClient();
      const theirs = await client.transport.request(
        { method: 'POST', path: p, body: { query: { match_all: {} } } },
        { ignore: [400, 404, 405] },
      );
      expect([p, ours.status, ours.body]).toEqual([p, theirs.statusCode, theirs.body]);
    }
    expect(await ids(ONE)).toEqual(['d1', 'd2', 'd3']);
  });
});

test('the poller keeps ingesting (it writes to the cluster directly)', async () => {
  feed('one', 0, ['d4']);
  await pollOnce();
  expect(await ids(ONE)).toEqual(['d1', 'd2', 'd3', 'd4']);
});
