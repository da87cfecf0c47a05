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

/** The one thing the rollover needs from the cluster: its own `_rollover`. */
export interface RolloverCluster {
  rollover(request: ClusterRolloverRequest): Promise<ClusterReply>;
}

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
      // second one would roll over again.
      { ignore: ALL_STATUSES, maxRetries: 0 },
    );
    return { status: response.statusCode ?? 502, body: response.body };
  }
}
