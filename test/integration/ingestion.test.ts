import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findWorker } from '../../infra/workers';
import { handler } from '../../lambdas/ingestion/handlers/poller';
import type { ShardState } from '../../lambdas/ingestion/model';
import type { PollerOptions } from '../../lambdas/ingestion/poller';
import { clusterClient } from '../../lambdas/shared/cluster';
import { documentClient } from '../../lambdas/shared/dynamo';
import { JobStore } from '../../lambdas/shared/jobs/job-store';
import type { RunSummary } from '../../lambdas/shared/jobs/run-due';
import { lambdaContext } from '../../local/api-event';
import { scheduledEvent, runWorker } from '../../local/scheduler';
import { startTestApi, type TestApi } from '../support/api';
import { validateResponse } from '../support/spec';
import { pollOnce } from '../support/ingestion-harness';

/**
 * Pull-based ingestion from the `file` source end to end: create-index through our endpoint,
 * the ingestion-poller worker indexing into the real OpenSearch node, and the pause / resume /
 * state API, answers checked against OpenSearch's API specification.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

jest.setTimeout(60_000);

let api: TestApi;
let dir: string;
let seq = 0;
beforeAll(async () => {
  api = await startTestApi();
  // A keep-alive socket the local server closes at its idle timeout while fetch reuses it
  // resets the request (ECONNRESET) after the slow multi-shard creates: send it again once.
  const request = api.request.bind(api);
  api.request = async (...args: Parameters<TestApi['request']>) =>
    request(...args).catch(async (e: Error) => {
      if (e.message !== 'fetch failed') throw e;
      return request(...args);
    });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingestion-'));
});
afterAll(async () => {
  await api.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const expectSpec = (op: 'pause' | 'resume' | 'state', status: number, body: unknown) => {
  const route = { pause: ['POST', '_pause'], resume: ['POST', '_resume'], state: ['GET', '_state'] }[op];
  expect(validateResponse('ingestion', route[0], `/{index}/ingestion/${route[1]}`, status, body)).toEqual([]);
};

/** A fresh index name and stream folder. */
const fresh = (): { index: string; stream: string } => {
  seq++;
  return { index: `ingest-${seq}`, stream: `stream-${seq}` };
};

const append = (stream: string, shard: number, messages: (Json | string)[]): void => {
  fs.mkdirSync(path.join(dir, stream), { recursive: true });
  const text = messages.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join('\n') + '\n';
  fs.appendFileSync(path.join(dir, stream, `${shard}.ndjson`), text);
};

const doc = (id: string, extra: Json = {}): Json => ({ _id: id, _source: { name: `doc ${id}`, ...extra } });

const createIndex = (index: string, stream: string, source: Json = {}, shards = 1) =>
  api.request('PUT', `/${index}`, {
    settings: {
      ingestion_source: {
        type: 'file',
        'pointer.init.reset': 'earliest',
        param: { stream, base_directory: dir },
        ...source,
      },
      index: { number_of_shards: shards, number_of_replicas: 0 },
    },
    mappings: { properties: { name: { type: 'text' }, n: { type: 'integer' } } },
  });

const store = (): JobStore<ShardState> =>
  new JobStore<ShardState>(documentClient(), api.tableName, 'ingestion');

/** One poller run with test hooks (e.g. a crash between the bulk and the checkpoint). */
const poll = (overrides: Partial<PollerOptions> = {}): Promise<RunSummary> => pollOnce(overrides);

/** The worker as EventBridge runs it. */
const tick = async (): Promise<RunSummary> =>
  (await runWorker(findWorker('ingestion')!, scheduledEvent(findWorker('ingestion')!))) as RunSummary;

const ids = async (index: string): Promise<string[]> => {
  const client = await clusterClient();
  await client.indices.refresh({ index });
  const res = await client.search({ index, body: { size: 1000, query: { match_all: {} } } });
  return (res.body.hits.hits as { _id: string }[]).map((h) => h._id).sort();
};

