import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestApi, type TestApi } from '../support/api';

/**
 * Many callers on one item at once, as the robustness suite's concurrency phase first found
 * them: switches (_start/_stop, _pause/_resume) answer 200 to every caller, and of concurrent
 * deletes exactly one deletes.
 */
jest.setTimeout(120_000);

let api: TestApi;
const CALLERS = 20;
const SOURCE = 'conc-writes-source';

const together = async (method: string, url: string, body?: unknown): Promise<number[]> =>
  (await Promise.all(Array.from({ length: CALLERS }, () => api.request(method, url, body)))).map(
    (r) => r.status,
  );

const statuses = (list: number[]): Record<number, number> =>
  list.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

beforeAll(async () => {
  api = await startTestApi();
  await api.request('PUT', `/${SOURCE}`, {
    settings: { number_of_replicas: 0 },
    mappings: { properties: { ts: { type: 'date' }, k: { type: 'keyword' }, v: { type: 'long' } } },
  });
});

afterAll(async () => {
  await api.request('DELETE', `/${SOURCE}`);
  await api.close();
});

const rollup = {
  rollup: {
    source_index: SOURCE,
    target_index: 'conc-writes-rollup',
    description: 'conc',
    schedule: { interval: { period: 1, unit: 'Days' } },
    page_size: 10,
    enabled: false,
    continuous: false,
    dimensions: [{ date_histogram: { source_field: 'ts', fixed_interval: '1h' } }],
    metrics: [{ source_field: 'v', metrics: [{ sum: {} }] }],
  },
};
const transform = {
  transform: {
    enabled: false,
    schedule: { interval: { period: 1, unit: 'Minutes' } },
    description: 'conc',
    source_index: SOURCE,
    target_index: 'conc-writes-transform',
    page_size: 10,
    groups: [{ terms: { source_field: 'k', target_field: 'k' } }],
    aggregations: { total: { sum: { field: 'v' } } },
  },
};
const smPolicy = {
  creation: { schedule: { cron: { expression: '0 8 * * *', timezone: 'UTC' } } },
  snapshot_config: { repository: 'conc-writes-repo' },
};

describe('switches turned by 20 callers at once', () => {
  it.each([
    ['rollup', '/_plugins/_rollup/jobs/conc-writes-r', rollup, 'PUT'],
    ['transform', '/_plugins/_transform/conc-writes-t', transform, 'PUT'],
    ['SM policy', '/_plugins/_sm/policies/conc-writes-sm', smPolicy, 'POST'],
  ])('%s: every _start and every _stop answers 200', async (_name, url, body, create) => {
    expect((await api.request(create, url, body)).status).toBe(201);
    for (const action of ['_start', '_stop', '_start', '_stop']) {
      expect(statuses(await together('POST', `${url}/${action}`))).toEqual({ 200: CALLERS });
    }
    const mixed = await Promise.all(
      Array.from({ length: CALLERS }, (_, i) => api.request('POST', `${url}/${i % 2 ? '_start' : '_stop'}`)),
    );
    expect(statuses(mixed.map((r) => r.status))).toEqual({ 200: CALLERS });
  });

  it('ingestion: every _pause and every _resume answers 200', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conc-writes-'));
    fs.mkdirSync(path.join(dir, 'conc-stream'));
    fs.writeFileSync(path.join(dir, 'conc-stream', '0.ndjson'), '');
    const created = await api.request('PUT', '/conc-writes-ingest', {
      settings: {
        ingestion_source: { type: 'file', param: { stream: 'conc-stream', base_directory: dir } },
        index: { number_of_shards: 1, number_of_replicas: 0 },
      },
    });
    expect(created.status).toBe(200);
    for (const action of ['_pause', '_resume', '_pause']) {
      expect(statuses(await together('POST', `/conc-writes-ingest/ingestion/${action}`))).toEqual({
        200: CALLERS,
      });
    }
    const state = await api.request('GET', '/conc-writes-ingest/ingestion/_state');
    expect(state.body.ingestion_state['conc-writes-ingest'][0]).toMatchObject({
      shard: 0,
      poller_paused: true,
    });
    await api.request('DELETE', '/conc-writes-ingest');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('20 deletes of one document at once', () => {
  it.each([
    [
      'ISM policy',
      '/_plugins/_ism/policies/conc-writes-del',
      'PUT',
      {
        policy: {
          description: 'd',
          default_state: 's',
          states: [{ name: 's', actions: [], transitions: [] }],
        },
      },
    ],
    ['SM policy', '/_plugins/_sm/policies/conc-writes-del', 'POST', smPolicy],
    ['rollup', '/_plugins/_rollup/jobs/conc-writes-del', 'PUT', rollup],
  ])('%s: one 200, the others 404', async (_name, url, create, body) => {
    expect((await api.request(create, url, body)).status).toBe(201);
    expect(statuses(await together('DELETE', url))).toEqual({ 200: 1, 404: CALLERS - 1 });
  });

  it('notification channel: one 200, the others the 404 they get a moment later', async () => {
    const config = { name: 'd', config_type: 'webhook', webhook: { url: 'https://example.com/hook' } };
    for (const url of [
      '/_plugins/_notifications/configs/conc-writes-del',
      '/_plugins/_notifications/configs?config_id_list=conc-writes-del',
    ]) {
      expect(
        (
          await api.request('POST', '/_plugins/_notifications/configs', {
            config_id: 'conc-writes-del',
            config,
          })
        ).status,
      ).toBe(200);
      expect(statuses(await together('DELETE', url))).toEqual({ 200: 1, 404: CALLERS - 1 });
    }
  });
});

describe('20 rollovers of one alias at once', () => {
  it('one rolls the alias over; the others are refused (409 to retry), none with a 5xx', async () => {
    await api.request('PUT', '/conc-writes-roll-000001', {
      aliases: { 'conc-writes-roll': { is_write_index: true } },
      settings: { number_of_replicas: 0 },
    });
    const replies = await Promise.all(
      Array.from({ length: CALLERS }, () => api.request('POST', '/conc-writes-roll/_rollover')),
    );
    expect(replies.filter((r) => r.status === 200 && r.body.rolled_over === true)).toHaveLength(1);
    const losers = replies.filter((r) => r.status !== 200);
    expect(losers.every((r) => r.status === 409 || r.status === 400)).toBe(true);
    for (const r of losers.filter((l) => l.status === 409)) {
      expect(r.body.error).toMatchObject({
        type: 'status_exception',
        reason:
          'Concurrent modification of alias [conc-writes-roll] during rollover: another rollover of it won; retry',
      });
    }
    const indices = await api.request('GET', '/conc-writes-roll-*');
    expect(Object.keys(indices.body).sort()).toEqual(['conc-writes-roll-000001', 'conc-writes-roll-000002']);
  });
});
