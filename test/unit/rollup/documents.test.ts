import { parseRollupJob } from '../../../lambdas/rollup/job/parse';
import {
  bucketsToDocuments,
  documentPlan,
  keyKinds,
  metricColumns,
} from '../../../lambdas/rollup/runner/composite';
import { hashToFixedSize } from '../../../lambdas/shared/murmur3';

/** The bulk items the runner sends: the plugin's document, its deterministic id, its routing. */
const job = (extra: Record<string, unknown> = {}) =>
  parseRollupJob(
    {
      source_index: 'taxi',
      target_index: 'taxi-rollup',
      description: '',
      page_size: 10,
      schedule: { interval: { period: 1, unit: 'Minutes' } },
      dimensions: [
        { date_histogram: { source_field: 'pickup', fixed_interval: '1h' } },
        { terms: { source_field: 'location' } },
      ],
      metrics: [{ source_field: 'fare', metrics: [{ min: {} }, { avg: {} }, { value_count: {} }] }],
      ...extra,
    },
    { id: 'nyc', now: 0, create: true },
  );

const bucket = (location: number | null) => {
  const j = job();
  const aggs = Object.fromEntries(
    metricColumns(j).map((c) => [
      c.agg,
      { value: c.field.endsWith('min') ? 2.5 : c.field.endsWith('count') ? 2 : 7 },
    ]),
  );
  return {
    key: { 'pickup.date_histogram': 1546300800000, 'location.terms': location },
    doc_count: 2,
    ...aggs,
  };
};

describe('bucketsToDocuments', () => {
  it('writes one bulk index item per bucket: the id action line and the plugin document', () => {
    const j = job();
    const [item] = bucketsToDocuments(j, documentPlan(j, keyKinds(j, { location: 'integer' })), {
      buckets: [bucket(132)],
    });
    const [action, source, rest] = item.split('\n');
    expect(rest).toBe('');
    expect(JSON.parse(action)).toEqual({ index: { _id: hashToFixedSize('nyc#1546300800000#132') } });
    expect(source).toBe(
      `{"rollup._id":"nyc","_doc_count":2,"rollup._schema_version":${j.schema_version},` +
        '"pickup.date_histogram":1546300800000,"location.terms":132,"fare.min":2.5,' +
        '"fare.avg.sum":7.0,"fare.avg.value_count":2,"fare.value_count":2}',
    );
  });

  it('routes by the routing field, and not a document whose key is missing', () => {
    const j = job({ routing_field: 'location' });
    const docs = bucketsToDocuments(j, documentPlan(j, keyKinds(j, { location: 'integer' })), {
      buckets: [bucket(132), bucket(null)],
    });
    expect(JSON.parse(docs[0].split('\n')[0])).toEqual({
      index: { _id: hashToFixedSize('nyc#1546300800000#132'), routing: '132' },
    });
    expect(JSON.parse(docs[1].split('\n')[0])).toEqual({
      index: { _id: hashToFixedSize('nyc#1546300800000##ODFE-MAGIC-NULL-MAGIC-ODFE#') },
    });
  });
});
