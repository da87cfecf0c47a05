import type { Client } from '@opensearch-project/opensearch';
import { clusterClient, isRetryableClusterError } from '../../shared/cluster';
import { OpenSearchError } from '../../shared/errors';
import type { Query } from '../../shared/params';
import { pluginSettingsStore } from '../../shared/plugin-settings-store';
import type { ClusterReply, ClusterSettingsDeps, SettingsCluster } from './service';

/** `_cluster/settings` on the cluster, through the one cluster client: every status comes back as sent. */
const ALL_STATUSES = Array.from({ length: 500 }, (_, i) => i + 100);
const PATH = '/_cluster/settings';

const querystring = (query: Query): Record<string, string> =>
  Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));

export const settingsCluster = (client: () => Promise<Client> = clusterClient): SettingsCluster => {
  const call = async (method: 'GET' | 'PUT', query: Query, body?: unknown): Promise<ClusterReply> => {
    try {
      const c = await client();
      const res = await c.transport.request(
        {
          method,
          path: PATH,
          querystring: querystring(query),
          body: body as Record<string, unknown> | undefined,
        },
        { ignore: ALL_STATUSES, maxRetries: 0, headers: { 'content-type': 'application/json' } },
      );
      return { status: res.statusCode ?? 502, body: res.body };
    } catch (error) {
      throw new OpenSearchError(
        502,
        'cluster_unavailable_exception',
        isRetryableClusterError(error)
          ? `the cluster did not answer: ${(error as Error).message}`
          : `the request could not be passed to the cluster: ${(error as Error).message}`,
      );
    }
  };
  return {
    put: (body, query) => call('PUT', query, body),
    putRaw: (body, query) => call('PUT', query, body),
    get: (query) => call('GET', query),
  };
};

export const clusterSettingsDeps = (): ClusterSettingsDeps => ({
  cluster: settingsCluster(),
  store: pluginSettingsStore(),
});
