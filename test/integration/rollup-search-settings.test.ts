import type { Client } from '@opensearch-project/opensearch';
import { ManualClock } from '../../lambdas/shared/clock';
import { clusterClient } from '../../lambdas/shared/cluster';
import { documentClient } from '../../lambdas/shared/dynamo';
import { runDue } from '../../lambdas/shared/jobs/run-due';
import { RollupService } from '../../lambdas/rollup/rollup-service';
import { rollupWork } from '../../lambdas/rollup/runner/runner';
import { startTestApi, type TestApi } from '../support/api';
import { validateResponse } from '../support/spec';

/**
 * The plugin's rollup search settings (`plugins.rollup.search.enabled`, `.search_all_jobs`,
 * `.search_source_indices`; the deployment's `rollupSearch*` context, ROLLUP_SEARCH_* in the
 * search functions) through the real search handler against a real node: what a user's search
 * answers under each value. Each search reads the settings anew, as the plugin's dynamic
 * settings apply to the next search.
 */
jest.setTimeout(120_000);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let api: TestApi;
let client: Client;
const JOBS = '/_plugins/_rollup/jobs';
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

const job = (target: string, interval: string, metrics: Json[]) => ({
  rollup: {
    source_index: 'rss-src',
    target_index: target,
    description: `${interval} rollup`,
    schedule: { interval: { period: 1, unit: 'Minutes' } },
    page_size: 100,
    dimensions: [
      { date_histogram: { source_field: 'pickup', fixed_interval: interval, timezone: 'UTC' } },
      { terms: { source_field: 'location' } },
    ],
    metrics,
  },
});
const ALL_PASSENGER_METRICS = {
  source_field: 'passengers',
  metrics: [{ min: {} }, { max: {} }, { sum: {} }, { avg: {} }, { value_count: {} }],
};
const FARE_SUM = { source_field: 'fare', metrics: [{ sum: {} }] };

const docs = (from: number, count: number, start: number): Json[] =>
  Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return {
      pickup: start + (i % 6) * HOUR + i * 1000,
      location: i % 7,
      passengers: (i % 4) + 1,
      fare: 2.5 + (i % 10) * 1.25,
    };
  });

const indexDocs = async (index: string, body: Json[]): Promise<void> => {
  await client.bulk({ body: body.flatMap((d) => [{ index: { _index: index } }, d]) as never, refresh: true });
};

const MAPPING = {
  properties: {
    pickup: { type: 'date' },
    location: { type: 'integer' },
    passengers: { type: 'integer' },
    fare: { type: 'double' },
    tip: { type: 'double' },
  },
};

const search = (index: string, body: unknown) => api.request('POST', `/${index}/_search`, body);

/** The cluster's own answer to a search, without the control plane. */
const direct = async (index: string, body: unknown): Promise<Json> =>
  (await client.search({ index, body: body as never })).body as Json;

const setting = (name: string, value: string | undefined): void => {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
};

// avg and value_count from sums although the test node has no painless (rollups.test.ts checks
// the plugin's answer without it).
process.env.ROLLUP_SEARCH_SUMS_WITHOUT_PAINLESS = 'true';

beforeAll(async () => {
  validateResponse('rollups', 'GET', `${JOBS}/{id}`, 200, {});
  api = await startTestApi();
  client = await clusterClient();
  await client.indices.create({ index: 'rss-src', body: { mappings: MAPPING } as never });
  await indexDocs('rss-src', docs(0, 120, T0));
  // Three jobs into one index (an hourly and a daily job that can answer the same searches, and
  // one without fares), and the hourly job alone into another.
  await api.request('PUT', `${JOBS}/rss-hourly`, job('rss-multi', '1h', [ALL_PASSENGER_METRICS, FARE_SUM]));
  await api.request('PUT', `${JOBS}/rss-daily`, job('rss-multi', '1d', [ALL_PASSENGER_METRICS, FARE_SUM]));
  await api.request('PUT', `${JOBS}/rss-nofare`, job('rss-multi', '1h', [ALL_PASSENGER_METRICS]));
  await api.request('PUT', `${JOBS}/rss-one`, job('rss-one', '1h', [ALL_PASSENGER_METRICS, FARE_SUM]));
  const { jobs, runs } = RollupService.stores(documentClient(), api.tableName);
  const clock = new ManualClock(Date.now() + 2 * HOUR);
  const svc = new RollupService(jobs, runs, clock);
  const work = rollupWork({ service: svc, client: clusterClient });
  // One job at a time: jobs sharing a target index register in its mapping one after the other.
  await runDue({ store: svc.runs, clock, work, budgetMs: 60_000, concurrency: 1 });
  await client.indices.refresh({ index: 'rss-multi,rss-one' });
  const meta = (await client.indices.getMapping({ index: 'rss-multi' })).body as Json;
  expect(Object.keys(meta['rss-multi'].mappings._meta.rollups).sort()).toEqual([
    'rss-daily',
    'rss-hourly',
    'rss-nofare',
  ]);
});

