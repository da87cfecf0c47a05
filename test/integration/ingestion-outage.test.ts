import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import { IngestionClusterAdapter } from '../../lambdas/ingestion/cluster-adapter';
import type { PollerOptions } from '../../lambdas/ingestion/poller';
import { clusterClient, createClusterClient } from '../../lambdas/shared/cluster';
import type { RunSummary } from '../../lambdas/shared/jobs/run-due';
import { startTestApi, type TestApi } from '../support/api';
import { validateResponse } from '../support/spec';
import { startClusterProxy, type ClusterProxy } from '../support/cluster-proxy';
import { pollOnce } from '../support/ingestion-harness';

/**
 * The cluster goes away while the poller works and comes back: real connection failures (the
 * poller reaches the node through a loopback proxy (test/support/cluster-proxy.ts) that the test closes and reopens, so
 * the node other suites share keeps running). The state API reports the failure, the position
 * never moves past a batch the cluster did not acknowledge (also when the node did the work
 * but its answer was lost), and once the node is reachable again the index holds every
 * message of the stream exactly once.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
jest.setTimeout(120_000);

let api: TestApi;
let dir: string;
let proxy: ClusterProxy;
let proxied: Promise<Client>;
beforeAll(async () => {
  api = await startTestApi();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingestion-outage-'));
  proxy = await startClusterProxy(process.env.OPENSEARCH_URL as string);
  proxied = createClusterClient({ endpoint: proxy.url, auth: 'none' });
});
afterAll(async () => {
  await (await proxied).close();
  await proxy.close();
  await api.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ids = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `o${String(from + i).padStart(4, '0')}`);
const append = (shard: number, list: string[]): void => {
  fs.mkdirSync(path.join(dir, 'outage'), { recursive: true });
  fs.appendFileSync(
    path.join(dir, 'outage', `${shard}.ndjson`),
    list.map((id) => JSON.stringify({ _id: id, _source: { name: id } })).join('\n') + '\n',
  );
};

/** The poller, reaching the cluster through the proxy. */
const poll = (overrides: Partial<PollerOptions> = {}): Promise<RunSummary> =>
  pollOnce({ cluster: new IngestionClusterAdapter(() => proxied), ...overrides });

/** What the index holds, read directly from the node (not through the proxy). */
const idsIn = async (index: string): Promise<string[]> => {
  const client = await clusterClient();
  await client.indices.refresh({ index });
  const res = await client.search({ index, body: { size: 10_000, _source: false } });
  return (res.body.hits.hits as { _id: string }[]).map((h) => h._id).sort();
};

const state = async (): Promise<Json[]> => {
  const res = await api.request<Json>('GET', '/outage/ingestion/_state');
  expect(res.status).toBe(200);
  expect(validateResponse('ingestion', 'GET', '/{index}/ingestion/_state', 200, res.body)).toEqual([]);
  return res.body.ingestion_state.outage as Json[];
};

test('the node becomes unreachable mid-run and comes back: the error is reported, nothing is lost or doubled', async () => {
  const created = await api.request('PUT', '/outage', {
    settings: {
      ingestion_source: {
        type: 'file',
        'pointer.init.reset': 'earliest',
        'poll.max_batch_size': 10,
        param: { stream: 'outage', base_directory: dir },
      },
      index: { number_of_shards: 2, number_of_replicas: 0 },
    },
  });
  expect(created.status).toBe(200);
  append(0, ids(0, 60));
  append(1, ids(100, 110));

  // The node goes away after shard 0's third batch was acknowledged, in the middle of the run.
  let batches = 0;
  const run = await poll({
    afterBulk: async (s) => {
      if (s.shard === 0 && ++batches === 3) await proxy.down();
    },
  });
  expect(run.failed).toBeGreaterThanOrEqual(1);
  let shards = await state();
  expect(shards[0]).toMatchObject({ poller_state: 'POLLING', batch_start_pointer: 'FileOffset{line=30}' });
  expect(shards[0].error).toMatch(
    /^polling failed, retried shortly: .*(ECONNREFUSED|ECONNRESET|socket hang up|connect)/i,
  );
  expect(await idsIn('outage')).toEqual(expect.arrayContaining(ids(0, 30)));

  // Still down: every run fails and says so; the position stays.
  append(0, ids(60, 70));
  expect((await poll()).failed).toBe(2);
  shards = await state();
  expect(shards.map((s) => s.error)).toEqual([
    expect.stringContaining('polling failed'),
    expect.stringContaining('polling failed'),
  ]);
  expect(shards[0].batch_start_pointer).toBe('FileOffset{line=30}');

  // Back, but the answers to `_bulk` are lost: the node indexes, the poller never hears it.
  await proxy.up();
  proxy.loseAnswers(/^POST \/_bulk/);
  expect((await poll()).failed).toBeGreaterThanOrEqual(1);
  shards = await state();
  expect(shards[0].batch_start_pointer).toBe('FileOffset{line=30}');
  expect(shards[0].error).toContain('polling failed');
  const indexedUnacknowledged = await idsIn('outage');
  expect(indexedUnacknowledged).toEqual(expect.arrayContaining(ids(30, 40)));

  // Fully back: the poller catches up from its last acknowledged position; each message once.
  proxy.forward();
  expect((await poll()).failed).toBe(0);
  expect(await idsIn('outage')).toEqual([...ids(0, 70), ...ids(100, 110)]);
  shards = await state();
  expect(shards.map((s) => [s.poller_state, s.batch_start_pointer, s.error])).toEqual([
    ['POLLING', 'FileOffset{line=70}', undefined],
    ['POLLING', 'FileOffset{line=10}', undefined],
  ]);
});
