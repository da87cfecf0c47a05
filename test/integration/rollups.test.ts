import type { Client } from '@opensearch-project/opensearch';
import { ManualClock } from '../../lambdas/shared/clock';
import { clusterClient } from '../../lambdas/shared/cluster';
import { documentClient } from '../../lambdas/shared/dynamo';
import { runDue } from '../../lambdas/shared/jobs/run-due';
import { RollupService } from '../../lambdas/rollup/rollup-service';
import { ismRollupJobId, ismRollupProgress, startIsmRollup } from '../../lambdas/rollup/ism-rollup';
import { rollupWork, type RunnerDeps } from '../../lambdas/rollup/runner/runner';
import { startTestApi, type TestApi } from '../support/api';
import { validateResponse } from '../support/spec';

/**
 * The rollup job API and the rollup-runner against DynamoDB Local and a real OpenSearch node:
 * what a user sees through the API, the rollup documents the runner writes, and that a run cut
 * off mid-page ends with exactly the documents of an uninterrupted run.
 */
jest.setTimeout(120_000);

let api: TestApi;
let client: Client;
const JOBS = '/_plugins/_rollup/jobs';
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

const job = (overrides: Record<string, unknown> = {}) => ({
  rollup: {
    source_index: 'taxi-src',
    target_index: 'taxi-rollup',
    description: 'hourly taxi rollup',
    schedule: { interval: { period: 1, unit: 'Minutes' } },
    page_size: 5,
    dimensions: [
      { date_histogram: { source_field: 'pickup', fixed_interval: '1h', timezone: 'UTC' } },
      { terms: { source_field: 'location' } },
    ],
    metrics: [
      {
        source_field: 'passengers',
        metrics: [{ min: {} }, { max: {} }, { sum: {} }, { avg: {} }, { value_count: {} }],
      },
      { source_field: 'fare', metrics: [{ sum: {} }, { avg: {} }] },
    ],
    ...overrides,
  },
});

const service = (clock: ManualClock): RollupService => {
  const { jobs, runs } = RollupService.stores(documentClient(), api.tableName);
  return new RollupService(jobs, runs, clock);
};

/** One worker invocation at `clock`, as the scheduler would start it. */
const tick = (clock: ManualClock, extra: Partial<RunnerDeps> = {}, budgetMs = 60_000) => {
  const svc = service(clock);
  return runDue({
    store: svc.runs,
    clock,
    work: rollupWork({ service: svc, client: clusterClient, ...extra }),
    budgetMs,
    retryDelayMs: 1_000,
  });
};

/** A clock past every job's first scheduled run. */
const later = (): ManualClock => new ManualClock(Date.now() + 2 * HOUR);

const sourceDocs = (): Record<string, unknown>[] => {
  const docs: Record<string, unknown>[] = [];
  for (let i = 0; i < 120; i++) {
    docs.push({
      pickup: T0 + (i % 6) * HOUR + i * 1000,
      location: i % 7,
      passengers: (i % 4) + 1,
      fare: 2.5 + (i % 10) * 1.25,
    });
  }
  docs.push({ pickup: T0 + 30_000, passengers: 3, fare: 7 }); // no location: a null bucket
  docs.push({ pickup: T0 + 40_000, location: 2, fare: 1 }); // no passengers: counted, not summed
  return docs;
};

const indexDocs = async (index: string, docs: Record<string, unknown>[]): Promise<void> => {
  const body = docs.flatMap((d) => [{ index: { _index: index } }, d]);
  await client.bulk({ body: body as never, refresh: true });
};

const targetDocs = async (index: string): Promise<Map<string, Record<string, unknown>>> => {
  await client.indices.refresh({ index });
  const res = await client.search({ index, body: { size: 10_000, query: { match_all: {} } } as never });
  const hits = (
    res.body as unknown as { hits: { hits: { _id: string; _source: Record<string, unknown> }[] } }
  ).hits.hits;
  return new Map(hits.map((h) => [h._id, h._source]));
};

beforeAll(async () => {
  // Compiling the spec blocks the event loop for seconds: do it before any keep-alive socket
  // exists, or the server may close one just as the client reuses it.
  validateResponse('rollups', 'GET', `${JOBS}/{id}`, 200, {});
  api = await startTestApi();
  client = await clusterClient();
  await client.indices.create({
    index: 'taxi-src',
    body: {
      mappings: {
        properties: {
          pickup: { type: 'date' },
          location: { type: 'integer' },
          passengers: { type: 'integer' },
          fare: { type: 'double' },
        },
      },
    } as never,
  });
  await indexDocs('taxi-src', sourceDocs());
});

afterAll(async () => {
  await client.indices.delete({ index: 'taxi-*', ignore_unavailable: true } as never).catch(() => undefined);
  await api.close();
});

