import type { Client } from '@opensearch-project/opensearch';
import { errors } from '@opensearch-project/opensearch';
import type { RollupJob } from '../job/model';
import { mappingFields } from './query-string';
import type { SearchTargets } from './rewrite';
import { scopeOf, type SearchScope, type SearchShardsAnswer } from './scope';

/**
 * The concrete indices a search names (an alias or pattern resolves to its indices), split into
 * rollup indices with the jobs their mapping lists in `_meta.rollups` (where the runner registers
 * them) and plain ones. `undefined` when none is a rollup index (or the expression resolves to
 * nothing): the search is not ours.
 */
export const searchTargets = async (client: Client, index: string): Promise<SearchTargets | undefined> => {
  let body: Record<string, { mappings?: { _meta?: { rollups?: Record<string, RollupJob> } } }>;
  try {
    const res = await client.indices.getMapping({ index });
    body = res.body as unknown as typeof body;
  } catch (e) {
    if (e instanceof errors.ResponseError && e.statusCode !== undefined && e.statusCode < 500)
      return undefined;
    throw e;
  }
  const targets: SearchTargets = { rollup: {}, raw: [] };
  for (const [name, { mappings }] of Object.entries(body)) {
    const rollups = mappings?._meta?.rollups;
    if (rollups && typeof rollups === 'object' && Object.keys(rollups).length > 0)
      targets.rollup[name] = Object.values(rollups);
    else targets.raw.push(name);
  }
  return Object.keys(targets.rollup).length > 0 ? targets : undefined;
};

/**
 * The searchable fields of a job's source index, for `query_string` (RollupInterceptor
 * .getConcreteSourceIndex): its only index, or the newest of several. `undefined` when the
 * source resolves to no index.
 */
export const sourceIndexFields = async (client: Client, source: string): Promise<string[] | undefined> => {
  const res = await client.indices.getMapping(
    { index: source, ignore_unavailable: true, allow_no_indices: true } as never,
    { ignore: [404] },
  );
  const mappings = (res.body ?? {}) as Record<string, { mappings?: { properties?: Record<string, never> } }>;
  const names = Object.keys(mappings).filter((n) => mappings[n]?.mappings !== undefined);
  if (names.length === 0) return undefined;
  let chosen = names[0];
  if (names.length > 1) {
    const settings = await client.indices.getSettings({
      index: names.join(','),
      name: 'index.creation_date',
    } as never);
    const created = (n: string): number =>
      Number(
        (settings.body as Record<string, { settings?: { index?: { creation_date?: string } } }>)[n]?.settings
          ?.index?.creation_date ?? 0,
      );
    chosen = names.reduce((a, b) => (created(b) > created(a) ? b : a));
  }
  return mappingFields(mappings[chosen].mappings ?? {});
};

/**
 * The alias filter and the shards of each concrete index of a search expression, as the cluster
 * applies them to a search with these parameters (see ./scope.ts).
 */
export const searchScope = async (
  client: Client,
  expression: string,
  indices: string[],
  params: Record<string, string>,
): Promise<SearchScope> => {
  const querystring: Record<string, string> = {};
  for (const p of ['routing', 'preference', 'ignore_unavailable', 'allow_no_indices', 'expand_wildcards'])
    if (params[p] !== undefined) querystring[p] = params[p];
  const [shards, settings] = await Promise.all([
    client.transport.request(
      { method: 'GET', path: `/${encodeURIComponent(expression)}/_search_shards`, querystring },
      { maxRetries: 0 },
    ),
    client.indices.getSettings({ index: indices.join(','), name: 'index.number_of_shards' } as never),
  ]);
  const counts: Record<string, number> = {};
  const byIndex = settings.body as Record<string, { settings?: { index?: { number_of_shards?: string } } }>;
  for (const [index, s] of Object.entries(byIndex))
    counts[index] = Number(s.settings?.index?.number_of_shards ?? 0);
  return scopeOf(shards.body as SearchShardsAnswer, counts);
};