const getState = async (index: string, query = ''): Promise<Json> => {
  const res = await api.request<Json>('GET', `/${index}/ingestion/_state${query}`);
  expect(res.status).toBe(200);
  expectSpec('state', 200, res.body);
  return res.body;
};

const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `d${String(from + i).padStart(3, '0')}`);

describe('creating an ingesting index', () => {
  test('a create without ingestion_source goes to the cluster unchanged', async () => {
    const res = await api.request('PUT', '/plain-index', { settings: { index: { number_of_shards: 1 } } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ acknowledged: true, shards_acknowledged: true, index: 'plain-index' });
    expect((await api.request('GET', '/plain-index')).status).toBe(200);
    const again = await api.request<Json>('PUT', '/plain-index', {});
    expect(again.status).toBe(400);
    expect(again.body.error.type).toBe('resource_already_exists_exception');
    expect(await store().list('plain-index#')).toEqual([]);
  });

  test('the index is created on the cluster without the setting, one job per shard', async () => {
    const { index, stream } = fresh();
    const res = await createIndex(index, stream, {}, 3);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ acknowledged: true, shards_acknowledged: true, index });
    const client = await clusterClient();
    const onCluster = (await client.indices.getSettings({ index })).body as Json;
    expect(onCluster[index].settings.index.ingestion_source).toBeUndefined();
    expect(onCluster[index].settings.index.number_of_shards).toBe('3');
    // Through our endpoint the index shows the settings it was given.
    const settings = await api.request<Json>('GET', `/${index}/_settings`);
    expect(settings.body[index].settings.index.ingestion_source.type).toBe('file');
    const shards = await store().list(`${index}#`);
    expect(shards.map((s) => s.state.shard).sort()).toEqual([0, 1, 2]);

    const state = await getState(index);
    expect(state._shards).toEqual({ total: 3, successful: 3, failed: 0 });
    expect(state.ingestion_state[index]).toEqual(
      [0, 1, 2].map((shard) => ({
        shard,
        poller_state: 'NONE',
        error_policy: 'DROP',
        poller_paused: false,
        write_block_enabled: false,
        is_primary: true,
      })),
    );
  });

  test.each([
    [{ type: 'pulsar' }, 'ingestion source type [pulsar] is not supported'],
    [{ error_strategy: 'RETRY' }, 'index.ingestion_source.error_strategy'],
    [{ 'pointer.init.reset': 'reset_by_offset' }, 'index.ingestion_source.pointer.init.reset.value'],
    [{ 'pointer.init.reset': 'somewhere' }, 'Invalid value [somewhere]'],
    [{ 'poll.max_batch_size': 0 }, 'index.ingestion_source.poll.max_batch_size'],
    [{ param: { stream: 'x' } }, 'index.ingestion_source.param.base_directory'],
  ])('bad source %j is a 400 naming the setting, and nothing is created', async (source, reason) => {
    const { index, stream } = fresh();
    const res = await createIndex(index, stream, source);
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('illegal_argument_exception');
    expect(res.body.error.reason).toContain(reason);
    expect((await api.request('GET', `/${index}`)).status).toBe(404);
    expect(await store().list(`${index}#`)).toEqual([]);
  });

  test('native mode on a 2.x cluster (no ingestion plugins) is a 400 naming the plugin, and nothing is created', async () => {
    const { index, stream } = fresh();
    const res = await api.request<Json>('PUT', `/${index}?ingestion=native`, {
      settings: { ingestion_source: { type: 'file', param: { stream, base_directory: dir } } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('illegal_argument_exception');
    expect(res.body.error.reason).toMatch(
      /^the cluster cannot ingest \[file\] natively: no node has the \[ingestion-fs\] plugin/,
    );
    expect((await api.request('GET', `/${index}`)).status).toBe(404);
    expect(await store().list(`${index}#`)).toEqual([]);
  });

  test('an index that exists already is refused by the cluster and nothing is registered', async () => {
    const res = await createIndex('plain-index', 'whatever');
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('resource_already_exists_exception');
    expect(await store().list('plain-index#')).toEqual([]);
  });
});

describe('the poller', () => {
  test('stream shard i feeds index shard i; the state reports where each shard stands', async () => {
    const { index, stream } = fresh();
    await createIndex(index, stream, { 'poll.max_batch_size': 7 }, 2);
    append(
      stream,
      0,
      range(0, 20).map((id) => doc(id)),
    );
    append(
      stream,
      1,
      range(100, 105).map((id) => doc(id)),
    );

    const summary = await tick();
    expect(summary).toMatchObject({ kind: 'ingestion', failed: 0 });
    expect(await ids(index)).toEqual([...range(0, 20), ...range(100, 105)]);
    const client = await clusterClient();
    const shard1 = await client.search({ index, preference: '_shards:1', body: { size: 100 } });
    expect((shard1.body.hits.hits as { _id: string }[]).map((h) => h._id).sort()).toEqual(range(100, 105));

    const state = await getState(index);
    expect(state.ingestion_state[index].map((s: Json) => [s.poller_state, s.batch_start_pointer])).toEqual([
      ['POLLING', 'FileOffset{line=20}'],
      ['POLLING', 'FileOffset{line=5}'],
    ]);

    // Only what was appended since is read.
    append(stream, 0, [doc('late')]);
    await tick();
    expect(await ids(index)).toContain('late');
    expect((await getState(index)).ingestion_state[index][0].batch_start_pointer).toBe('FileOffset{line=21}');
  });

  test('message format: _op_type index/create/delete, external _version, generated ids', async () => {
    const { index, stream } = fresh();
    await createIndex(index, stream);
    append(stream, 0, [
      doc('a', { n: 1 }),
      { _id: 'a', _op_type: 'index', _source: { name: 'a2', n: 2 } },
      { _id: 'b', _op_type: 'create', _source: { name: 'b' } },
      { _id: 'b', _op_type: 'create', _source: { name: 'b again' } },
      { _id: 'v', _version: '5', _source: { name: 'v5' } },
      { _id: 'v', _version: 3, _source: { name: 'v3 is older' } },
      { _id: 'gone', _source: { name: 'gone' } },
      { _id: 'gone', _op_type: 'delete' },
      { _op_type: 'delete' },
      { _source: { name: 'no id' } },
    ]);
    await tick();
    const client = await clusterClient();
    const got = async (id: string) => (await client.get({ index, id }, { ignore: [404] })).body as Json;
    expect((await got('a'))._source).toEqual({ name: 'a2', n: 2 });
    expect((await got('b'))._source).toEqual({ name: 'b' });
    expect(await got('v')).toMatchObject({ _version: 5, _source: { name: 'v5' } });
    expect((await got('gone')).found).toBe(false);
    const all = await ids(index);
    expect(all).toHaveLength(4);
    const [shard] = await store().list(`${index}#`);
    expect(shard.state.counts).toEqual({ processed: 7, dropped: 0, versionConflicts: 2 });

    // The generated id is the same on every read of that line.
    await api.request('POST', `/${index}/ingestion/_pause`);
    await api.request('POST', `/${index}/ingestion/_resume`, {
      reset_settings: [{ shard: 0, mode: 'offset', value: '9' }],
    });
    await tick();
    expect(await ids(index)).toEqual(all);
  });

  test('a crash between the bulk and the checkpoint repeats the batch and nothing visible', async () => {
    const { index, stream } = fresh();
    await createIndex(index, stream, { 'poll.max_batch_size': 10 });
    append(stream, 0, [...range(0, 25).map((id) => doc(id)), { _source: { name: 'auto id' } }]);

    let crashes = 0;
    const crashing = await poll({
      afterBulk: async () => {
        if (++crashes === 2) throw new Error('killed mid-batch');
      },
    });
    expect(crashing).toMatchObject({ failed: 1 });
    // The first batch was checkpointed, the second indexed but not: the state says so.
    expect((await getState(index)).ingestion_state[index][0].batch_start_pointer).toBe('FileOffset{line=10}');
    expect(await ids(index)).toHaveLength(20);

    await poll();
    const after = await ids(index);
    expect(after).toHaveLength(26);
    expect(after.filter((id) => id.startsWith('d'))).toEqual(range(0, 25));
    expect((await getState(index)).ingestion_state[index][0].batch_start_pointer).toBe('FileOffset{line=26}');
    const [shard] = await store().list(`${index}#`);
    expect(shard.state.counts.processed).toBe(26);
  });

  test('a poller that lingers on a caught-up stream has saved what it read before it waits', async () => {
    const { index, stream } = fresh();
    await createIndex(index, stream, { 'poll.max_batch_size': 5 });
    // Two full batches: the second says there may be more, so only the empty read after it
    // tells the poller it has caught up (within one checkpoint interval of its start).
    append(
      stream,
      0,
      range(0, 10).map((id) => doc(id)),
    );
    const lingering = poll({ lingerMs: 4_000, checkpointEveryMs: 60_000 });
    let pointer: string | undefined;
    for (const deadline = Date.now() + 3_000; Date.now() < deadline && pointer !== 'FileOffset{line=10}';) {
      await new Promise((r) => setTimeout(r, 100));
      pointer = (await getState(index)).ingestion_state[index][0].batch_start_pointer;
    }
    expect(pointer).toBe('FileOffset{line=10}');
    expect(await lingering).toMatchObject({ failed: 0 }); // (the other tests' shards run too)
    expect(await ids(index)).toHaveLength(10);
  });

  test('DROP skips and counts malformed messages; the rest is indexed once', async () => {
    const { index, stream } = fresh();
    await createIndex(index, stream, { error_strategy: 'DROP', 'poll.max_batch_size': 4 });
    append(stream, 0, [
      doc('d000'),
      '{not json',
      doc('d001'),
      { _id: 'x', _source: 'not an object' },
      { _id: 'y', _op_type: 7, _source: {} },
      { _id: 'z', _source: { n: 'not a number' } },
      doc('d002'),
    ]);
    await tick();
    expect(await ids(index)).toEqual(range(0, 3));
    const [shard] = await store().list(`${index}#`);
    expect(shard.state.counts).toMatchObject({ processed: 3, dropped: 4 });
    const state = (await getState(index)).ingestion_state[index][0];
    expect(state).toMatchObject({
      poller_state: 'POLLING',
      poller_paused: false,
      batch_start_pointer: 'FileOffset{line=7}',
    });
  });

  test('BLOCK stops the shard at the bad message and reports it until resumed past it', async () => {
    const { index, stream } = fresh();
    await createIndex(index, stream, { error_strategy: 'BLOCK' });
    append(stream, 0, [
      doc('d000'),
      doc('d001'),
      { _id: 'bad', _source: { n: 'abc' } },
      doc('d002'),
      '{broken',
      doc('d003'),
    ]);

    await tick();
    expect(await ids(index)).toEqual(expect.arrayContaining(range(0, 2)));
    let state = (await getState(index)).ingestion_state[index][0];
    expect(state).toMatchObject({
      poller_state: 'PAUSED',
      error_policy: 'BLOCK',
      poller_paused: true,
      batch_start_pointer: 'FileOffset{line=2}',
    });
    expect(state.error).toContain('mapper_parsing_exception');

    // Stays blocked: nothing is read while paused.
    await tick();
    expect((await getState(index)).ingestion_state[index][0].batch_start_pointer).toBe('FileOffset{line=2}');

    // A plain resume reads the bad message again and blocks again.
    await api.request('POST', `/${index}/ingestion/_resume`);
    await tick();
    expect((await getState(index)).ingestion_state[index][0]).toMatchObject({
      poller_paused: true,
      batch_start_pointer: 'FileOffset{line=2}',
    });

    // Skip it; the next bad one (unparseable) blocks at line 4.
    await api.request('POST', `/${index}/ingestion/_resume`, {
      reset_settings: [{ shard: 0, mode: 'OFFSET', value: '3' }],
    });
    await tick();
    state = (await getState(index)).ingestion_state[index][0];
    expect(state).toMatchObject({ poller_state: 'PAUSED', batch_start_pointer: 'FileOffset{line=4}' });
    expect(state.error).toContain('not valid JSON');

    await api.request('POST', `/${index}/ingestion/_resume`, {
      reset_settings: [{ shard: 0, mode: 'offset', value: '5' }],
    });
    await tick();
    state = (await getState(index)).ingestion_state[index][0];
    expect(state).toMatchObject({
      poller_state: 'POLLING',
      poller_paused: false,
      batch_start_pointer: 'FileOffset{line=6}',
    });
    expect(state.error).toBeUndefined();
    expect(await ids(index)).toEqual(range(0, 4));
  });

  test('an index deleted on the cluster stops being polled', async () => {
    const { index, stream } = fresh();
    await createIndex(index, stream);
    await api.request('DELETE', `/${index}`);
    append(stream, 0, [doc('d000')]);
    await tick();
    expect(await store().list(`${index}#`)).toEqual([]);
    expect((await api.request('GET', `/${index}`)).status).toBe(404);
  });
});

describe('pause, resume and state', () => {
  test('pause stops ingestion, resume continues where it stopped', async () => {
    const { index, stream } = fresh();
    await createIndex(index, stream);
    append(
      stream,
      0,
      range(0, 3).map((id) => doc(id)),
    );
    await tick();

    const paused = await api.request('POST', `/${index}/ingestion/_pause`);
    expect(paused.status).toBe(200);
    expectSpec('pause', 200, paused.body);
    expect(paused.body).toEqual({ acknowledged: true, shards_acknowledged: true });
    expect((await getState(index)).ingestion_state[index][0]).toMatchObject({
      poller_state: 'PAUSED',
      poller_paused: true,
    });

    append(
      stream,
      0,
      range(3, 6).map((id) => doc(id)),
    );
    await tick();
    expect(await ids(index)).toEqual(range(0, 3));

    const resumed = await api.request('POST', `/${index}/ingestion/_resume`);
    expect(resumed.status).toBe(200);
    expectSpec('resume', 200, resumed.body);
    expect(resumed.body).toEqual({ acknowledged: true, shards_acknowledged: true });
    expect((await getState(index)).ingestion_state[index][0]).toMatchObject({ poller_paused: false });
    await tick();
    expect(await ids(index)).toEqual(range(0, 6));
  });

  test('resume with a reset re-reads from the offset (ids make it idempotent)', async () => {
    const { index, stream } = fresh();
    await createIndex(index, stream);
    append(
      stream,
      0,
      range(0, 4).map((id) => doc(id)),
    );
    await tick();
    await api.request('POST', `/${index}/ingestion/_pause`);
    const res = await api.request('POST', `/${index}/ingestion/_resume`, {
      reset_settings: [{ shard: 0, mode: 'OFFSET', value: '1' }],
    });
    expect(res.body).toEqual({ acknowledged: true, shards_acknowledged: true });
    expect((await getState(index)).ingestion_state[index][0].batch_start_pointer).toBe('FileOffset{line=1}');
    await tick();
    expect(await ids(index)).toEqual(range(0, 4));
  });

  test.each([
    [{ reset_settings: {} }, "Expected START_ARRAY for 'reset_settings'"],
    [{ other: [] }, 'Unexpected field: other'],
    [{ reset_settings: [{ shard: 0, mode: 'SEQ', value: '1' }] }, "Invalid value for 'mode': SEQ"],
    [
      { reset_settings: [{ shard: 0, mode: 'OFFSET', value: '1', x: 1 }] },
      'Unexpected field in ResetSettings: x',
    ],
    [
      { reset_settings: [{ mode: 'OFFSET' }] },
      'Missing required fields in ResetSettings: shard=-1, mode=OFFSET, value=null',
    ],
  ])('resume body %j is a 400: %s', async (body, reason) => {
    const res = await api.request<Json>('POST', '/plain-index/ingestion/_resume', body);
    expect(res.status).toBe(400);
    expect(res.body.error.reason).toBe(reason);
  });

  test('a reset of a shard that does not exist fails the resume and leaves the index paused', async () => {
    const { index, stream } = fresh();
    await createIndex(index, stream);
    await api.request('POST', `/${index}/ingestion/_pause`);
    const res = await api.request<Json>('POST', `/${index}/ingestion/_resume`, {
      reset_settings: [{ shard: 3, mode: 'OFFSET', value: '0' }],
    });
    expect(res.status).toBe(200);
    expectSpec('resume', 200, res.body);
    expect(res.body).toMatchObject({ shards_acknowledged: false, failures: { [index]: [{ shard: 3 }] } });
    expect((await getState(index)).ingestion_state[index][0].poller_paused).toBe(true);
  });

  test('unknown indices are 404 index_not_found_exception; other indices are shard failures', async () => {
    for (const [method, p] of [
      ['POST', '_pause'],
      ['POST', '_resume'],
      ['GET', '_state'],
    ]) {
      const res = await api.request<Json>(method, `/no-such-index/ingestion/${p}`);
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ type: 'index_not_found_exception', index: 'no-such-index' });
    }
    const pause = await api.request<Json>('POST', '/plain-index/ingestion/_pause');
    expectSpec('pause', 200, pause.body);
    expect(pause.body).toMatchObject({
      acknowledged: true,
      shards_acknowledged: false,
      failures: { 'plain-index': [{ shard: 0 }] },
    });
    const state = await getState('plain-index');
    expect(state._shards).toMatchObject({ total: 1, successful: 0, failed: 1 });
    expect(state.ingestion_state).toEqual({});
  });

  test('state pages over (index, shard) pairs of a comma list with size and next_token', async () => {
    const a = fresh();
    const b = fresh();
    await createIndex(a.index, a.stream, {}, 2);
    await createIndex(b.index, b.stream, { error_strategy: 'BLOCK' }, 1);
    const list = `${b.index},${a.index}`;
    const seen: [string, number][] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await getState(list, `?size=2${token ? `&next_token=${encodeURIComponent(token)}` : ''}`);
      for (const [name, shards] of Object.entries(page.ingestion_state)) {
        for (const s of shards as Json[]) seen.push([name, s.shard]);
      }
      token = page.next_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(2);
    expect(seen).toEqual([
      [a.index, 0],
      [a.index, 1],
      [b.index, 0],
    ]);
    const wildcard = await getState(`${a.index.slice(0, -1)}*`);
    expect(Object.keys(wildcard.ingestion_state)).toContain(a.index);

    for (const [query, reason] of [
      ['?size=0', 'size must be greater than zero'],
      ['?sort=up', 'value of sort can either be asc or desc'],
    ]) {
      const res = await api.request<Json>('GET', `/${a.index}/ingestion/_state${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.reason).toBe(`Validation Failed: 1: ${reason};`);
    }
    const dup = await api.request<Json>('GET', `/${a.index},${a.index}/ingestion/_state`);
    expect(dup.body.error.reason).toContain('duplicate index names provided');
  });
});

// The worker handler as Lambda runs it (summary contains the kind).
test('the ingestion-poller handler returns its run summary', async () => {
  const worker = findWorker('ingestion')!;
  const summary = await handler(
    scheduledEvent(worker),
    lambdaContext(worker.worker, worker.timeoutSeconds * 1000),
  );
  expect(summary.kind).toBe('ingestion');
});