describe('the rollup job API', () => {
  it('creates a job (201, Location) and reads it back as the plugin writes it', async () => {
    const put = await api.request('PUT', `${JOBS}/api-a`, job());
    expect(put.status).toBe(201);
    expect(put.headers.get('location')).toBe(`${JOBS}/api-a`);
    // The plugin writes `delay: null` when unset, which the spec's schema (a number) does not
    // allow: validate the shape with a delay given.
    const withDelay = await api.request('PUT', `${JOBS}/api-a-delay`, job({ delay: 0 }));
    expect(validateResponse('rollups', 'PUT', `${JOBS}/{id}`, 201, withDelay.body)).toEqual([]);
    expect(put.body).toMatchObject({ _id: 'api-a', _version: 1, _primary_term: 1 });
    const r = put.body.rollup;
    expect(Object.keys(r)).toEqual([
      'rollup_id',
      'enabled',
      'schedule',
      'last_updated_time',
      'enabled_time',
      'description',
      'schema_version',
      'source_index',
      'target_index',
      'metadata_id',
      'page_size',
      'delay',
      'continuous',
      'dimensions',
      'metrics',
    ]);
    expect(r).toMatchObject({
      rollup_id: 'api-a',
      enabled: true,
      metadata_id: null,
      delay: null,
      continuous: false,
    });
    expect(r.schedule.interval).toMatchObject({ period: 1, unit: 'Minutes', schedule_delay: 0 });
    expect(r.dimensions[0]).toEqual({
      date_histogram: {
        fixed_interval: '1h',
        source_field: 'pickup',
        target_field: 'pickup',
        timezone: 'UTC',
        format: null,
      },
    });
    expect(r.dimensions[1]).toEqual({ terms: { source_field: 'location', target_field: 'location' } });

    const get = await api.request('GET', `${JOBS}/api-a`);
    expect(get.status).toBe(200);
    expect(get.body).toEqual(put.body);
    const getDelay = await api.request('GET', `${JOBS}/api-a-delay`);
    expect(validateResponse('rollups', 'GET', `${JOBS}/{id}`, 200, getDelay.body)).toEqual([]);
    expect((await api.request('HEAD', `${JOBS}/api-a`)).status).toBe(200);
    expect((await api.request('HEAD', `${JOBS}/nope`)).status).toBe(404);
  });

  it('updates with if_seq_no/if_primary_term; a stale pair is 409; immutable fields are refused', async () => {
    const created = await api.request('PUT', `${JOBS}/api-b`, job());
    const { _seq_no: seq, _primary_term: term } = created.body;
    const updated = await api.request(
      'PUT',
      `${JOBS}/api-b?if_seq_no=${seq}&if_primary_term=${term}`,
      job({ description: 'changed', page_size: 50 }),
    );
    expect(updated.status).toBe(200);
    expect(updated.headers.get('location')).toBeNull();
    expect(updated.body.rollup).toMatchObject({ description: 'changed', page_size: 50 });
    expect(updated.body._version).toBe(2);
    // An update's schedule is the one sent: no schedule_delay unless it says one (the plugin's).
    expect(updated.body.rollup.schedule.interval.schedule_delay).toBeUndefined();
    expect(updated.body.rollup.schedule.interval.start_time).toBe(
      created.body.rollup.schedule.interval.start_time,
    );

    const stale = await api.request('PUT', `${JOBS}/api-b?if_seq_no=${seq}&if_primary_term=${term}`, job());
    expect(stale.status).toBe(409);
    expect(stale.body.error.type).toBe('version_conflict_engine_exception');

    const s2 = updated.body._seq_no;
    const immutable = await api.request(
      'PUT',
      `${JOBS}/api-b?if_seq_no=${s2}&if_primary_term=1`,
      job({ source_index: 'other', metrics: [] }),
    );
    expect(immutable.status).toBe(400);
    expect(immutable.body.error.type).toBe('status_exception');
    expect(immutable.body.error.reason).toBe('Not allowed to modify [metrics, source_index]');

    const missing = await api.request('PUT', `${JOBS}/nope?if_seq_no=0&if_primary_term=1`, job());
    expect(missing.status).toBe(404);
    expect(missing.body.error.reason).toBe('Rollup not found');
    expect((await api.request('PUT', `${JOBS}/api-b`, job())).status).toBe(409);
  });

  it.each([
    [
      { dimensions: [{ terms: { source_field: 'location' } }] },
      'Must specify precisely one date histogram dimension',
    ],
    [
      {
        dimensions: [
          { terms: { source_field: 'location' } },
          { date_histogram: { source_field: 'pickup', fixed_interval: '1h' } },
        ],
      },
      'The first dimension must be a date histogram',
    ],
    [
      { dimensions: [{ date_histogram: { source_field: 'pickup' } }] },
      'Must specify a fixed or calendar interval',
    ],
    [
      {
        dimensions: [
          { date_histogram: { source_field: 'pickup', fixed_interval: '1h', calendar_interval: '1h' } },
        ],
      },
      'Can only specify a fixed or calendar interval',
    ],
    [
      { dimensions: [{ date_histogram: { source_field: 'pickup', calendar_interval: '2h' } }] },
      'The supplied interval [2h] could not be parsed as a calendar interval.',
    ],
    [
      {
        dimensions: [
          { date_histogram: { source_field: 'pickup', fixed_interval: '1h', timezone: 'Mars/Base' } },
        ],
      },
      'Unknown time-zone ID: Mars/Base',
    ],
    [{ page_size: 0 }, 'Page size must be between 1 and 10,000'],
    [{ page_size: 10_001 }, 'Page size must be between 1 and 10,000'],
    [{ delay: -1 }, 'Delay must be non-negative if set'],
    [{ target_index: 'taxi-src' }, 'Your source and target index cannot be the same'],
    [{ bogus: 1 }, 'Invalid field [bogus] found in Rollup.'],
    [{ description: undefined }, 'Rollup description is null'],
    [
      { schedule: { interval: { period: 0, unit: 'Minutes' } } },
      'Rollup job schedule interval must be greater than 0',
    ],
    [
      { metrics: [{ source_field: 'fare', metrics: [{ median: {} }] }] },
      'Invalid metric type [median] found in metrics',
    ],
    [
      { metrics: [{ source_field: 'fare', metrics: [] }] },
      'Must specify at least one metric to aggregate on for fare',
    ],
    [
      {
        dimensions: [
          { date_histogram: { source_field: 'pickup', fixed_interval: '1h' } },
          { histogram: { source_field: 'fare', interval: 0 } },
        ],
      },
      'Interval must be a positive decimal',
    ],
    [
      { target_index_settings: { index: { no_such_setting: 1 } } },
      expect.stringContaining('unknown setting [index.no_such_setting]'),
    ],
  ])('refuses an invalid job with 400: %j', async (overrides, reason) => {
    const res = await api.request('PUT', `${JOBS}/invalid`, job(overrides));
    expect(res.status).toBe(400);
    expect(res.body.error.reason).toEqual(reason);
    expect((await api.request('GET', `${JOBS}/invalid`)).status).toBe(404);
  });

  it('refuses a target_index that renders to a wildcard, and renders {{ctx.source_index}}', async () => {
    const bad = await api.request('PUT', `${JOBS}/tmpl`, job({ target_index: 'rollup-*' }));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      type: 'status_exception',
      reason: 'target_index value is invalid: rollup-*',
    });
    const ok = await api.request(
      'PUT',
      `${JOBS}/tmpl`,
      job({ target_index: 'taxi-rollup-{{ctx.source_index}}' }),
    );
    expect(ok.status).toBe(201);
    expect(ok.body.rollup.target_index).toBe('taxi-rollup-{{ctx.source_index}}');
  });

  it('echoes target_index_settings in nested string form', async () => {
    const res = await api.request(
      'PUT',
      `${JOBS}/settings`,
      job({
        target_index: 'taxi-settings',
        target_index_settings: { 'index.number_of_shards': 2, codec: 'best_compression' },
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body.rollup.target_index_settings).toEqual({
      index: { number_of_shards: '2', codec: 'best_compression' },
    });
  });

  it('explains: null metadata before the first run, null for unknown ids, wildcards match', async () => {
    await api.request('PUT', `${JOBS}/explain-me`, job());
    const res = await api.request('GET', `${JOBS}/explain-me,does_not_exist/_explain`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      'explain-me': { metadata_id: null, rollup_metadata: null },
      does_not_exist: null,
    });
    const wild = await api.request('GET', `${JOBS}/explain*/_explain`);
    expect(Object.keys(wild.body)).toEqual(['explain-me']);
    // The spec has no null entry for unknown ids (the plugin writes one): validate the rest.
    expect(validateResponse('rollups', 'GET', `${JOBS}/{id}/_explain`, 200, wild.body)).toEqual([]);
  });

  it('deletes a job; a missing one is 404 with the plugin reason', async () => {
    await api.request('PUT', `${JOBS}/gone`, job());
    const del = await api.request('DELETE', `${JOBS}/gone`);
    expect(del.status).toBe(200);
    expect(validateResponse('rollups', 'DELETE', `${JOBS}/{id}`, 200, del.body)).toEqual([]);
    expect(del.body).toMatchObject({ _id: 'gone', result: 'deleted' });
    const again = await api.request('DELETE', `${JOBS}/gone`);
    expect(again.status).toBe(404);
    expect(again.body.error.reason).toBe('Rollup gone is not found');
    expect((await api.request('GET', `${JOBS}/gone`)).body.error.reason).toBe('Rollup not found');
    expect((await api.request('POST', `${JOBS}/gone/_start`)).status).toBe(404);
  });

  it('lists jobs: search is a substring of the id, sorted and paged', async () => {
    for (const id of ['list-b', 'list-a', 'list-c']) await api.request('PUT', `${JOBS}/${id}`, job());
    const res = await api.request('GET', `${JOBS}?search=list-&sortDirection=desc&size=2`);
    expect(res.status).toBe(200);
    expect(res.body.total_rollups).toBe(3);
    expect(res.body.rollups.map((r: { _id: string }) => r._id)).toEqual(['list-c', 'list-b']);
    expect(Object.keys(res.body.rollups[0])).toEqual(['_id', '_seq_no', '_primary_term', 'rollup']);
    const byPage = await api.request('GET', `${JOBS}?search=list&sortField=rollup.page_size&from=2`);
    expect(byPage.body.rollups.map((r: { _id: string }) => r._id)).toEqual(['list-c']);
    const bad = await api.request('GET', `${JOBS}?sortDirection=up`);
    expect(bad.status).toBe(400);
  });

  it('lists sorted by a field the config index maps as text, or not at all, fail as its search does', async () => {
    await api.request('PUT', `${JOBS}/list-text`, job({ enabled: false }));
    const text = await api.request('GET', `${JOBS}?search=list&sortField=rollup.rollup_id`);
    expect(text.status).toBe(400);
    expect(text.body.error).toMatchObject({
      type: 'search_phase_execution_exception',
      reason: 'all shards failed',
      root_cause: [{ type: 'illegal_argument_exception' }],
      caused_by: { type: 'illegal_argument_exception', caused_by: { type: 'illegal_argument_exception' } },
    });
    expect(text.body.error.root_cause[0].reason).toMatch(
      /^Text fields are not optimised .* \[rollup\.rollup_id\]/,
    );
    const unmapped = await api.request('GET', `${JOBS}?sortField=rollup.nope`);
    expect(unmapped.status).toBe(400);
    expect(unmapped.body.error.root_cause[0]).toMatchObject({
      type: 'query_shard_exception',
      reason: 'No mapping found for [rollup.nope] in order to sort on',
      index: '.opendistro-ism-config',
    });
    const window = await api.request('GET', `${JOBS}?from=9990&size=20`);
    expect(window.status).toBe(400);
    expect(window.body.error.root_cause[0].reason).toMatch(/^Result window is too large/);
  });

  it('filter_path applies to the answer, as the plugin REST layer applies it (never to an error)', async () => {
    // (Disabled: the runner tests' ticks leave it alone.)
    await api.request('PUT', `${JOBS}/filtered`, job({ enabled: false }));
    const res = await api.request('GET', `${JOBS}/filtered?filter_path=rollup.enabled,rollup.rollup_id`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ rollup: { rollup_id: 'filtered', enabled: false } });
    const missing = await api.request('GET', `${JOBS}/nope?filter_path=rollup.enabled`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.reason).toBe('Rollup not found');
  });

  it('refuses a date_histogram format as the config index mapping does, writing nothing', async () => {
    const dims = [{ date_histogram: { source_field: 'pickup', fixed_interval: '1h', format: 'yyyy-MM-dd' } }];
    const res = await api.request('PUT', `${JOBS}/with-format`, job({ dimensions: dims }));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      type: 'strict_dynamic_mapping_exception',
      reason:
        'mapping set to strict, dynamic introduction of [format] within [rollup.dimensions.date_histogram] is not allowed',
    });
    expect((await api.request('GET', `${JOBS}/with-format`)).status).toBe(404);
  });

  it('a continuous cron job carries its delay as the schedule delay', async () => {
    const res = await api.request(
      'PUT',
      `${JOBS}/cron-delay`,
      job({
        enabled: false,
        continuous: true,
        delay: 0,
        schedule: { cron: { expression: '0 * * * *', timezone: 'UTC' } },
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body.rollup.schedule).toEqual({
      cron: { expression: '0 * * * *', timezone: 'UTC', schedule_delay: 0 },
    });
  });

  it('serves the legacy _opendistro prefix', async () => {
    const res = await api.request('PUT', `/_opendistro/_rollup/jobs/legacy`, job());
    expect(res.status).toBe(201);
    // The plugin's Location is always under _plugins.
    expect(res.headers.get('location')).toBe('/_plugins/_rollup/jobs/legacy');
    expect((await api.request('GET', `/_opendistro/_rollup/jobs/legacy`)).status).toBe(200);
  });
});

