import type { Client } from '@opensearch-project/opensearch';
import { errors } from '@opensearch-project/opensearch';
import type { RollupJob } from '../job/model';

/**
 * The rollup jobs of every concrete index a search names: a rollup index lists its jobs in its
 * mapping's `_meta.rollups` (where the runner registers them). `undefined` when none of the
 * indices is a rollup index (or the expression resolves to nothing): the search is not ours.
 */
export const rollupJobsOf = async (
  client: Client,
  index: string,
): Promise<Record<string, RollupJob[] | undefined> | undefined> => {
  let body: Record<string, { mappings?: { _meta?: { rollups?: Record<string, RollupJob> } } }>;
  try {
    const res = await client.indices.getMapping({ index });
    body = res.body as unknown as typeof body;
  } catch (e) {
    if (e instanceof errors.ResponseError && e.statusCode !== undefined && e.statusCode < 500)
      return undefined;
    throw e;
  }
  const out: Record<string, RollupJob[] | undefined> = {};
  let any = false;
  for (const [name, { mappings }] of Object.entries(body)) {
    const rollups = mappings?._meta?.rollups;
    if (rollups && typeof rollups === 'object') {
      out[name] = Object.values(rollups);
      any = true;
    } else out[name] = undefined;
  }
  return any ? out : undefined;
};