afterEach(() => {
  setting('ROLLUP_SEARCH_ENABLED', undefined);
  setting('ROLLUP_SEARCH_ALL_JOBS', undefined);
  setting('ROLLUP_SEARCH_SOURCE_INDICES', undefined);
});

afterAll(async () => {
  await client.indices.delete({ index: 'rss-*', ignore_unavailable: true } as never).catch(() => undefined);
  await api.close();
});

describe('plugins.rollup.search.enabled', () => {
  it('false: a search of a rollup index goes to the cluster as sent, and true rewrites it again', async () => {
    setting('ROLLUP_SEARCH_ENABLED', 'false');
    // No size check: the rollup documents themselves come back.
    const docsRes = await search('rss-one', { size: 3, query: { term: { 'rollup._id': 'rss-one' } } });
    expect(docsRes.status).toBe(200);
    expect(docsRes.body.hits.hits).toHaveLength(3);
    expect(docsRes.body.hits.hits[0]._source).toMatchObject({ 'rollup._id': 'rss-one' });
    // Aggregations on the source fields are not rewritten: the cluster's own answer.
    const body = {
      size: 0,
      aggs: { fare: { sum: { field: 'fare' } }, loc: { terms: { field: 'location' } } },
    };
    const off = await search('rss-one', body);
    expect(off.status).toBe(200);
    expect(off.body.aggregations).toEqual((await direct('rss-one', body)).aggregations);
    expect(off.body.aggregations.fare.value).toBe(0);
    expect(off.body.aggregations.loc.buckets).toEqual([]);

    setting('ROLLUP_SEARCH_ENABLED', 'true');
    const on = await search('rss-one', body);
    expect(on.status).toBe(200);
    expect(on.body.aggregations.fare.value).toBeCloseTo(
      (await direct('rss-src', body)).aggregations.fare.value,
      8,
    );
    const refused = await search('rss-one', { size: 3 });
    expect(refused.status).toBe(400);
    expect(refused.body.error.root_cause[0].reason).toBe(
      'Rollup search must have size explicitly set to 0, but found 3',
    );
  });
});

