import { targetDateFields, targetMapping } from '../../../lambdas/transform/cluster/validate';
import { parseTransform } from '../../../lambdas/transform/job/parse';
import { changedBucketsQuery, shardsToSearch } from '../../../lambdas/transform/runner/continuous';
import { bucketDocuments, documentPlan, ODFE_MAGIC_NULL } from '../../../lambdas/transform/runner/documents';
import { hashToFixedSize } from '../../../lambdas/shared/murmur3';
import { ismTransformJobId, prettyJson } from '../../../lambdas/transform/ism-transform';

/** The documents a transform writes: the plugin's field names, number spelling and ids. */
const job = (extra: Record<string, unknown> = {}) =>
  parseTransform(
    {
      schedule: { interval: { period: 1, unit: 'Minutes' } },
      description: '',
      source_index: 'sales',
      target_index: 'sales-by-day',
      page_size: 100,
      groups: [
        { terms: { source_field: 'category' } },
        { date_histogram: { source_field: 'ts', target_field: 'day', calendar_interval: '1d' } },
        { histogram: { source_field: 'qty', interval: 5 } },
      ],
      aggregations: {
        total: { sum: { field: 'price' } },
        n: { value_count: { field: 'price' } },
        first: { min: { field: 'ts' } },
      },
      ...extra,
    },
    { id: 'cf-trrun-t', now: 0, create: true },
  );

const mappings = {
  sales: {
    properties: {
      category: { type: 'keyword' },
      ts: { type: 'date' },
      qty: { type: 'integer' },
      price: { type: 'double' },
    },
  },
};

describe('transform documents', () => {
  const j = job();
  const plan = documentPlan(j, mappings);

  it('writes the keys and values as the plugin does: doubles with a fraction, dates of min/max as millis', () => {
    const [doc] = bucketDocuments(plan, {
      buckets: [
        {
          key: { category: 'a', day: 1767225600000, qty: 5 },
          doc_count: 48,
          total: { value: 2420 },
          n: { value: 48 },
          first: { value: 1767225600000 },
        },
      ],
    });
    expect(doc.json).toBe(
      '{"transform._id":"cf-trrun-t","_doc_count":48,"transform._doc_count":48,"category":"a","day":1767225600000,"qty":5.0,"total":2420.0,"n":48.0,"first":1767225600000}',
    );
    // The id hashes the job id and the keys as Java prints them (a histogram key is a Double).
    expect(doc.id).toBe(hashToFixedSize('cf-trrun-t#a:1767225600000:5.0'));
  });

  it('hashes a missing key as the plugin null marker', () => {
    const [doc] = bucketDocuments(plan, {
      buckets: [{ key: { category: null, day: 1, qty: null }, doc_count: 1 }],
    });
    expect(doc.id).toBe(hashToFixedSize(`cf-trrun-t#${ODFE_MAGIC_NULL}:1:${ODFE_MAGIC_NULL}`));
  });

  it('matches a document id the plugin wrote (golden transform-lc-real-run)', () => {
    const two = job({
      groups: [
        { terms: { source_field: 'category', target_field: 'category' } },
        { date_histogram: { source_field: 'ts', target_field: 'day', calendar_interval: '1d' } },
      ],
    });
    const [doc] = bucketDocuments(documentPlan(two, mappings), {
      buckets: [{ key: { category: 'a', day: 1767225600000 }, doc_count: 48 }],
    });
    expect(doc.id).toBe('KUzrGCzfsZmaZJ1xGu0q_w');
  });

  it('maps min/max/avg of a date field and terms of a date field as dates in the target', () => {
    const withDateTerms = job({
      groups: [{ terms: { source_field: 'ts', target_field: 'when' } }],
      aggregations: { first: { min: { field: 'ts' } }, total: { sum: { field: 'price' } } },
    });
    const dates = targetDateFields(withDateTerms, mappings);
    expect(dates).toEqual({ when: 'date', first: 'date' });
    expect(targetMapping(dates)).toEqual({
      _meta: { schema_version: 1 },
      dynamic_templates: [{ strings: { match_mapping_type: 'string', mapping: { type: 'keyword' } } }],
      properties: { when: { type: 'date' }, first: { type: 'date' } },
    });
  });
});

describe('continuous transforms', () => {
  it('search the shards whose checkpoint moved, and those never searched', () => {
    expect(shardsToSearch({ '[s][0]': 10, '[s][1]': 5 }, { '[s][0]': 10, '[s][1]': 7, '[s][2]': 0 })).toEqual(
      ['[s][1]', '[s][2]'],
    );
    expect(shardsToSearch(undefined, { '[s][0]': -1 })).toEqual(['[s][0]']);
  });

  it('recompute a changed bucket by its keys (a missing key: the field is missing)', () => {
    const j = job();
    expect(changedBucketsQuery(j, [{ category: 'a', day: 0, qty: null }])).toEqual({
      bool: {
        must: [{ match_all: { boost: 1 } }],
        should: [
          {
            bool: {
              filter: [
                { terms: { category: ['a'] } },
                {
                  range: {
                    ts: {
                      from: 0,
                      to: 86_400_000,
                      include_lower: true,
                      include_upper: false,
                      time_zone: 'UTC',
                      format: 'epoch_millis',
                    },
                  },
                },
              ],
              must_not: [{ exists: { field: 'qty' } }],
            },
          },
        ],
        minimum_should_match: 1,
      },
    });
  });
});

describe('the ISM transform action', () => {
  it('prints builders as OpenSearch pretty-prints them', () => {
    expect(prettyJson({ match_all: { boost: 1 } })).toBe('{\n  "match_all" : {\n    "boost" : 1.0\n  }\n}');
    expect(prettyJson({})).toBe('{ }');
  });

  it('names the job by the index and the transform, the same on every run', () => {
    const t = {
      description: 'd',
      target_index: 'out',
      page_size: 10,
      data_selection_query: { match_all: {} },
      groups: [{ terms: { source_field: 'a', target_field: 'a' } }],
      aggregations: {},
    };
    const id = ismTransformJobId('logs-1', t);
    expect(id).toMatch(/^[0-9a-f]{40}$/);
    expect(ismTransformJobId('logs-1', t)).toBe(id);
    expect(ismTransformJobId('logs-2', t)).not.toBe(id);
  });
});
