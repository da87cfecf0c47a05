import type { StoredDocument } from '../../../lambdas/shared/document-store';
import { OpenSearchError } from '../../../lambdas/shared/errors';
import {
  searchConfigDocuments,
  sourceValues,
  type ConfigSearch,
  type SortableType,
} from '../../../lambdas/shared/config-search';

/** The list APIs' search of the config index: sorts by the mapping, fails as its search fails. */
type Job = { rollup_id: string; page_size?: number; dims: { f: string }[] };
const doc = (id: string, source: Omit<Job, 'rollup_id'>): StoredDocument<Job> =>
  ({ id, version: 1, seqNo: 1, primaryTerm: 1, source: { rollup_id: id, ...source } }) as StoredDocument<Job>;

const FIELDS: Record<string, SortableType> = {
  'rollup.rollup_id': 'text',
  'rollup.rollup_id.keyword': 'keyword',
  'rollup.page_size': 'number',
  'rollup.dims.f': 'keyword',
  'rollup.metrics.source_field': 'nested',
};

const docs = [
  doc('b', { page_size: 5, dims: [{ f: 'm' }, { f: 'a' }] }),
  doc('a', { dims: [{ f: 'z' }] }),
  doc('c', { page_size: 1, dims: [{ f: 'k' }] }),
];

const search = (over: Partial<ConfigSearch<Job>>) =>
  searchConfigDocuments(docs, {
    sortField: 'rollup.rollup_id.keyword',
    order: 'asc',
    from: 0,
    size: 20,
    fields: FIELDS,
    values: (d, f) => sourceValues(d.source, f, 'rollup'),
    ...over,
  });

const ids = (r: { hits: StoredDocument<Job>[] }) => r.hits.map((d) => d.id);

const failure = (over: Partial<ConfigSearch<Job>>) => {
  try {
    search(over);
  } catch (e) {
    return (e as OpenSearchError).toEnvelope();
  }
  throw new Error('expected a failure');
};

test('sorts by a keyword or a number; missing values last in both orders', () => {
  expect(ids(search({}))).toEqual(['a', 'b', 'c']);
  expect(ids(search({ order: 'desc' }))).toEqual(['c', 'b', 'a']);
  expect(ids(search({ sortField: 'rollup.page_size' }))).toEqual(['c', 'b', 'a']);
  expect(ids(search({ sortField: 'rollup.page_size', order: 'desc' }))).toEqual(['b', 'c', 'a']);
});

test('a field with several values sorts by its least ascending, its greatest descending', () => {
  expect(ids(search({ sortField: 'rollup.dims.f' }))).toEqual(['b', 'c', 'a']);
  expect(ids(search({ sortField: 'rollup.dims.f', order: 'desc' }))).toEqual(['a', 'b', 'c']);
});

test('pages after sorting; total counts every document', () => {
  const page = search({ from: 1, size: 1 });
  expect(page.total).toBe(3);
  expect(ids(page)).toEqual(['b']);
});

test('a text field fails with the fielddata reason, nested twice in caused_by, naming no index', () => {
  const env = failure({ sortField: 'rollup.rollup_id' });
  expect(env.status).toBe(400);
  expect(env.error.type).toBe('search_phase_execution_exception');
  expect(env.error.root_cause).toEqual([
    {
      type: 'illegal_argument_exception',
      reason: expect.stringContaining('set fielddata=true on [rollup.rollup_id]'),
    },
  ]);
  expect(env.error.caused_by).toEqual({ ...env.error.root_cause[0], caused_by: env.error.root_cause[0] });
  expect(env.error.failed_shards).toEqual([
    expect.objectContaining({ shard: 0, index: '.opendistro-ism-config', reason: env.error.root_cause[0] }),
  ]);
});

test('an unmapped field is a query_shard_exception naming the config index', () => {
  const env = failure({ sortField: 'rollup.nope' });
  expect(env.error.root_cause[0]).toMatchObject({
    type: 'query_shard_exception',
    reason: 'No mapping found for [rollup.nope] in order to sort on',
    index: '.opendistro-ism-config',
    index_uuid: expect.any(String),
  });
  expect(env.error.caused_by).toEqual(env.error.root_cause[0]);
});

test('a nested field needs a nested sort; a window over 10,000 is refused after the sort is checked', () => {
  expect(failure({ sortField: 'rollup.metrics.source_field' }).error.root_cause[0].reason).toBe(
    'it is mandatory to set the [nested] context on the nested sort field: [rollup.metrics.source_field].',
  );
  expect(failure({ from: 9_995, size: 10 }).error.root_cause[0].reason).toMatch(
    /^Result window is too large, from \+ size must be less than or equal to: \[10000\] but was \[10005\]/,
  );
  expect(failure({ from: 9_995, size: 10, sortField: 'rollup.nope' }).error.root_cause[0].type).toBe(
    'query_shard_exception',
  );
});
