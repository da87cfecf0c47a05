import {
  mappingFields,
  queryStringUse,
  rewriteQueryString,
} from '../../../lambdas/rollup/search/query-string';

/** query_string on rollup indices: the fields a query names and its rewrite, as the plugin's. */
const SOURCE = ['fare', 'location', 'name', 'name.raw', 'pickup'];

describe('query_string on rollup indices', () => {
  it.each([
    ['location:3', ['location'], []],
    ['location:(3 OR 4) AND name:"a b"', ['location', 'location', 'name'], []],
    ['+location:3 -name:x !fare:1', ['location', 'name', 'fare'], []],
    ['_exists_:location', ['location'], []],
    ['location:[1 TO 5] name:ab* name:/a.c/ name:abc~2', ['location', 'name', 'name', 'name'], []],
    ['location:3 OR 4', ['location'], SOURCE],
    ['loc*:3', [], SOURCE],
  ])('%s names %j, lonely terms go to %j', (query, discovered, others) => {
    const use = queryStringUse({ query }, SOURCE);
    expect(use.discovered).toEqual(discovered);
    expect([...use.others.keys()]).toEqual(others);
  });

  it('lonely terms go to a concrete default_field, or to the fields a pattern or `fields` match', () => {
    expect(queryStringUse({ query: '3', default_field: 'location' }, SOURCE).discovered).toEqual([
      'location',
    ]);
    expect([...queryStringUse({ query: '3', default_field: 'na*' }, SOURCE).others.keys()]).toEqual([
      'name',
      'name.raw',
    ]);
    expect([...queryStringUse({ query: '3', fields: ['location^2', 'fa*'] }, SOURCE).others]).toEqual([
      ['location', 2],
      ['fare', 1],
    ]);
  });

  it('rewrites named fields, _exists_, and the default fields to <field>.terms', () => {
    const rewrite = (qs: Record<string, unknown>) => rewriteQueryString(qs, queryStringUse(qs, SOURCE));
    expect(rewrite({ query: 'location:3 AND _exists_:name', default_operator: 'AND' })).toEqual({
      query: 'location.terms:3 AND _exists_:name.terms',
      default_operator: 'AND',
    });
    expect(rewrite({ query: '3', default_field: 'location' })).toEqual({
      query: '3',
      default_field: 'location.terms',
    });
    expect(rewrite({ query: '3', fields: ['location^2'] })).toEqual({
      query: '3',
      fields: ['location.terms^2'],
    });
  });

  it('fails as the plugin does: unparsable text, or no source mapping', () => {
    expect(() => queryStringUse({ query: 'location:(3' }, SOURCE)).toThrow(
      'Failed to parse query [location:(3]',
    );
    expect(() => queryStringUse({ query: 'location:3' }, undefined)).toThrow(
      "Can't parse query_string query without sourceIndex mappings!",
    );
  });

  it('lists the searchable fields of a mapping, multi-fields included', () => {
    expect(
      mappingFields({
        properties: {
          a: { type: 'keyword', fields: { raw: { type: 'keyword' } } },
          o: { properties: { b: { type: 'long' }, g: { type: 'geo_point' } } },
        } as never,
      }),
    ).toEqual(['a', 'a.raw', 'o.b']);
  });
});
