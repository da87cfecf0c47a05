import type { Client } from '@opensearch-project/opensearch';
import type { RolloverParam } from './model';

/** The cluster's answer, status and body as it sent them. */
export interface ClusterReply {
  status: number;
  body: unknown;
}

export interface ClusterRolloverRequest {
  alias: string;
  newIndex?: string;
  body?: string;
  params: Partial<Record<RolloverParam, string>>;
}

/** What the cluster keeps of a rollover in the old index's metadata (`rollover_info`). */
export interface ClusterRolloverInfo {
  /** Met conditions by name, with the value given: `{"max_docs": 1000}`. */
  met_conditions: Record<string, string | number>;
  /** Epoch milliseconds. */
  time: number;
}

/** What the rollover needs from the cluster: its own `_rollover`, and what it remembers of one. */
export interface RolloverCluster {
  rollover(request: ClusterRolloverRequest): Promise<ClusterReply>;
  /** The index's `rollover_info` by alias; `{}` when it never rolled over or does not exist. */
  rolloverInfo(index: string): Promise<Record<string, ClusterRolloverInfo>>;
}

export const ROLLOVER_REQUEST_TIMEOUT_MS = 25_000;
const ALL_STATUSES = Array.from({ length: 500 }, (_, i) => i + 100);

/** Path segments are sent encoded: date math (`<logs-{now/d}-000001>`) contains `/` and braces. */
export const rolloverPath = (alias: string, newIndex?: string): string =>
  `/${encodeURIComponent(alias)}/_rollover${newIndex === undefined ? '' : `/${encodeURIComponent(newIndex)}`}`;

export class OpenSearchRolloverCluster implements RolloverCluster {
  constructor(private readonly client: () => Promise<Client>) {}

  async rollover(request: ClusterRolloverRequest): Promise<ClusterReply> {
    const client = await this.client();
    const querystring = new URLSearchParams(
      Object.entries(request.params).filter((e): e is [string, string] => e[1] !== undefined),
    ).toString();
    const response = await client.transport.request(
      {
        method: 'POST',
        path: rolloverPath(request.alias, request.newIndex),
        querystring: querystring || undefined,
        body: request.body,
      },
      // Never retried by the client: a rollover whose answer was lost may have happened, and a
      // second one would roll over again. The time limit stays under API Gateway's 30 s, so a
      // slow cluster gets our explicit "may have happened" answer, not a gateway timeout.
      { ignore: ALL_STATUSES, maxRetries: 0, requestTimeout: ROLLOVER_REQUEST_TIMEOUT_MS },
    );
    return { status: response.statusCode ?? 502, body: response.body };
  }

  async rolloverInfo(index: string): Promise<Record<string, ClusterRolloverInfo>> {
    const client = await this.client();
    const response = await client.transport.request(
      {
        method: 'GET',
        path: `/_cluster/state/metadata/${encodeURIComponent(index)}`,
        querystring: 'filter_path=metadata.indices.*.rollover_info',
      },
      { ignore: [404] },
    );
    const body = response.body as {
      metadata?: { indices?: Record<string, { rollover_info?: Record<string, ClusterRolloverInfo> }> };
    };
    return body.metadata?.indices?.[index]?.rollover_info ?? {};
  }
}
