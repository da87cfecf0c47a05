import { mergeAggregations, mergeSearchResponses } from '../../../lambdas/rollup/search/merge';
import { rollupSearchSettingsFromEnv } from '../../../lambdas/rollup/search/settings';

/** Reducing the rollup half and the plain half of a mixed search, as the cluster reduces shards. */
describe('mergeAggregations', () => {
  it('combines metrics: sums and counts add, min and max take the extreme, an empty side is ignored', () => {
    const defs = {
      s: { sum: { field: 'f' } },
      lo: { min: { field: 'f' } },
      hi: { max: { field: 'f' } },
      n: { value_count: { field: 'f' } },
    };
    const a = { s: { value: 2 }, lo: { value: null }, hi: { value: 5 }, n: { value: 3 } };
    const b = { s: { value: 3.5 }, lo: { value: 1 }, hi: { value: 4 }, n: { value: 1 } };
    expect(mergeAggregations(a, b, defs)).toEqual({
      s: { value: 5.5 },
      lo: { value: 1 },
      hi: { value: 5 },
      n: { value: 4 },
    });
  });

  it('merges buckets by key, orders them as asked and cuts terms to size', () => {
    const defs = { t: { terms: { field: 'k', size: 2 }, aggs: { s: { sum: { field: 'f' } } } } };
    const a = {
      t: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 1,
        buckets: [
          { key: 'x', doc_count: 3, s: { value: 1 } },
          { key: 'y', doc_count: 2, s: { value: 2 } },
        ],
      },
    };
    const b = {
      t: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: 'y', doc_count: 2, s: { value: 3 } },
          { key: 'z', doc_count: 1, s: { value: 4 } },
        ],
      },
    };
    expect(mergeAggregations(a, b, defs)).toEqual({
      t: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 2,
        buckets: [
          { key: 'y', doc_count: 4, s: { value: 5 } },
          { key: 'x', doc_count: 3, s: { value: 1 } },
        ],
      },
    });
  });

  it('keeps keyed histograms keyed, in key order', () => {
    const defs = { h: { histogram: { field: 'k', interval: 1, keyed: true } } };
    const a = { h: { buckets: { '2.0': { key: 2, doc_count: 1 } } } };
    const b = { h: { buckets: { '1.0': { key: 1, doc_count: 1 }, '2.0': { key: 2, doc_count: 2 } } } };
    const h = mergeAggregations(a, b, defs).h as { buckets: Record<string, unknown> };
    expect(Object.entries(h.buckets)).toEqual([
      ['1.0', { key: 1, doc_count: 1 }],
      ['2.0', { key: 2, doc_count: 3 }],
    ]);
  });
});

describe('filling the gap between the halves of a histogram', () => {
  it('adds empty buckets on the grid, with empty sub-aggregations', () => {
    const defs = {
      h: {
        histogram: { field: 'k', interval: 0.1 },
        aggs: { s: { sum: { field: 'f' } }, m: { max: { field: 'f' } } },
      },
    };
    const bucket = (key: number, n: number) => ({ key, doc_count: n, s: { value: n }, m: { value: n } });
    const merged = mergeAggregations(
      { h: { buckets: [bucket(0.1, 1), bucket(0.2, 1)] } },
      { h: { buckets: [bucket(0.5, 2)] } },
      defs,
    ) as { h: { buckets: { key: number; doc_count: number }[] } };
    expect(merged.h.buckets.map((b) => b.doc_count)).toEqual([1, 1, 0, 0, 2]);
    expect(merged.h.buckets[2]).toEqual({
      key: expect.closeTo(0.3, 10),
      doc_count: 0,
      s: { value: 0 },
      m: { value: null },
    });
  });

  it('leaves buckets alone when min_doc_count is above 0 or the keys are off the grid', () => {
    const b = (key: number) => ({ key, doc_count: 1 });
    const at = (body: Record<string, unknown>, keys: number[]) =>
      (
        mergeAggregations(
          { h: { buckets: keys.slice(0, 1).map(b) } },
          { h: { buckets: keys.slice(1).map(b) } },
          {
            h: { histogram: { field: 'k', ...body } },
          },
        ) as { h: { buckets: unknown[] } }
      ).h.buckets.length;
    expect(at({ interval: 1, min_doc_count: 1 }, [0, 5])).toBe(2);
    expect(at({ interval: 2 }, [0, 5])).toBe(2);
    expect(at({ interval: 1 }, [0, 5])).toBe(6);
  });
});

describe('mergeSearchResponses', () => {
  it('adds hit totals and shard counts', () => {
    const one = (n: number) => ({
      took: n,
      timed_out: false,
      _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
      hits: { total: { value: n, relation: 'eq' }, max_score: null, hits: [] },
    });
    expect(mergeSearchResponses(one(2), one(5), undefined)).toEqual({
      took: 5,
      timed_out: false,
      _shards: { total: 2, successful: 2, skipped: 0, failed: 0 },
      hits: { total: { value: 7, relation: 'eq' }, max_score: null, hits: [] },
    });
  });
});

describe('rollupSearchSettingsFromEnv', () => {
  it('has the plugin defaults, and takes only true or false', () => {
    expect(rollupSearchSettingsFromEnv({})).toEqual({ enabled: true, allJobs: false, sourceIndices: false });
    expect(
      rollupSearchSettingsFromEnv({
        ROLLUP_SEARCH_ENABLED: 'false',
        ROLLUP_SEARCH_ALL_JOBS: 'true',
        ROLLUP_SEARCH_SOURCE_INDICES: 'yes',
      }),
    ).toEqual({ enabled: false, allJobs: true, sourceIndices: false });
  });
});
