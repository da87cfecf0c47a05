import {
  groupParams,
  scopeOf,
  scopedBody,
  shardGroups,
  type SearchShardsAnswer,
} from '../../../lambdas/rollup/search/scope';

/** Putting a search's alias filters and routing back into the searches of its halves. */
const copy = (index: string, shard: number, primary = true) => ({ index, shard, node: 'n1', primary });

const answer: SearchShardsAnswer = {
  indices: {
    a: { aliases: ['fa'], filter: { term: { loc: 3 } } },
    b: { aliases: ['fa', 'fb'], filter: { bool: { should: [{ term: { loc: 3 } }, { term: { loc: 4 } }] } } },
    c: { aliases: ['nf'] },
    d: {},
  },
  shards: [
    [copy('a', 0)],
    [copy('b', 1, false), copy('b', 1)],
    [copy('c', 0)],
    [copy('c', 1)],
    [copy('d', 2)],
  ],
};
const scope = scopeOf(answer, { a: 1, b: 3, c: 2, d: 3 });

describe('scopeOf', () => {
  it('reads each index filter and the primary of each shard it reaches', () => {
    expect(scope.get('a')).toEqual({
      filter: { term: { loc: 3 } },
      shards: [{ index: 'a', shard: 0, node: 'n1' }],
      shardCount: 1,
    });
    expect(scope.get('c')?.filter).toBeUndefined();
    expect(scope.get('c')?.shards.map((s) => s.shard)).toEqual([0, 1]);
  });
});

describe('scopedBody', () => {
  const body = { size: 0, query: { range: { t: { gte: 1 } } }, aggs: { x: { sum: { field: 'f' } } } };

  it('leaves a search of indices without a filter alone', () => {
    expect(scopedBody(body, ['c', 'd'], scope)).toBe(body);
  });

  it('adds one shared filter as a filter clause, keeping the query as the scoring clause', () => {
    expect(scopedBody(body, ['a'], scope)).toEqual({
      ...body,
      query: { bool: { must: [body.query], filter: [{ term: { loc: 3 } }] } },
    });
    expect(scopedBody({ size: 0 }, ['a'], scope).query).toEqual({
      bool: { must: [{ match_all: {} }], filter: [{ term: { loc: 3 } }] },
    });
  });

  it('gives each index its own filter through _index when they differ', () => {
    expect(scopedBody(body, ['a', 'b', 'c', 'd'], scope).query).toEqual({
      bool: {
        must: [body.query],
        filter: [
          {
            bool: {
              should: [
                { bool: { filter: [{ terms: { _index: ['a'] } }, { term: { loc: 3 } }] } },
                { bool: { filter: [{ terms: { _index: ['b'] } }, answer.indices?.b.filter] } },
                { terms: { _index: ['c', 'd'] } },
              ],
              minimum_should_match: 1,
            },
          },
        ],
      },
    });
  });
});

describe('shardGroups and groupParams', () => {
  it('one search when every index is searched whole', () => {
    expect(shardGroups(['a', 'c'], scope)).toEqual([{ indices: ['a', 'c'] }]);
  });

  it('a routed index gets its shards; a whole index joins it when the selection covers it', () => {
    expect(shardGroups(['b'], scope)).toEqual([{ indices: ['b'], shards: [1] }]);
    // `a` has one shard (0): the selection [1] does not cover it.
    expect(shardGroups(['a', 'b'], scope)).toEqual([{ indices: ['a'] }, { indices: ['b'], shards: [1] }]);
    const covering = scopeOf(
      { indices: { x: {}, y: {} }, shards: [[copy('x', 0)], [copy('y', 0)]] },
      { x: 3, y: 1 },
    );
    expect(shardGroups(['x', 'y'], covering)).toEqual([{ indices: ['x', 'y'], shards: [0] }]);
  });

  it('different selections are different searches; an index reached on no shard is left out', () => {
    const s = scopeOf(
      { indices: { b: {}, d: {}, e: {} }, shards: [[copy('b', 1)], [copy('d', 2)]] },
      { b: 3, d: 3, e: 2 },
    );
    expect(shardGroups(['b', 'd', 'e'], s)).toEqual([
      { indices: ['b'], shards: [1] },
      { indices: ['d'], shards: [2] },
    ]);
  });

  it('routing becomes a _shards preference that keeps the rest of the preference', () => {
    const g = { indices: ['b'], shards: [1, 2] };
    expect(groupParams({ routing: 'r1', size: '0' }, g)).toEqual({ size: '0', preference: '_shards:1,2' });
    expect(groupParams({ preference: '_local' }, g)).toEqual({ preference: '_shards:1,2|_local' });
    expect(groupParams({ preference: '_shards:1,2|_local' }, g)).toEqual({
      preference: '_shards:1,2|_local',
    });
    // A custom string only picks copies and cannot follow `_shards:`.
    expect(groupParams({ preference: 'session-7' }, g)).toEqual({ preference: '_shards:1,2' });
    expect(groupParams({ routing: 'r1', preference: 'session-7' }, { indices: ['a'] })).toEqual({
      preference: 'session-7',
    });
  });
});