describe('the rollup runner', () => {
  it('rolls up a one-shot job page by page into plugin-format documents, then finishes and disables it', async () => {
    await api.request('PUT', `${JOBS}/run-a`, job({ target_index: 'taxi-run-a' }));
    const clock = later();
    const summary = await tick(clock);
    expect(summary).toMatchObject({ kind: 'rollup', failed: 0 });
    expect(summary.ran).toBeGreaterThanOrEqual(1);

    const explain = await api.request('GET', `${JOBS}/run-a/_explain`);
    expect(validateResponse('rollups', 'GET', `${JOBS}/{id}/_explain`, 200, explain.body)).toEqual([]);
    const meta = explain.body['run-a'];
    expect(meta.metadata_id).toEqual(expect.any(String));
    expect(meta.rollup_metadata).toMatchObject({
      rollup_id: 'run-a',
      status: 'finished',
      failure_reason: null,
    });
    expect(meta.rollup_metadata.after_key).toBeUndefined();
    const stats = meta.rollup_metadata.stats;
    expect(stats.documents_processed).toBe(122);

    const docs = await targetDocs('taxi-run-a');
    expect(stats.rollups_indexed).toBe(docs.size);
    // 6 hours x 7 locations, plus the bucket with no location.
    expect(docs.size).toBe(43);
    expect(stats.pages_processed).toBe(Math.ceil(43 / 5) + 1);

    const all = [...docs.values()];
    expect(all.reduce((n, d) => n + (d._doc_count as number), 0)).toBe(122);
    const nullBucket = all.find((d) => d['location.terms'] === null);
    expect(nullBucket).toMatchObject({
      'rollup._id': 'run-a',
      _doc_count: 1,
      'pickup.date_histogram': T0,
      'passengers.sum': 3,
      'passengers.value_count': 1,
    });
    // A bucket whose only extra doc lacks `passengers`: counted, but not in the passengers metrics.
    const loc2 = all.filter((d) => d['location.terms'] === 2 && d['pickup.date_histogram'] === T0);
    expect(loc2).toHaveLength(1);
    expect((loc2[0]._doc_count as number) - (loc2[0]['passengers.value_count'] as number)).toBe(1);
    expect(Object.keys(all[0]).slice(0, 5)).toEqual([
      'rollup._id',
      '_doc_count',
      'rollup._schema_version',
      'pickup.date_histogram',
      'location.terms',
    ]);
    // Ids are the plugin's: MurmurHash3 of "<job>#<key>#<key>".
    for (const [id] of docs) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const mapping = await client.indices.getMapping({ index: 'taxi-run-a' });
    const meta_ = (mapping.body as never as Record<string, { mappings: { _meta: Record<string, unknown> } }>)[
      'taxi-run-a'
    ].mappings._meta;
    // _meta holds the jobs only (the plugin puts it anew with the job), each with its metadata id.
    expect(Object.keys(meta_)).toEqual(['rollups']);
    expect(meta_).toMatchObject({
      rollups: { 'run-a': { rollup_id: 'run-a', metadata_id: meta.metadata_id, user: null } },
    });

    const after = await api.request('GET', `${JOBS}/run-a`);
    expect(after.body.rollup).toMatchObject({
      enabled: false,
      enabled_time: null,
      metadata_id: meta.metadata_id,
    });
  });

  it('a source index without a job field fails and disables the job with the plugin reason', async () => {
    await api.request(
      'PUT',
      `${JOBS}/bad-field`,
      job({ target_index: 'taxi-bad', metrics: [{ source_field: 'tip', metrics: [{ sum: {} }] }] }),
    );
    await tick(later());
    const meta = (await api.request('GET', `${JOBS}/bad-field/_explain`)).body['bad-field'].rollup_metadata;
    expect(meta).toMatchObject({
      status: 'failed',
      failure_reason: 'Invalid mappings for index [taxi-src] because [missing field tip]',
    });
    expect((await api.request('GET', `${JOBS}/bad-field`)).body.rollup.enabled).toBe(false);
    // _stop leaves a failed job failed, its reason cleared (the plugin's metadata update);
    // _start puts it in retry.
    await api.request('POST', `${JOBS}/bad-field/_stop`);
    const stopped = (await api.request('GET', `${JOBS}/bad-field/_explain`)).body['bad-field']
      .rollup_metadata;
    expect(stopped).toMatchObject({ status: 'failed', failure_reason: null });
    await api.request('POST', `${JOBS}/bad-field/_start`);
    const retry = (await api.request('GET', `${JOBS}/bad-field/_explain`)).body['bad-field'].rollup_metadata;
    expect(retry).toMatchObject({ status: 'retry', failure_reason: null });
    await api.request('POST', `${JOBS}/bad-field/_stop`);
  });

  it('a target index holding raw data is refused: the job fails', async () => {
    await client.index({ index: 'taxi-raw', body: { some: 'doc' } as never, refresh: true });
    await api.request('PUT', `${JOBS}/raw-target`, job({ target_index: 'taxi-raw' }));
    await tick(later());
    const meta = (await api.request('GET', `${JOBS}/raw-target/_explain`)).body['raw-target'].rollup_metadata;
    expect(meta).toMatchObject({
      status: 'failed',
      failure_reason: 'Target index [taxi-raw] is a non rollup index',
    });
  });

  it('a source value of the wrong type fails the run with the cluster reason', async () => {
    await client.indices.create({
      index: 'taxi-text',
      body: { mappings: { properties: { pickup: { type: 'date' }, location: { type: 'text' } } } } as never,
    });
    await indexDocs('taxi-text', [{ pickup: T0, location: 'abc' }]);
    await api.request(
      'PUT',
      `${JOBS}/wrong-type`,
      job({ source_index: 'taxi-text', target_index: 'taxi-wrong', metrics: [] }),
    );
    await tick(later());
    const meta = (await api.request('GET', `${JOBS}/wrong-type/_explain`)).body['wrong-type'].rollup_metadata;
    expect(meta.status).toBe('failed');
    expect(meta.failure_reason).toMatch(/fielddata|Text fields/i);
  });

  it('stop and start: a stopped job is not run; start resumes; starting a finished job re-runs it', async () => {
    await api.request('PUT', `${JOBS}/ss`, job({ target_index: 'taxi-ss' }));
    // Stop during the run, after the second page (checkpointed after every page: the stop
    // takes effect at the next checkpoint).
    const clock = later();
    await tick(clock, {
      checkpointEveryMs: 0,
      onPage: async ({ page, phase }) => {
        if (page === 2 && phase === 'checkpointed') await api.request('POST', `${JOBS}/ss/_stop`);
      },
    });
    let meta = (await api.request('GET', `${JOBS}/ss/_explain`)).body.ss.rollup_metadata;
    expect(meta.status).toBe('stopped');
    expect(meta.after_key).toBeDefined();
    expect(meta.stats.pages_processed).toBe(2);
    expect((await api.request('GET', `${JOBS}/ss`)).body.rollup.enabled).toBe(false);
    clock.advance(10 * 60_000);
    expect((await tick(clock)).ran).toBe(0);

    const start = await api.request('POST', `${JOBS}/ss/_start`);
    expect(start.body).toEqual({ acknowledged: true });
    expect(validateResponse('rollups', 'POST', `${JOBS}/{id}/_start`, 200, start.body)).toEqual([]);
    clock.advance(2 * HOUR);
    await tick(clock);
    meta = (await api.request('GET', `${JOBS}/ss/_explain`)).body.ss.rollup_metadata;
    expect(meta.status).toBe('finished');
    expect(meta.stats.documents_processed).toBe(122);
    expect((await targetDocs('taxi-ss')).size).toBe(43);

    const stop = await api.request('POST', `${JOBS}/ss/_stop`);
    expect(stop.body).toEqual({ acknowledged: true });
    expect((await api.request('GET', `${JOBS}/ss/_explain`)).body.ss.rollup_metadata.status).toBe('finished');
    await api.request('POST', `${JOBS}/ss/_start`);
    expect((await api.request('GET', `${JOBS}/ss/_explain`)).body.ss.rollup_metadata.status).toBe('started');
    clock.advance(2 * HOUR);
    await tick(clock);
    meta = (await api.request('GET', `${JOBS}/ss/_explain`)).body.ss.rollup_metadata;
    expect(meta.status).toBe('finished');
    expect(meta.stats.documents_processed).toBe(244);
    expect((await targetDocs('taxi-ss')).size).toBe(43);
  });
});

