import { filterResponse, parseFilterPath } from '../../../lambdas/shared/filter-path';

/** OpenSearch's `filter_path` semantics (the integration tests compare them with a real node). */
const DOC = {
  took: 3,
  hits: {
    total: 2,
    hits: [
      { _id: 'a', _source: { x: 1, y: 2 } },
      { _id: 'b', _source: { x: 3 } },
    ],
    empty: [],
  },
  'a.b': { c: 1 },
  settings: { index: { number_of_shards: '1', uuid: 'u', 'reset.value': '3', reset: 'x' } },
  none: {},
};

describe('filter_path', () => {
  test('keeps the named paths, with * within a name', () => {
    expect(filterResponse(DOC, 'took,hits.total')).toEqual({ took: 3, hits: { total: 2 } });
    expect(filterResponse(DOC, 'settings.index.number_of_*')).toEqual({
      settings: { index: { number_of_shards: '1' } },
    });
    expect(filterResponse(DOC, 'hits.hits._id')).toEqual({ hits: { hits: [{ _id: 'a' }, { _id: 'b' }] } });
  });

  test('** spans one level or more', () => {
    expect(filterResponse(DOC, '**.x')).toEqual({
      hits: { hits: [{ _source: { x: 1 } }, { _source: { x: 3 } }] },
    });
    expect(filterResponse(DOC, '**.took')).toEqual({});
    expect(filterResponse(DOC, '**')).toEqual(DOC);
  });

  test('an escaped dot is part of a name; an unescaped one never matches a dotted name', () => {
    expect(filterResponse(DOC, 'a\\.b.c')).toEqual({ 'a.b': { c: 1 } });
    expect(filterResponse(DOC, 'a.b.c')).toEqual({});
    expect(filterResponse(DOC, 'settings.index.reset\\.value')).toEqual({
      settings: { index: { 'reset.value': '3' } },
    });
  });

  test('- excludes, after the inclusions are applied', () => {
    expect(filterResponse(DOC, '-hits,-settings,-a\\.b')).toEqual({ took: 3, none: {} });
    expect(filterResponse(DOC, 'settings,-settings.index.uuid')).toEqual({
      settings: { index: { number_of_shards: '1', 'reset.value': '3', reset: 'x' } },
    });
  });

  test('containers reached by a path but left with nothing disappear, even ones empty to begin with', () => {
    expect(filterResponse(DOC, '-**.y')).toEqual({
      took: 3,
      hits: {
        total: 2,
        hits: [
          { _id: 'a', _source: { x: 1 } },
          { _id: 'b', _source: { x: 3 } },
        ],
      },
      'a.b': { c: 1 },
      settings: DOC.settings,
    });
    expect(filterResponse(DOC, 'none,hits.empty')).toEqual({ none: {}, hits: { empty: [] } });
    expect(filterResponse(DOC, 'nothing')).toEqual({});
  });

  test('parses as the rest channel does: trimmed, empty tokens ignored, a lone - refused', () => {
    expect(parseFilterPath(' , ')).toBeUndefined();
    expect(filterResponse(DOC, ' took , ')).toEqual({ took: 3 });
    expect(() => parseFilterPath('took,-')).toThrow('filters cannot be null or empty');
    expect(filterResponse('text', 'took')).toBe('text');
  });
});
