import type { Client } from '@opensearch-project/opensearch';

/**
 * Whether every node of the cluster can run painless scripts (the `lang-painless` module, or a
 * plugin of that name). The plugin answers `avg` and `value_count` on rollup indices with painless
 * `scripted_metric` aggregations, so on a cluster without painless those searches fail on every
 * rollup shard with `script_lang not supported [painless]`; we compute them from sums, and fail
 * them the same way there, so that a search answers as it would with the plugin on that cluster.
 * Looked up once per container for five minutes.
 *
 * `ROLLUP_SEARCH_SUMS_WITHOUT_PAINLESS=true` answers them from sums on such a cluster too (which
 * the plugin cannot do there).
 */
const TTL_MS = 5 * 60_000;
let cached: { at: number; value: Promise<boolean> } | undefined;

type NodesPlugins = {
  nodes?: Record<string, { modules?: { name: string }[]; plugins?: { name: string }[] }>;
};

const lookUp = async (client: Client): Promise<boolean> => {
  const res = await client.transport.request(
    {
      method: 'GET',
      path: '/_nodes/plugins',
      querystring: { filter_path: 'nodes.*.modules.name,nodes.*.plugins.name' },
    },
    { maxRetries: 0 },
  );
  const nodes = Object.values((res.body as NodesPlugins).nodes ?? {});
  return (
    nodes.length > 0 &&
    nodes.every((n) => [...(n.modules ?? []), ...(n.plugins ?? [])].some((m) => m.name === 'lang-painless'))
  );
};

export const clusterHasPainless = (client: Client, now = Date.now()): Promise<boolean> => {
  if (process.env.ROLLUP_SEARCH_SUMS_WITHOUT_PAINLESS === 'true') return Promise.resolve(true);
  if (!cached || now - cached.at > TTL_MS) {
    // A look-up the cluster refuses (a role without `_nodes` access) does not fail searches: they
    // are answered from sums, and the next search asks again.
    const value = lookUp(client).catch(() => {
      if (cached?.value === value) cached = undefined;
      return true;
    });
    cached = { at: now, value };
  }
  return cached.value;
};

/** The shard failure of a scripted aggregation on a cluster without painless. */
export const PAINLESS_UNAVAILABLE = 'script_lang not supported [painless]';
