import type { ClusterApi } from '../cluster-api';

/**
 * The plugin runs no managed index while the cluster is red (shards unassigned): steps could
 * act on a half-available cluster, and a red cluster should not get extra load. A tick that
 * finds it red leaves every index due, so the next tick looks again. A cluster that cannot be
 * asked is not called red here: each index's run then meets the failure and reports it.
 */
export const clusterIsRed = async (cluster: ClusterApi): Promise<boolean> => {
  try {
    const health = await cluster.request<{ status?: string }>('GET', '/_cluster/health', {
      query: { filter_path: 'status', local: true },
    });
    return health.status === 'red';
  } catch {
    return false;
  }
};
