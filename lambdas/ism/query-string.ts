import { compileQueryString as compileLuceneQuery } from '../shared/query-string';

/**
 * The `queryString` parameter of the list APIs whose documents are matched by id alone: a
 * Lucene query_string whose default field is the id's keyword field (case-sensitive, whole id,
 * wildcards, default operator AND). Terms naming another field match nothing.
 */
const ID_FIELD = 'id';

export const compileQueryString = (queryString: string): ((id: string) => boolean) => {
  const matches = compileLuceneQuery(queryString, {
    defaultField: ID_FIELD,
    field: (name) => (name === ID_FIELD ? { type: 'keyword' } : undefined),
  });
  return (id) => matches((field) => (field === ID_FIELD ? [id] : []));
};