describe('plugins.rollup.search.search_all_jobs', () => {
  const rawTotals = async () => {
    const raw = await direct('rss-src', {
      size: 0,
      aggs: { fare: { sum: { field: 'fare' } }, passengers: { sum: { field: 'passengers' } } },
    });
    return {
      fare: raw.aggregations.fare.value as number,
      passengers: raw.aggregations.passengers.value as number,
    };
  };

  it('false (default): one job answers, the one with the coarsest date histogram', async () => {
    const raw = await rawTotals();
    const res = await search('rss-multi', {
      size: 0,
      query: { match_all: {} },
      aggs: {
        fare: { sum: { field: 'fare' } },
        passengers: { sum: { field: 'passengers' } },
        hourly: { date_histogram: { field: 'pickup', fixed_interval: '1h' } },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.aggregations.fare.value).toBeCloseTo(raw.fare, 8);
    expect(res.body.aggregations.passengers.value).toBe(raw.passengers);
    // The daily job's documents answer, even for hourly buckets: all fall on midnight.
    expect(res.body.aggregations.hourly.buckets).toEqual([
      { key_as_string: '2024-01-01T00:00:00.000Z', key: T0, doc_count: 120 },
    ]);
    // Without a query nothing selects a job (the plugin filters on rollup._id only in the
    // query): every job's documents count.
    const noQuery = await search('rss-multi', {
      size: 0,
      aggs: { passengers: { sum: { field: 'passengers' } } },
    });
    expect(noQuery.body.aggregations.passengers.value).toBe(3 * raw.passengers);
  });

  it('true: the documents of every job that can answer count, and only those', async () => {
    setting('ROLLUP_SEARCH_ALL_JOBS', 'true');
    const raw = await rawTotals();
    // Fares: the hourly and the daily job (the third has no fare metric).
    const fares = await search('rss-multi', {
      size: 0,
      query: { match_all: {} },
      aggs: { fare: { sum: { field: 'fare' } }, n: { value_count: { field: 'passengers' } } },
    });
    expect(fares.status).toBe(200);
    expect(fares.body.aggregations.fare.value).toBeCloseTo(2 * raw.fare, 8);
    expect(fares.body.aggregations.n.value).toBe(2 * 120);
    // Passengers only: all three jobs.
    const passengers = await search('rss-multi', {
      size: 0,
      query: { range: { pickup: { gte: T0 } } },
      aggs: { p: { sum: { field: 'passengers' } }, avg: { avg: { field: 'passengers' } } },
    });
    expect(passengers.status).toBe(200);
    expect(passengers.body.aggregations.p.value).toBe(3 * raw.passengers);
    expect(passengers.body.aggregations.avg.value).toBeCloseTo(raw.passengers / 120, 10);
    // A job that cannot answer still makes none of it.
    const refused = await search('rss-multi', {
      size: 0,
      query: { match_all: {} },
      aggs: { t: { sum: { field: 'tip' } } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.root_cause[0].reason).toBe(
      'Could not find a rollup job that can answer this query because [missing field tip]',
    );
  });
});

describe('plugins.rollup.search.search_source_indices', () => {
  const LIVE = 'rss-live';
  beforeAll(async () => {
    // Newer raw data, in the hours right after the rolled-up ones, with a field no job has.
    await client.indices.create({ index: LIVE, body: { mappings: MAPPING } as never });
    await indexDocs(
      LIVE,
      docs(0, 30, T0 + 6 * HOUR).map((d, i) => ({ ...d, tip: i % 3 })),
    );
  });

  const aggs = {
    loc: {
      terms: { field: 'location', size: 3 },
      aggs: {
        min: { min: { field: 'passengers' } },
        max: { max: { field: 'passengers' } },
        sum: { sum: { field: 'passengers' } },
        avg: { avg: { field: 'passengers' } },
        count: { value_count: { field: 'passengers' } },
      },
    },
    hourly: {
      date_histogram: { field: 'pickup', fixed_interval: '1h' },
      aggs: { fare: { sum: { field: 'fare' } } },
    },
    by_key: { terms: { field: 'location', order: { _key: 'desc' }, size: 4 } },
    fare: { sum: { field: 'fare' } },
  };

  it('false (default): the rollup shards fail with the plugin reason, the plain index answers', async () => {
    const res = await search(`rss-one,${LIVE}`, { size: 0, aggs });
    expect(res.status).toBe(200);
    expect(res.body._shards.failures[0].reason.reason).toBe('Not all indices have rollup job');
    expect(res.body.aggregations.fare.value).toBeCloseTo(
      (await direct(LIVE, { size: 0, aggs })).aggregations.fare.value,
      10,
    );
  });

  it('true: rollup and plain data answer together, as the raw data would', async () => {
    setting('ROLLUP_SEARCH_SOURCE_INDICES', 'true');
    const body = { size: 0, query: { range: { pickup: { gte: T0 + HOUR } } }, aggs };
    const res = await search(`rss-one,${LIVE}`, body);
    expect(res.status).toBe(200);
    const raw = await direct(`rss-src,${LIVE}`, body);
    const a = res.body.aggregations;
    const r = raw.aggregations;
    expect(a.loc.buckets.map((b: Json) => [b.key, b.doc_count])).toEqual(
      r.loc.buckets.map((b: Json) => [b.key, b.doc_count]),
    );
    expect(a.loc.sum_other_doc_count).toBe(r.loc.sum_other_doc_count);
    for (const [i, b] of r.loc.buckets.entries()) {
      const x = a.loc.buckets[i];
      expect([x.min.value, x.max.value, x.sum.value, x.count.value]).toEqual([
        b.min.value,
        b.max.value,
        b.sum.value,
        b.count.value,
      ]);
      expect(x.avg.value).toBeCloseTo(b.avg.value, 10);
    }
    expect(a.hourly.buckets.map((b: Json) => [b.key_as_string, b.doc_count])).toEqual(
      r.hourly.buckets.map((b: Json) => [b.key_as_string, b.doc_count]),
    );
    expect(a.hourly.buckets.map((b: Json) => b.fare.value)).toEqual(
      r.hourly.buckets.map((b: Json) => expect.closeTo(b.fare.value, 8)),
    );
    expect(a.by_key.buckets).toEqual(r.by_key.buckets);
    expect(a.fare.value).toBeCloseTo(r.fare.value, 10);
    expect(res.body._shards).toEqual({ total: 2, successful: 2, skipped: 0, failed: 0 });
    expect(validateResponse('_core', 'POST', '/{index}/_search', 200, res.body)).toEqual([]);
  });

  it('true: empty buckets fill the gap between the rollup and the plain data, as in the raw answer', async () => {
    setting('ROLLUP_SEARCH_SOURCE_INDICES', 'true');
    const body = {
      size: 0,
      query: { bool: { must_not: [{ range: { pickup: { gte: T0 + 4 * HOUR, lt: T0 + 7 * HOUR } } }] } },
      aggs: {
        hourly: {
          date_histogram: { field: 'pickup', fixed_interval: '1h' },
          aggs: {
            fare: { sum: { field: 'fare' } },
            avg: { avg: { field: 'passengers' } },
            lo: { min: { field: 'passengers' } },
            loc: { terms: { field: 'location' } },
          },
        },
      },
    };
    const res = await search(`rss-one,${LIVE}`, body);
    expect(res.status).toBe(200);
    const raw = await direct(`rss-src,${LIVE}`, body);
    const hours = (r: Json) =>
      r.aggregations.hourly.buckets.map((b: Json) => [b.key_as_string, b.doc_count, b.loc.buckets.length]);
    expect(hours(res.body)).toEqual(hours(raw));
    expect(hours(raw).filter((h: unknown[]) => h[1] === 0)).toHaveLength(3);
    const empty = res.body.aggregations.hourly.buckets.find((b: Json) => b.doc_count === 0);
    const rawEmpty = raw.aggregations.hourly.buckets.find((b: Json) => b.doc_count === 0);
    expect(empty).toEqual(rawEmpty);
  });

  it('typed_keys: the keys name the types of the aggregations asked for, alone and mixed', async () => {
    const body = {
      size: 0,
      aggs: {
        loc: {
          terms: { field: 'location', size: 2 },
          aggs: { a: { avg: { field: 'passengers' } }, n: { value_count: { field: 'passengers' } } },
        },
        f: { sum: { field: 'fare' } },
      },
    };
    const typed = async (target: string, rawTarget: string) => {
      const res = await api.request('POST', `/${target}/_search?typed_keys=true`, body);
      expect(res.status).toBe(200);
      const raw = (await client.search({ index: rawTarget, body: body as never, typed_keys: true } as never))
        .body as Json;
      expect(Object.keys(res.body.aggregations)).toEqual(Object.keys(raw.aggregations));
      const buckets = res.body.aggregations['lterms#loc'].buckets;
      const rawBuckets = raw.aggregations['lterms#loc'].buckets;
      expect(buckets.map((b: Json) => Object.keys(b))).toEqual(rawBuckets.map((b: Json) => Object.keys(b)));
      expect(buckets.map((b: Json) => [b.key, b.doc_count, b['value_count#n'].value])).toEqual(
        rawBuckets.map((b: Json) => [b.key, b.doc_count, b['value_count#n'].value]),
      );
      expect(buckets.map((b: Json) => b['avg#a'].value)).toEqual(
        rawBuckets.map((b: Json) => expect.closeTo(b['avg#a'].value, 10)),
      );
    };
    await typed('rss-one', 'rss-src');
    setting('ROLLUP_SEARCH_SOURCE_INDICES', 'true');
    await typed(`rss-one,${LIVE}`, `rss-src,${LIVE}`);
  });

  it('true: a field only the plain index has is answered by it; the rollup shards match nothing', async () => {
    setting('ROLLUP_SEARCH_SOURCE_INDICES', 'true');
    const body = { size: 0, aggs: { tip: { sum: { field: 'tip' } }, by: { terms: { field: 'tip' } } } };
    const res = await search(`rss-one,${LIVE}`, body);
    expect(res.status).toBe(200);
    const live = await direct(LIVE, body);
    expect(res.body.aggregations).toEqual(live.aggregations);
    expect(res.body.hits.total).toEqual(live.hits.total);
    expect(res.body._shards).toEqual({ total: 2, successful: 2, skipped: 0, failed: 0 });
  });

  it('true: what a rollup shard refuses still fails it, and the plain index answers', async () => {
    setting('ROLLUP_SEARCH_SOURCE_INDICES', 'true');
    const res = await search(`rss-one,${LIVE}`, { size: 1, query: { term: { location: 3 } } });
    expect(res.status).toBe(200);
    expect(res.body.hits.hits).toHaveLength(1);
    expect(res.body._shards).toMatchObject({ total: 2, successful: 1, failed: 1 });
    expect(res.body._shards.failures[0].reason.reason).toBe(
      'Rollup search must have size explicitly set to 0, but found 1',
    );
  });
});

/**
 * Aliases in a mixed search: each index answers with the alias filters and routing the search's
 * expression gives it, as in the cluster, where the plugin's interceptor rewrites only the search
 * body of a rollup shard and the shard still applies the alias filter, unrewritten, to the rollup
 * documents. Each search is compared with the cluster's own answer to the same expression over
 * the raw data: aliases of the same shape whose filters name the source fields.
 */
describe('search_source_indices through aliases', () => {
  const LIVE = 'rss-live';
  const LIVE2 = 'rss-live2';
  // On the rollup index a filter must name the rollup documents' fields to keep any of them; this
  // one filters both kinds of documents alike (`location` on the plain ones).
  const both = (loc: number) => ({
    bool: { should: [{ term: { location: loc } }, { term: { 'location.terms': loc } }] },
  });
  const raw = (loc: number) => ({ term: { location: loc } });

  beforeAll(async () => {
    if (!(await client.indices.exists({ index: LIVE })).body) {
      await client.indices.create({ index: LIVE, body: { mappings: MAPPING } as never });
      await indexDocs(
        LIVE,
        docs(0, 30, T0 + 6 * HOUR).map((d, i) => ({ ...d, tip: i % 3 })),
      );
    }
    // Three shards, so that a routed search reaches only part of it.
    await client.indices.create({
      index: LIVE2,
      body: { settings: { number_of_shards: 3, number_of_replicas: 0 }, mappings: MAPPING } as never,
    });
    await indexDocs(LIVE2, docs(200, 60, T0 + 8 * HOUR));
    // A routing value that reaches a shard of LIVE2 other than 0, so that LIVE (one shard, 0)
    // named beside the routed alias needs a search of its own.
    let routing = '';
    for (let n = 0; !routing; n++) {
      const shards = (await client.searchShards({ index: LIVE2, routing: `r${n}` } as never)).body as Json;
      if (shards.shards[0][0].shard !== 0) routing = `r${n}`;
    }
    const add = (index: string, alias: string, extra: Json = {}) => ({ add: { index, alias, ...extra } });
    await client.indices.updateAliases({
      body: {
        actions: [
          // Over the rollup index and its raw twin: the same filters, in each one's fields.
          add('rss-one', 'rss-fa', { filter: both(3) }),
          add('rss-src', 'rss-raw-fa', { filter: raw(3) }),
          ...[LIVE, LIVE2].flatMap((i) => [
            add(i, 'rss-fa', { filter: raw(3) }),
            add(i, 'rss-raw-fa', { filter: raw(3) }),
          ]),
          add(LIVE2, 'rss-fb', { filter: raw(4) }),
          add(LIVE2, 'rss-na'),
          // A filter on the source fields only: on the rollup index it keeps no document.
          add('rss-one', 'rss-fsrc', { filter: raw(3) }),
          add(LIVE, 'rss-fsrc', { filter: raw(3) }),
          // Routing: one shard of each index.
          add('rss-one', 'rss-ra', { routing }),
          add('rss-src', 'rss-raw-ra', { routing }),
          add(LIVE2, 'rss-ra', { routing }),
          add(LIVE2, 'rss-raw-ra', { routing }),
        ],
      } as never,
    });
  });

  const body = {
    size: 0,
    query: { range: { pickup: { gte: T0 + HOUR } } },
    aggs: {
      loc: {
        terms: { field: 'location' },
        aggs: {
          min: { min: { field: 'passengers' } },
          max: { max: { field: 'passengers' } },
          sum: { sum: { field: 'passengers' } },
          avg: { avg: { field: 'passengers' } },
          count: { value_count: { field: 'passengers' } },
        },
      },
      hourly: {
        date_histogram: { field: 'pickup', fixed_interval: '1h' },
        aggs: { fare: { sum: { field: 'fare' } } },
      },
      fare: { sum: { field: 'fare' } },
    },
  };

  /** Our answer for `expression` equals the cluster's for `rawExpression` over the raw data. */
  const expectRawAnswer = async (expression: string, rawExpression: string): Promise<Json> => {
    const res = await search(expression, body);
    expect(res.status).toBe(200);
    expect(validateResponse('_core', 'POST', '/{index}/_search', 200, res.body)).toEqual([]);
    const r = await direct(rawExpression, body);
    const a = res.body.aggregations;
    // (hits.total counts rollup documents on the rollup side, as in the plugin)
    expect(res.body._shards).toEqual(r._shards);
    expect(a.loc.buckets.map((b: Json) => [b.key, b.doc_count])).toEqual(
      r.aggregations.loc.buckets.map((b: Json) => [b.key, b.doc_count]),
    );
    expect(a.loc.buckets.map((b: Json) => [b.min.value, b.max.value, b.sum.value, b.count.value])).toEqual(
      r.aggregations.loc.buckets.map((b: Json) => [b.min.value, b.max.value, b.sum.value, b.count.value]),
    );
    expect(a.loc.buckets.map((b: Json) => b.avg.value)).toEqual(
      r.aggregations.loc.buckets.map((b: Json) => expect.closeTo(b.avg.value, 10)),
    );
    expect(a.hourly.buckets.map((b: Json) => [b.key_as_string, b.doc_count])).toEqual(
      r.aggregations.hourly.buckets.map((b: Json) => [b.key_as_string, b.doc_count]),
    );
    expect(a.hourly.buckets.map((b: Json) => b.fare.value)).toEqual(
      r.aggregations.hourly.buckets.map((b: Json) => expect.closeTo(b.fare.value, 8)),
    );
    expect(a.fare.value).toBeCloseTo(r.aggregations.fare.value, 8);
    return res.body;
  };

  const locations = (answer: Json): number[] => answer.aggregations.loc.buckets.map((b: Json) => b.key);

  it('a filtered alias over rollup and plain indices: its filter applies to both halves', async () => {
    setting('ROLLUP_SEARCH_SOURCE_INDICES', 'true');
    const ours = await expectRawAnswer('rss-fa', 'rss-raw-fa');
    expect(locations(ours)).toEqual([3]);
    expect(ours._shards.total).toBe(5);
  });

  it('an index named directly, or through an alias without a filter, gets no filter', async () => {
    setting('ROLLUP_SEARCH_SOURCE_INDICES', 'true');
    const direct1 = await expectRawAnswer(`rss-fa,${LIVE}`, `rss-raw-fa,${LIVE}`);
    expect(locations(direct1)).toHaveLength(7);
    const unfiltered = await expectRawAnswer('rss-fa,rss-na', 'rss-raw-fa,rss-na');
    expect(locations(unfiltered)).toHaveLength(7);
    // The rollup index is still reached through the filtered alias only.
    const sum = (answer: Json, key: number) =>
      answer.aggregations.loc.buckets.find((b: Json) => b.key === key)?.doc_count ?? 0;
    const liveOnly = await direct(LIVE2, { ...body, aggs: { loc: { terms: { field: 'location' } } } });
    expect(sum(unfiltered, 5)).toBe(sum(liveOnly, 5));
  });

  it('several filtered aliases to the same index: their filters are OR-ed', async () => {
    setting('ROLLUP_SEARCH_SOURCE_INDICES', 'true');
    const ours = await expectRawAnswer('rss-fa,rss-fb', 'rss-raw-fa,rss-fb');
    expect(locations(ours).sort()).toEqual([3, 4]);
  });

  it('a filter on the source fields keeps no rollup document, as the plugin applies it', async () => {
    setting('ROLLUP_SEARCH_SOURCE_INDICES', 'true');
    const mixed = await search('rss-fsrc', body);
    expect(mixed.status).toBe(200);
    const live = await direct(LIVE, { ...body, query: { bool: { must: [body.query], filter: [raw(3)] } } });
    expect(mixed.body.hits.total).toEqual(live.hits.total);
    expect(mixed.body.aggregations.fare.value).toBeCloseTo(live.aggregations.fare.value, 8);
    expect(locations(mixed.body)).toEqual([3]);
    // The rollup index alone through the alias (no plain index: the cluster applies the filter).
    await client.indices.updateAliases({
      body: { actions: [{ add: { index: 'rss-one', alias: 'rss-fsrc-only', filter: raw(3) } }] } as never,
    });
    const alone = await search('rss-fsrc-only', body);
    expect(alone.status).toBe(200);
    expect(alone.body.hits.total).toEqual({ value: 0, relation: 'eq' });
    expect(alone.body.aggregations.fare.value).toBe(0);
  });

  it('what only the plain indices can answer, and what the rollup shards refuse, keep the filter', async () => {
    setting('ROLLUP_SEARCH_SOURCE_INDICES', 'true');
    const plain = `${LIVE},${LIVE2}`;
    const filtered = (q: Json, rest: Json) => ({ ...rest, query: { bool: { must: [q], filter: [raw(3)] } } });
    // No job has `tip`: the rollup shards match nothing, the plain ones answer through the filter.
    const tips = { size: 0, aggs: { tip: { sum: { field: 'tip' } }, by: { terms: { field: 'tip' } } } };
    const neutral = await search('rss-fa', tips);
    expect(neutral.status).toBe(200);
    const live = await direct(plain, filtered({ match_all: {} }, tips));
    expect(neutral.body.aggregations).toEqual(live.aggregations);
    expect(neutral.body.hits.total).toEqual(live.hits.total);
    expect(neutral.body._shards).toEqual({ total: 5, successful: 5, skipped: 0, failed: 0 });
    // size > 0: the rollup shard fails, the plain shards return their filtered hits.
    const hits = { size: 100, query: { range: { passengers: { gte: 2 } } } };
    const refused = await search('rss-fa', hits);
    expect(refused.status).toBe(200);
    const rawHits = await direct(plain, filtered(hits.query, { size: 100 }));
    expect(refused.body.hits.total).toEqual(rawHits.hits.total);
    expect(refused.body.hits.hits.map((h: Json) => h._id).sort()).toEqual(
      rawHits.hits.hits.map((h: Json) => h._id).sort(),
    );
    expect(refused.body.hits.hits.every((h: Json) => h._source.location === 3)).toBe(true);
    expect(refused.body._shards).toMatchObject({ total: 5, successful: 4, failed: 1 });
    expect(refused.body._shards.failures[0].index).toBe('rss-one');
  });

  it('alias routing: each half searches only the routed shards', async () => {
    setting('ROLLUP_SEARCH_SOURCE_INDICES', 'true');
    const routed = await expectRawAnswer('rss-ra', 'rss-raw-ra');
    expect(routed._shards.total).toBe(2);
    const whole = await direct(LIVE2, { size: 0 });
    const part = await direct('rss-raw-ra', { size: 0, query: { terms: { _index: [LIVE2] } } });
    expect(part.hits.total.value).toBeLessThan(whole.hits.total.value);
    // With an index named directly beside it: that index is searched whole.
    const beside = await expectRawAnswer(`rss-ra,${LIVE}`, `rss-raw-ra,${LIVE}`);
    expect(beside._shards.total).toBe(3);
  });
});