describe('rollup of a rollup index (multi-tier)', () => {
  const twoHourly = { date_histogram: { source_field: 'pickup', fixed_interval: '2h', timezone: 'UTC' } };
  const byKey = (docs: Map<string, Record<string, unknown>>) =>
    new Map(
      [...docs.values()].map((d) => {
        const { 'rollup._id': _job, ...rest } = d;
        void _job;
        return [`${d['pickup.date_histogram']}|${d['location.terms']}`, rest];
      }),
    );

  it('re-aggregates the stored values: the same documents as a rollup of the raw data', async () => {
    await api.request('PUT', `${JOBS}/tier1`, job({ target_index: 'taxi-tier1', page_size: 10 }));
    await tick(later());
    const dims = [twoHourly, { terms: { source_field: 'location' } }];
    await api.request(
      'PUT',
      `${JOBS}/tier2`,
      job({ source_index: 'taxi-tier1', target_index: 'taxi-tier2', dimensions: dims }),
    );
    await api.request('PUT', `${JOBS}/direct2`, job({ target_index: 'taxi-direct2', dimensions: dims }));
    await tick(later());
    const meta = (await api.request('GET', `${JOBS}/tier2/_explain`)).body.tier2.rollup_metadata;
    expect(meta.status).toBe('finished');
    // Source documents counted through the first tier's _doc_count.
    expect(meta.stats.documents_processed).toBe(122);
    const tiered = byKey(await targetDocs('taxi-tier2'));
    const direct = byKey(await targetDocs('taxi-direct2'));
    expect(tiered.size).toBe(direct.size);
    expect(tiered.size).toBeGreaterThan(0);
    for (const [k, doc] of direct) expect(tiered.get(k)).toEqual(doc);
  });

  it.each([
    [
      { dimensions: [{ date_histogram: { source_field: 'pickup', fixed_interval: '30m' } }] },
      'Target interval [30m] must be an exact multiple of source interval [1h]',
    ],
    [
      { dimensions: [twoHourly, { terms: { source_field: 'passengers' } }] },
      "Cannot rollup on dimension fields [passengers] that don't exist in source rollup",
    ],
    [
      { metrics: [{ source_field: 'tip', metrics: [{ sum: {} }] }] },
      "Cannot rollup on metric fields [tip] that don't exist in source rollup",
    ],
    [
      { metrics: [{ source_field: 'fare', metrics: [{ max: {} }] }] },
      'Target rollup requests metrics [fare.max] that are not available in source rollup',
    ],
  ])('a job the source rollup cannot feed fails: %j', async (overrides, reason) => {
    await api.request('DELETE', `${JOBS}/tier-bad`);
    await api.request(
      'PUT',
      `${JOBS}/tier-bad`,
      job({
        source_index: 'taxi-tier1',
        target_index: 'taxi-tier-bad',
        dimensions: [twoHourly],
        ...overrides,
      }),
    );
    await tick(later());
    const meta = (await api.request('GET', `${JOBS}/tier-bad/_explain`)).body['tier-bad'].rollup_metadata;
    expect(meta.status).toBe('failed');
    expect(meta.failure_reason).toBe(reason);
  });
});

