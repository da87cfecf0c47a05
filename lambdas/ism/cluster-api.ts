/**
 * How ISM domain code talks to the cluster: REST calls named by their path, so every step reads
 * as the request it makes. The implementation (cluster-deps.ts) wraps the one cluster client.
 */
export type QueryValue = string | number | boolean | undefined;

export interface ClusterApi {
  request<T = unknown>(
    method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE',
    path: string,
    options?: { body?: unknown; query?: Record<string, QueryValue> },
  ): Promise<T>;
}

/** The cluster answered with an error (or could not be reached: status 0). */
export class ClusterCallError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly reason: string,
    readonly body: unknown,
    readonly retryable: boolean,
  ) {
    super(reason);
    this.name = 'ClusterCallError';
  }
}

export const isClusterError = (e: unknown, status?: number): e is ClusterCallError =>
  e instanceof ClusterCallError && (status === undefined || e.status === status);

export const errorMessage = (e: unknown): string =>
  e instanceof ClusterCallError ? `${e.type}: ${e.reason}` : e instanceof Error ? e.message : String(e);

/** Encodes one path segment (index names may hold characters URLs reserve). */
export const seg = (name: string): string => encodeURIComponent(name);

/**
 * The cluster is down or overloaded rather than refusing this request (no connection, a timeout,
 * 429, 502, 503, 504: lambdas/shared/cluster.ts isRetryableClusterError, as SM uses it). Such
 * errors are not the policy's failure; the runner backs off and retries.
 */
export const isClusterUnavailable = (e: unknown): e is ClusterCallError =>
  e instanceof ClusterCallError && e.retryable;

/** A ClusterApi that remembers the last "cluster unavailable" error it saw (see the runner). */
export class WatchedCluster implements ClusterApi {
  unavailable?: ClusterCallError;

  constructor(private readonly inner: ClusterApi) {}

  async request<T = unknown>(
    method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE',
    path: string,
    options?: { body?: unknown; query?: Record<string, QueryValue> },
  ): Promise<T> {
    try {
      return await this.inner.request<T>(method, path, options);
    } catch (e) {
      if (isClusterUnavailable(e)) this.unavailable = e;
      throw e;
    }
  }
}
