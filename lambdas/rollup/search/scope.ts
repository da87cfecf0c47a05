/**
 * What the cluster itself would apply to each concrete index of a search expression: the alias
 * filter and the shards (alias and request routing). A mixed rollup search is sent as two
 * searches of concrete index names, which by themselves would lose both; the cluster computes
 * them for `_search_shards` with the same code as for a search (IndicesService.buildAliasFilter:
 * an index named directly, by a pattern or through an alias without a filter gets none; the
 * filters of several filtered aliases are OR'ed; resolveSearchRouting for the shards), so we ask
 * it rather than re-implement the rules, and put them back into each half:
 *
 * - the filter joins the query as a `filter` clause, as the shard does with an alias filter
 *   (the query's scores are unchanged); indices with different filters get theirs through an
 *   `_index` condition;
 * - the shards become a `_shards:` preference (routing only ever selects shards).
 */
export type JsonObject = Record<string, unknown>;

/** A shard of a search, as shard failures name it. */
export interface ShardRef {
  index: string;
  shard: number;
  node: string | null;
}

export interface IndexScope {
  /** The alias filter the cluster applies to this index's documents, if any. */
  filter?: JsonObject;
  /** The shards the search queries (one copy each, the primary). */
  shards: ShardRef[];
  /** `index.number_of_shards`: whether routing left some out. */
  shardCount: number;
}

export type SearchScope = Map<string, IndexScope>;

/** The answer of `GET /<expression>/_search_shards`, the parts we read. */
export interface SearchShardsAnswer {
  indices?: Record<string, { aliases?: string[]; filter?: JsonObject }>;
  shards?: { index: string; shard: number; node: string | null; primary: boolean }[][];
}

/** The scope of every index `_search_shards` lists, given each index's number of shards. */
export const scopeOf = (answer: SearchShardsAnswer, shardCounts: Record<string, number>): SearchScope => {
  const scope: SearchScope = new Map();
  const entry = (index: string): IndexScope => {
    let s = scope.get(index);
    if (!s) {
      s = { shards: [], shardCount: shardCounts[index] ?? 0 };
      scope.set(index, s);
    }
    return s;
  };
  for (const [index, { filter }] of Object.entries(answer.indices ?? {})) {
    const s = entry(index);
    if (filter && typeof filter === 'object') s.filter = filter;
  }
  for (const copies of answer.shards ?? []) {
    const c = copies.find((x) => x.primary) ?? copies[0];
    if (c) entry(c.index).shards.push({ index: c.index, shard: c.shard, node: c.node });
  }
  for (const s of scope.values()) s.shards.sort((a, b) => a.shard - b.shard);
  return scope;
};

/** The shards of these indices in the search. */
export const shardsOf = (scope: SearchScope, indices: string[]): ShardRef[] =>
  indices.flatMap((i) => scope.get(i)?.shards ?? []);

/**
 * `body` as the cluster would run it on these indices' documents: their alias filters as a
 * filter clause (one filter for all, or each index's own through `_index`). Unchanged when none
 * of them has a filter.
 */
export const scopedBody = (body: JsonObject, indices: string[], scope: SearchScope): JsonObject => {
  const groups = new Map<string, { filter?: JsonObject; indices: string[] }>();
  for (const index of indices) {
    const filter = scope.get(index)?.filter;
    const k = filter ? JSON.stringify(filter) : '';
    const g = groups.get(k) ?? { filter, indices: [] };
    g.indices.push(index);
    groups.set(k, g);
  }
  const list = [...groups.values()];
  if (list.every((g) => g.filter === undefined)) return body;
  const clause =
    list.length === 1
      ? (list[0].filter as JsonObject)
      : {
          bool: {
            should: list.map((g) =>
              g.filter
                ? { bool: { filter: [{ terms: { _index: g.indices } }, g.filter] } }
                : { terms: { _index: g.indices } },
            ),
            minimum_should_match: 1,
          },
        };
  return { ...body, query: { bool: { must: [body.query ?? { match_all: {} }], filter: [clause] } } };
};

/** Indices one search can query together: all their shards, or all the same shard numbers. */
export interface ShardGroup {
  indices: string[];
  /** The shard numbers to query (`_shards:`), or undefined for all. */
  shards?: number[];
}

/**
 * The searches that query exactly the scope's shards of these indices: one in the usual case
 * (no routing, or the same routing everywhere); one per distinct shard selection when indices
 * are reached with different routings. Indices the search reaches on no shard are left out.
 */
export const shardGroups = (indices: string[], scope: SearchScope): ShardGroup[] => {
  const all: string[] = [];
  const restricted = new Map<string, ShardGroup>();
  for (const index of indices) {
    const s = scope.get(index);
    if (!s) {
      all.push(index);
      continue;
    }
    const ids = [...new Set(s.shards.map((x) => x.shard))].sort((a, b) => a - b);
    if (ids.length === 0) continue;
    if (ids.length >= s.shardCount) {
      all.push(index);
      continue;
    }
    const k = ids.join(',');
    const g = restricted.get(k) ?? { indices: [], shards: ids };
    g.indices.push(index);
    restricted.set(k, g);
  }
  const groups = [...restricted.values()];
  if (all.length > 0) {
    // Indices queried whole can join a selection that covers every one of their shards.
    const cover = groups.find((g) =>
      all.every((i) => {
        const count = scope.get(i)?.shardCount;
        return (
          count !== undefined &&
          Array.from({ length: count }, (_, n) => n).every((n) => g.shards?.includes(n))
        );
      }),
    );
    if (cover) cover.indices.push(...all);
    else groups.unshift({ indices: all });
  }
  return groups;
};

/**
 * The query-string parameters of one group's search: routing is replaced by the group's shard
 * selection, which keeps what else the preference asks (`_local`, `_only_nodes:`...). A custom
 * preference string cannot follow `_shards:`; it only chooses among copies, so it is dropped then.
 */
export const groupParams = (params: Record<string, string>, group: ShardGroup): Record<string, string> => {
  const out = { ...params };
  delete out.routing;
  if (!group.shards) {
    // All shards: the preference's own `_shards:` (already reflected in the scope) is kept as is.
    return out;
  }
  let rest: string | undefined = params.preference;
  if (rest?.startsWith('_shards:')) {
    const bar = rest.indexOf('|');
    rest = bar === -1 ? undefined : rest.slice(bar + 1);
  }
  const selection = `_shards:${group.shards.join(',')}`;
  out.preference = rest && rest.startsWith('_') ? `${selection}|${rest}` : selection;
  return out;
};