describe('reliability', () => {
  const runTo = async (id: string, target: string, extra: Partial<RunnerDeps> = {}) => {
    await api.request('DELETE', `${JOBS}/${id}`);
    await client.indices.delete({ index: target, ignore_unavailable: true } as never);
    await api.request('PUT', `${JOBS}/${id}`, job({ target_index: target, page_size: 4 }));
    const clock = later();
    for (let i = 0; i < 20; i++) {
      await tick(clock, extra);
      const meta = (await api.request('GET', `${JOBS}/${id}/_explain`)).body[id]?.rollup_metadata;
      if (meta?.status === 'finished') break;
      clock.advance(60_000);
    }
    return targetDocs(target);
  };

  it.each([
    ['after the bulk, before the checkpoint', 'written', 0],
    ['after the checkpoint', 'checkpointed', 0],
    // The default: checkpoints every few seconds, so the kill falls between two checkpoints.
    ['after the bulk, pages since the last checkpoint', 'written', undefined],
  ] as const)(
    'a worker killed mid-run (%s) resumes and ends with exactly the documents of an uninterrupted run',
    async (_label, phase, checkpointEveryMs) => {
      const reference = await runTo('kill', 'taxi-kill');
      expect(reference.size).toBe(43);

      let killed = 0;
      const crashed = await runTo('kill', 'taxi-kill', {
        checkpointEveryMs,
        onPage: ({ page, phase: p }) => {
          if (p === phase && page === 3 && killed < 2) {
            killed++;
            throw new Error('worker killed');
          }
        },
      });
      expect(killed).toBe(2);
      expect([...crashed.keys()].sort()).toEqual([...reference.keys()].sort());
      for (const [id, doc] of reference) expect(crashed.get(id)).toEqual(doc);
      // The stats count every source document once, however often a page was redone.
      const meta = (await api.request('GET', `${JOBS}/kill/_explain`)).body.kill.rollup_metadata;
      expect(meta.stats.documents_processed).toBe(122);
      expect(meta.stats.rollups_indexed).toBe(43);
      // The periodic refresh the runs paused is back to the index default.
      const settings = await client.indices.getSettings({ index: 'taxi-kill', flat_settings: true } as never);
      const flat = (settings.body as unknown as Record<string, { settings: Record<string, unknown> }>)[
        'taxi-kill'
      ];
      expect(flat.settings['index.number_of_shards']).toBeDefined();
      expect(flat.settings['index.refresh_interval']).toBeUndefined();
    },
  );

  it('a run cut off by its time budget continues where it left off in the next invocation', async () => {
    await api.request('PUT', `${JOBS}/budget`, job({ target_index: 'taxi-budget', page_size: 4 }));
    const clock = later();
    // Each page "takes" a minute of the worker's clock: the 6-minute budget stops it early.
    const first = await tick(
      clock,
      { onPage: ({ phase }) => void (phase === 'written' && clock.advance(60_000)) },
      6 * 60_000,
    );
    expect(first.ran).toBeGreaterThanOrEqual(1);
    let meta = (await api.request('GET', `${JOBS}/budget/_explain`)).body.budget.rollup_metadata;
    expect(meta.status).toBe('started');
    expect(meta.after_key).toBeDefined();
    const pagesBefore = meta.stats.pages_processed;
    expect(pagesBefore).toBeGreaterThan(0);
    await tick(clock);
    meta = (await api.request('GET', `${JOBS}/budget/_explain`)).body.budget.rollup_metadata;
    expect(meta.status).toBe('finished');
    expect(meta.stats.documents_processed).toBe(122);
    expect(meta.stats.pages_processed).toBe(Math.ceil(43 / 4) + 1);
  });

  it('continuous mode: windows one bucket wide, delay honoured, late data for a done window is not rolled up', async () => {
    await client.indices.create({
      index: 'taxi-cont',
      body: {
        mappings: {
          properties: {
            pickup: { type: 'date' },
            location: { type: 'integer' },
            passengers: { type: 'integer' },
            fare: { type: 'double' },
          },
        },
      } as never,
    });
    // Hour-aligned, ahead of the wall clock so that the job (scheduled from now) is due.
    const base = Date.now() - (Date.now() % HOUR) + 2 * HOUR;
    await indexDocs('taxi-cont', [
      { pickup: base + 10, location: 1, passengers: 1, fare: 1 },
      { pickup: base + HOUR + 10, location: 1, passengers: 2, fare: 2 },
      { pickup: base + 2 * HOUR + 10, location: 1, passengers: 3, fare: 3 },
    ]);
    await api.request(
      'PUT',
      `${JOBS}/cont`,
      job({
        source_index: 'taxi-cont',
        target_index: 'taxi-cont-rollup',
        continuous: true,
        delay: 30 * 60_000,
      }),
    );
    const created = (await api.request('GET', `${JOBS}/cont`)).body.rollup;
    expect(created.schedule.interval.schedule_delay).toBe(30 * 60_000);

    // "Now" is 2h40m after the first window's start: windows 1 and 2 are due (end + 30 min < now).
    const clock = new ManualClock(base + 2 * HOUR + 40 * 60_000);
    await tick(clock);
    let meta = (await api.request('GET', `${JOBS}/cont/_explain`)).body.cont.rollup_metadata;
    expect(meta.status).toBe('started');
    expect(meta.continuous).toEqual({
      next_window_start_time: base + 2 * HOUR,
      next_window_end_time: base + 3 * HOUR,
    });
    expect(meta.stats.documents_processed).toBe(2);

    // A late document for the first (done) window: never rolled up.
    await indexDocs('taxi-cont', [{ pickup: base + 20, location: 1, passengers: 9, fare: 9 }]);
    clock.set(base + 3 * HOUR + 31 * 60_000);
    await tick(clock);
    meta = (await api.request('GET', `${JOBS}/cont/_explain`)).body.cont.rollup_metadata;
    expect(meta.continuous.next_window_start_time).toBe(base + 3 * HOUR);
    expect(meta.stats.documents_processed).toBe(3);
    const docs = [...(await targetDocs('taxi-cont-rollup')).values()];
    expect(docs.map((d) => d['passengers.sum']).sort()).toEqual([1, 2, 3]);
    // A continuous job stays enabled.
    expect((await api.request('GET', `${JOBS}/cont`)).body.rollup.enabled).toBe(true);
  });
});

