import type { StoredDocument } from '../../../lambdas/shared/document-store';
import { sortDocuments } from '../../../lambdas/shared/sort-documents';

/** The list APIs (ISM, SM, rollups) sort as OpenSearch sorts their config index. */
/** Sources are stored without the wrapper the sort field names (`policy.` is the root). */
const doc = (id: string, time?: number): StoredDocument<Record<string, unknown>> => ({
  id,
  version: 1,
  seqNo: 0,
  primaryTerm: 1,
  source: time === undefined ? {} : { last_updated_time: time },
});

describe('sortDocuments', () => {
  const docs = () => [doc('b', 2), doc('none'), doc('a', 2), doc('c', 10)];

  it('sorts by the named field, ties by id, documents without it last', () => {
    const ids = sortDocuments(docs(), 'policy.last_updated_time', 'policy', 'asc').map((d) => d.id);
    expect(ids).toEqual(['a', 'b', 'c', 'none']);
  });

  it('keeps documents without the field last when descending, as missing: _last does', () => {
    const ids = sortDocuments(docs(), 'policy.last_updated_time', 'policy', 'desc').map((d) => d.id);
    expect(ids).toEqual(['c', 'a', 'b', 'none']);
  });

  it('reads `.keyword` sort fields as the field itself', () => {
    const named = [doc('x'), doc('y')].map((d, i) => ({ ...d, source: { name: ['z', 'k'][i] } }));
    expect(sortDocuments(named, 'policy.name.keyword', 'policy', 'asc').map((d) => d.id)).toEqual(['y', 'x']);
  });
});
