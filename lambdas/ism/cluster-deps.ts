import { errors, type Client } from '@opensearch-project/opensearch';
import { clusterClient, isRetryableClusterError } from '../shared/cluster';
import { ClusterCallError, type ClusterApi } from './cluster-api';

/** The ClusterApi over the shared cluster client (lambdas/shared/cluster.ts), or another one. */
export const clusterApi = (client: () => Promise<Client> = clusterClient): ClusterApi => ({
  async request<T>(
    method: string,
    path: string,
    options: { body?: unknown; query?: Record<string, string | number | boolean | undefined> } = {},
  ): Promise<T> {
    const c = await client();
    const querystring = Object.fromEntries(
      Object.entries(options.query ?? {}).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
    try {
      const res = await c.transport.request({ method, path, body: options.body as never, querystring });
      return res.body as T;
    } catch (e) {
      throw toClusterError(e);
    }
  },
});

const toClusterError = (e: unknown): ClusterCallError => {
  const retryable = isRetryableClusterError(e);
  if (e instanceof errors.ResponseError) {
    const body = e.body as { error?: { type?: string; reason?: string } | string } | undefined;
    const err = typeof body?.error === 'object' ? body.error : undefined;
    return new ClusterCallError(
      e.statusCode ?? 500,
      err?.type ?? 'exception',
      err?.reason ?? (typeof body?.error === 'string' ? body.error : e.message),
      body,
      retryable,
    );
  }
  return new ClusterCallError(0, 'cluster_unavailable', (e as Error).message, undefined, retryable);
};