describe('searching a rollup index through the endpoint', () => {
  type Aggs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const search = (index: string, body: unknown) => api.request('POST', `/${index}/_search`, body);

  beforeAll(async () => {
    await api.request('PUT', `${JOBS}/search-a`, job({ target_index: 'taxi-search', page_size: 100 }));
    await tick(later());
    await client.indices.refresh({ index: 'taxi-search' });
  });

  it("avg and value_count fail on a cluster without painless, as the plugin's scripted metrics do", async () => {
    delete process.env.ROLLUP_SEARCH_SUMS_WITHOUT_PAINLESS;
    try {
      await expectPluginAnswerWithoutPainless();
    } finally {
      process.env.ROLLUP_SEARCH_SUMS_WITHOUT_PAINLESS = 'true';
    }
  });

  const expectPluginAnswerWithoutPainless = async () => {
    const res = await search('taxi-search', { size: 0, aggs: { a: { avg: { field: 'fare' } } } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      type: 'search_phase_execution_exception',
      root_cause: [{ type: 'illegal_argument_exception', reason: 'script_lang not supported [painless]' }],
      failed_shards: [{ index: 'taxi-search', reason: { reason: 'script_lang not supported [painless]' } }],
    });
    // sum, min and max need no script.
    const sum = await search('taxi-search', { size: 0, aggs: { s: { sum: { field: 'fare' } } } });
    expect(sum.status).toBe(200);
  };

  // The rest answers avg and value_count from sums here too (the test node has no painless).
  beforeAll(() => {
    process.env.ROLLUP_SEARCH_SUMS_WITHOUT_PAINLESS = 'true';
  });
  afterAll(() => {
    delete process.env.ROLLUP_SEARCH_SUMS_WITHOUT_PAINLESS;
  });

  /** The same search on the raw source and on the rollup index: the aggregations agree. */
  const both = async (body: Record<string, unknown>) => {
    const raw = await search('taxi-src', body);
    const rolled = await search('taxi-search', body);
    expect(raw.status).toBe(200);
    expect(rolled.status).toBe(200);
    return { raw: raw.body.aggregations as Aggs, rolled: rolled.body.aggregations as Aggs };
  };

  it('terms buckets with min, max, sum, avg and value_count answer as on the source data', async () => {
    const { raw, rolled } = await both({
      size: 0,
      aggs: {
        loc: {
          terms: { field: 'location', size: 20 },
          aggs: {
            min: { min: { field: 'passengers' } },
            max: { max: { field: 'passengers' } },
            sum: { sum: { field: 'passengers' } },
            avg: { avg: { field: 'passengers' } },
            count: { value_count: { field: 'passengers' } },
            fare: { avg: { field: 'fare' } },
          },
        },
      },
    });
    expect(rolled.loc.buckets.map((b: Aggs) => [b.key, b.doc_count])).toEqual(
      raw.loc.buckets.map((b: Aggs) => [b.key, b.doc_count]),
    );
    for (const [i, b] of raw.loc.buckets.entries()) {
      const r = rolled.loc.buckets[i];
      expect(r.min.value).toBe(b.min.value);
      expect(r.max.value).toBe(b.max.value);
      expect(r.sum.value).toBe(b.sum.value);
      expect(r.avg.value).toBeCloseTo(b.avg.value, 10);
      expect(r.count.value).toBe(b.count.value);
      expect(r.fare.value).toBeCloseTo(b.fare.value, 10);
    }
  });

  it('filter_path applies to the finished answer: an avg keeps its value', async () => {
    const body = { size: 0, aggs: { a: { avg: { field: 'fare' } }, s: { sum: { field: 'fare' } } } };
    const raw = await api.request('POST', '/taxi-src/_search?filter_path=aggregations.a', body);
    const rolled = await api.request('POST', '/taxi-search/_search?filter_path=aggregations.a', body);
    expect(Object.keys(rolled.body)).toEqual(['aggregations']);
    expect(Object.keys(rolled.body.aggregations)).toEqual(['a']);
    expect(rolled.body.aggregations.a.value).toBeCloseTo(raw.body.aggregations.a.value, 10);
  });

  it('date_histogram with a sum, under a term and range query, answers as on the source data', async () => {
    const { raw, rolled } = await both({
      size: 0,
      query: {
        bool: {
          filter: [{ term: { location: 3 } }, { range: { pickup: { gte: T0 + HOUR, lt: T0 + 5 * HOUR } } }],
        },
      },
      aggs: {
        hourly: {
          date_histogram: { field: 'pickup', fixed_interval: '1h' },
          aggs: { fare: { sum: { field: 'fare' } } },
        },
        total: { sum: { field: 'passengers' } },
      },
    });
    expect(rolled.hourly.buckets.map((b: Aggs) => [b.key, b.doc_count])).toEqual(
      raw.hourly.buckets.map((b: Aggs) => [b.key, b.doc_count]),
    );
    expect(rolled.hourly.buckets.map((b: Aggs) => b.fare.value)).toEqual(
      raw.hourly.buckets.map((b: Aggs) => expect.closeTo(b.fare.value, 8)),
    );
    expect(rolled.total.value).toBe(raw.total.value);
  });

  it.each([
    [{ query: { match_all: {} } }, 'Rollup search must have size explicitly set to 0, but found -1'],
    [{ size: 5 }, 'Rollup search must have size explicitly set to 0, but found 5'],
    [{ size: 0, query: { match: { location: 3 } } }, 'The match query is currently not supported in rollups'],
    [
      { size: 0, aggs: { c: { percentiles: { field: 'fare' } } } },
      'The percentiles aggregation is not currently supported in rollups',
    ],
    [
      { size: 0, aggs: { c: { cardinality: { field: 'location' } } } },
      'Could not find a rollup job that can answer this query because [missing cardinality aggregation on location]',
    ],
    [
      { size: 0, aggs: { t: { sum: { field: 'fare' } }, u: { sum: { field: 'tip' } } } },
      'Could not find a rollup job that can answer this query because [missing field tip]',
    ],
    [
      { size: 0, query: { range: { passengers: { gte: 1 } } }, aggs: { t: { min: { field: 'fare' } } } },
      'Could not find a rollup job that can answer this query because [missing min aggregation on fare]',
    ],
    [
      { size: 0, query: { query_string: { query: 'location:(3 OR 4' } } },
      'Failed to parse query [location:(3 OR 4]',
    ],
    [
      // Terms without a field go to every field of the source index (the index default `*`).
      { size: 0, query: { query_string: { query: 'location:3 AND 4' } } },
      'Could not find a rollup job that can answer this query because ' +
        '[missing terms grouping on fare, missing terms grouping on passengers, missing terms grouping on pickup]',
    ],
    [
      { size: 0, query: { query_string: { query: 'fare:7' } } },
      'Could not find a rollup job that can answer this query because [missing terms grouping on fare]',
    ],
    [
      { size: 0, query: { term: { fare: 1 } } },
      'Could not find a rollup job that can answer this query because [missing terms grouping on fare]',
    ],
  ])('refuses what the plugin cannot answer: %j', async (body, reason) => {
    const res = await search('taxi-search', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      type: 'search_phase_execution_exception',
      reason: 'all shards failed',
      phase: 'query',
      grouped: true,
      root_cause: [{ type: 'illegal_argument_exception', reason }],
      failed_shards: [
        {
          shard: 0,
          index: 'taxi-search',
          node: expect.any(String),
          reason: { type: 'illegal_argument_exception', reason },
        },
      ],
      caused_by: { type: 'illegal_argument_exception', reason },
    });
  });

  it("a search the cluster cannot parse gets the cluster's parse error, as before any shard sees it", async () => {
    const res = await search('taxi-search', { size: 0, query: { no_such_query: {} } });
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('parsing_exception');
    expect(res.body.error.reason).toMatch(/no_such_query/);
  });

  it("the size parameter counts as the body's size", async () => {
    const res = await api.request('GET', '/taxi-search/_search?size=2');
    expect(res.status).toBe(400);
    expect(res.body.error.root_cause[0].reason).toBe(
      'Rollup search must have size explicitly set to 0, but found 2',
    );
  });

  it('query_string on a dimension field answers as on the source data, also as ?q= and with default_field', async () => {
    const aggs = { fare: { sum: { field: 'fare' } }, n: { value_count: { field: 'passengers' } } };
    const raw = await search('taxi-src', { size: 0, query: { term: { location: 3 } }, aggs });
    const forms = [
      search('taxi-search', { size: 0, query: { query_string: { query: 'location:3' } }, aggs }),
      search('taxi-search', {
        size: 0,
        query: { query_string: { query: '3', default_field: 'location' } },
        aggs,
      }),
      search('taxi-search', {
        size: 0,
        query: { query_string: { query: '3 OR 99', fields: ['loc*'] } },
        aggs,
      }),
      api.request('POST', '/taxi-search/_search?q=location:3', { size: 0, aggs }),
    ];
    for (const res of await Promise.all(forms)) {
      expect(res.status).toBe(200);
      expect(res.body.aggregations.fare.value).toBeCloseTo(raw.body.aggregations.fare.value, 8);
      expect(res.body.aggregations.n.value).toBe(raw.body.aggregations.n.value);
    }
    const exists = await search('taxi-search', {
      size: 0,
      query: { query_string: { query: '_exists_:location' } },
      aggs,
    });
    const rawExists = await search('taxi-src', {
      size: 0,
      query: { exists: { field: 'location' } },
      aggs,
    });
    expect(exists.status).toBe(200);
    expect(exists.body.aggregations.n.value).toBe(rawExists.body.aggregations.n.value);
  });

  it('an alias of the rollup index is searched as the index', async () => {
    await client.indices.putAlias({ index: 'taxi-search', name: 'taxi-search-alias' });
    const body = {
      size: 0,
      aggs: { loc: { terms: { field: 'location', size: 20 }, aggs: { s: { sum: { field: 'fare' } } } } },
    };
    const direct = await search('taxi-search', body);
    const alias = await search('taxi-search-alias', body);
    expect(alias.status).toBe(200);
    expect(alias.body.aggregations).toEqual(direct.body.aggregations);
    const refused = await search('taxi-search-alias', { size: 1 });
    expect(refused.status).toBe(400);
    expect(refused.body.error.failed_shards[0].index).toBe('taxi-search');
  });

  it('a search of rollup and plain indices answers from the plain ones, the rollup shards failed', async () => {
    await client.indices.putAlias({ index: ['taxi-search', 'taxi-src'], name: 'taxi-mixed' } as never);
    const body = { size: 0, aggs: { s: { sum: { field: 'fare' } } } };
    const raw = await search('taxi-src', body);
    for (const target of ['taxi-search,taxi-src', 'taxi-mixed']) {
      const res = await search(target, body);
      expect(res.status).toBe(200);
      expect(res.body.aggregations.s.value).toBe(raw.body.aggregations.s.value);
      expect(res.body._shards).toEqual({
        total: 2,
        successful: 1,
        skipped: 0,
        failed: 1,
        failures: [
          {
            shard: 0,
            index: 'taxi-search',
            node: expect.any(String),
            reason: { type: 'illegal_argument_exception', reason: 'Not all indices have rollup job' },
          },
        ],
      });
    }
    const strict = await api.request('POST', '/taxi-mixed/_search?allow_partial_search_results=false', body);
    expect(strict.status).toBe(400);
    expect(strict.body.error).toMatchObject({
      type: 'search_phase_execution_exception',
      reason: 'Partial shards failure',
      root_cause: [{ reason: 'Not all indices have rollup job' }],
    });
  });

  it('a search that uses no field runs unrewritten: hits count the rollup documents', async () => {
    const res = await search('taxi-search', { size: 0 });
    expect(res.status).toBe(200);
    expect(res.body.hits.total).toEqual({ value: 43, relation: 'eq' });
  });

  it('passes a search of plain indices through unchanged, and GET works too', async () => {
    const res = await search('taxi-src', { size: 3, query: { term: { location: 3 } } });
    expect(res.status).toBe(200);
    expect(res.body.hits.hits).toHaveLength(3);
    const get = await api.request('GET', '/taxi-src/_search?size=1');
    expect(get.status).toBe(200);
    expect(get.body.hits.hits).toHaveLength(1);
    const missing = await search('no-such-index', { size: 0 });
    expect(missing.status).toBe(404);
    expect(missing.body.error.type).toBe('index_not_found_exception');
  });
});

