import { errors, type Client } from '@opensearch-project/opensearch';
import { isRetryableClusterError } from '../../shared/cluster';

/**
 * What the SM runner asks of the cluster's snapshot API, as a small interface so that the state
 * machine is tested against the real node and, for the states a real node cannot be made to show
 * on demand, against a scripted one.
 */
export type SnapshotState = 'IN_PROGRESS' | 'SUCCESS' | 'FAILED' | 'PARTIAL' | 'INCOMPATIBLE';

export interface SnapshotInfo {
  snapshot: string;
  state: SnapshotState;
  start_time_in_millis: number;
  metadata?: Record<string, unknown> | null;
  reason?: string;
}

export interface CreateSnapshotBody {
  indices?: unknown;
  ignore_unavailable?: unknown;
  include_global_state?: unknown;
  partial?: unknown;
  metadata: Record<string, unknown>;
}

/**
 * A cluster call that failed. `kind` is what the runner decides on: `concurrent` (another
 * snapshot operation is running: wait), `missing` (no such snapshot), `other`; `retryable`
 * says whether the request may have reached the cluster and may succeed later (timeouts,
 * connection loss, overload).
 */
export class SnapshotError extends Error {
  constructor(
    readonly kind: 'concurrent' | 'missing' | 'other',
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'SnapshotError';
  }
}

export interface SnapshotClient {
  /** PUT _snapshot/<repo>/<name>?wait_for_completion=false */
  create(repository: string, name: string, body: CreateSnapshotBody): Promise<void>;
  /** GET _snapshot/<repo>/<patterns>: every match (none is an empty list). */
  list(repository: string, patterns: string): Promise<SnapshotInfo[]>;
  /** GET _snapshot/<repo>/<name>: undefined when it does not exist. */
  get(repository: string, name: string): Promise<SnapshotInfo | undefined>;
  /** DELETE _snapshot/<repo>/<a>,<b>: one call for all. */
  delete(repository: string, names: string[]): Promise<void>;
}

const toSnapshotError = (e: unknown): SnapshotError => {
  if (e instanceof SnapshotError) return e;
  if (e instanceof errors.ResponseError) {
    const body = e.body as { error?: { type?: string; reason?: string } | string } | undefined;
    const error = typeof body?.error === 'object' ? body.error : undefined;
    const type = error?.type ?? '';
    // Not OpenSearch's error shape (a load balancer's or proxy's answer): say at least the status.
    const text = error
      ? `${type}: ${error.reason ?? ''}`
      : `HTTP ${e.statusCode ?? '?'}: ${typeof body?.error === 'string' ? body.error : e.message}`;
    const kind =
      type === 'concurrent_snapshot_execution_exception'
        ? 'concurrent'
        : type === 'snapshot_missing_exception'
          ? 'missing'
          : 'other';
    return new SnapshotError(kind, text, isRetryableClusterError(e));
  }
  if (e instanceof errors.OpenSearchClientError) {
    return new SnapshotError('other', `${e.name}: ${e.message}`, isRetryableClusterError(e));
  }
  throw e; // not a cluster error: a bug, let it surface
};

interface RawSnapshot {
  snapshot: string;
  state: SnapshotState;
  start_time_in_millis: number;
  metadata?: Record<string, unknown> | null;
  reason?: string;
}

const toInfo = (s: RawSnapshot): SnapshotInfo => ({
  snapshot: s.snapshot,
  state: s.state,
  start_time_in_millis: s.start_time_in_millis,
  metadata: s.metadata ?? null,
  ...(s.reason ? { reason: s.reason } : {}),
});

/** The snapshot API through the one cluster client. */
export class ClusterSnapshots implements SnapshotClient {
  constructor(private readonly client: () => Promise<Client>) {}

  async create(repository: string, name: string, body: CreateSnapshotBody): Promise<void> {
    const client = await this.client();
    try {
      await client.snapshot.create({
        repository,
        snapshot: name,
        wait_for_completion: false,
        body: body as never,
      });
    } catch (e) {
      throw toSnapshotError(e);
    }
  }

  async list(repository: string, patterns: string): Promise<SnapshotInfo[]> {
    const client = await this.client();
    try {
      const res = await client.snapshot.get({ repository, snapshot: patterns });
      return ((res.body as { snapshots?: RawSnapshot[] }).snapshots ?? []).map(toInfo);
    } catch (e) {
      const error = toSnapshotError(e);
      if (error.kind === 'missing') return [];
      throw error;
    }
  }

  async get(repository: string, name: string): Promise<SnapshotInfo | undefined> {
    const found = await this.list(repository, name);
    return found.find((s) => s.snapshot === name);
  }

  async delete(repository: string, names: string[]): Promise<void> {
    const client = await this.client();
    try {
      await client.snapshot.delete({ repository, snapshot: names.join(',') });
    } catch (e) {
      throw toSnapshotError(e);
    }
  }
}