describe("the ISM rollup action's use of rollup jobs", () => {
  const ismRollup = {
    description: 'ISM rollup of {{ctx.index}}',
    target_index: 'taxi-ism-{{ctx.index}}',
    page_size: 50,
    dimensions: [
      {
        date_histogram: {
          fixed_interval: '1h',
          source_field: 'pickup',
          target_field: 'pickup',
          timezone: 'UTC',
        },
      },
      { terms: { source_field: 'location', target_field: 'location' } },
    ],
    metrics: [{ source_field: 'passengers', metrics: [{ sum: {} }, { avg: {} }] }],
  };

  it("creates the job once per index (the plugin's sha1 id), starts it when it exists, reports progress", async () => {
    const clock = new ManualClock(Date.now());
    const svc = service(clock);
    const id = ismRollupJobId('taxi-src', ismRollup);
    expect(id).toMatch(/^[0-9a-f]{40}$/);
    expect(await ismRollupProgress(svc, id)).toMatchObject({ exists: false, status: null });

    expect(await startIsmRollup(svc, 'taxi-src', ismRollup, clock.now())).toEqual({
      rollupId: id,
      created: true,
    });
    expect(await startIsmRollup(svc, 'taxi-src', ismRollup, clock.now())).toEqual({
      rollupId: id,
      created: false,
    });
    expect(await ismRollupProgress(svc, id)).toMatchObject({ exists: true, status: null });

    await tick(later());
    const progress = await ismRollupProgress(svc, id);
    expect(progress).toMatchObject({ exists: true, status: 'finished', failureReason: null });
    expect(progress.metadata?.stats.documents_processed).toBe(122);
    expect((await targetDocs('taxi-ism-taxi-src')).size).toBe(43);
  });
});
