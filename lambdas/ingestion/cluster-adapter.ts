import type { Client } from '@opensearch-project/opensearch';
import { OpenSearchError, type ErrorMetadata } from '../shared/errors';
import type { HandoverCluster } from './handover';
import type { BulkItemResult, IngestCluster } from './poller';
import type { NodePlugins } from './native';
import type { IndexResolver, ResolvedIndex } from './service';

/**
 * The ingestion feature's calls to the cluster, through the one cluster client: `_bulk` for the
 * poller, index creation and resolution for the API.
 */
export interface ClusterReply {
  readonly status: number;
  readonly body: unknown;
}

interface ErrorBody {
  error?: { type?: string; reason?: string; [k: string]: unknown } | string;
  status?: number;
}

/** The cluster's own error, as an envelope of ours (same status, type, reason, index). */
export const clusterError = (reply: ClusterReply): OpenSearchError => {
  const body = reply.body as ErrorBody;
  const e = typeof body?.error === 'object' ? body.error : undefined;
  const metadata: ErrorMetadata = {};
  for (const k of ['index', 'index_uuid', 'resource.type', 'resource.id']) {
    const v = e?.[k];
    if (typeof v === 'string') metadata[k] = v;
  }
  return new OpenSearchError(
    reply.status,
    e?.type ?? 'exception',
    e?.reason ?? (typeof body?.error === 'string' ? body.error : `the cluster answered ${reply.status}`),
    metadata,
  );
};

export class IngestionClusterAdapter implements IngestCluster, IndexResolver, HandoverCluster {
  constructor(private readonly client: () => Promise<Client>) {}

  private async call(
    method: string,
    path: string,
    body?: unknown,
    querystring?: Record<string, string>,
  ): Promise<ClusterReply> {
    const client = await this.client();
    const res = await client.transport.request(
      { method, path, body: body as Record<string, unknown> | undefined, querystring },
      { ignore: Array.from({ length: 500 }, (_, i) => i + 100) },
    );
    return { status: res.statusCode ?? 502, body: res.body };
  }

  async bulk(lines: unknown[]): Promise<BulkItemResult[]> {
    const client = await this.client();
    // Only what the poller reads of each item: the cluster writes and we parse a tenth as much.
    const res = await client.bulk({
      body: lines as Record<string, unknown>[],
      filter_path: 'items.*.status,items.*.error.type,items.*.error.reason',
    });
    const items = (res.body.items ?? []) as Record<
      string,
      { status: number; error?: { type?: string; reason?: string } }
    >[];
    return items.map((item) => {
      const r = Object.values(item)[0];
      return { status: r.status, errorType: r.error?.type, reason: r.error?.reason };
    });
  }

  async indexExists(index: string): Promise<boolean> {
    const reply = await this.call('HEAD', `/${encodeURIComponent(index)}`);
    if (reply.status === 200) return true;
    if (reply.status === 404) return false;
    throw new Error(`cannot tell whether index [${index}] exists: ${reply.status}`);
  }

  async createIndex(
    index: string,
    body: unknown,
    querystring: Record<string, string>,
  ): Promise<ClusterReply> {
    return this.call('PUT', `/${encodeURIComponent(index)}`, body, querystring);
  }

  async deleteIndex(index: string): Promise<void> {
    await this.call('DELETE', `/${encodeURIComponent(index)}`);
  }

  /**
   * One `_routing` value per shard that the cluster sends to that shard, found by asking it
   * (`_search_shards?routing=`) rather than re-implementing its hash: stream shard i must feed
   * index shard i. A one-shard index needs none.
   */
  async shardRoutings(index: string, shards: number): Promise<(string | undefined)[]> {
    if (shards <= 1) return [undefined];
    const found: (string | undefined)[] = Array.from({ length: shards }, () => undefined);
    let missing = shards;
    for (let candidate = 0; missing > 0; candidate++) {
      if (candidate > shards * 64) throw new Error(`no routing value found for every shard of [${index}]`);
      const reply = await this.call('GET', `/${encodeURIComponent(index)}/_search_shards`, undefined, {
        routing: String(candidate),
      });
      if (reply.status >= 400) throw clusterError(reply);
      const shard = (reply.body as { shards: { shard: number }[][] }).shards[0][0].shard;
      if (found[shard] === undefined) {
        found[shard] = String(candidate);
        missing--;
      }
    }
    return found;
  }

  async shardCount(index: string): Promise<number | undefined> {
    const reply = await this.call('GET', `/${encodeURIComponent(index)}/_settings/index.number_of_shards`);
    if (reply.status === 404) return undefined;
    if (reply.status >= 400) throw clusterError(reply);
    const body = reply.body as Record<string, { settings: { index: { number_of_shards: string } } }>;
    const found = body[index] ?? Object.values(body)[0];
    return found ? Number(found.settings.index.number_of_shards) : undefined;
  }

  async rolledOver(index: string, alias: string): Promise<boolean> {
    const reply = await this.call('GET', `/_cluster/state/metadata/${encodeURIComponent(index)}`, undefined, {
      filter_path: 'metadata.indices.*.rollover_info',
    });
    if (reply.status === 404) return false;
    if (reply.status >= 400) throw clusterError(reply);
    const body = reply.body as {
      metadata?: { indices?: Record<string, { rollover_info?: Record<string, unknown> }> };
    };
    return body.metadata?.indices?.[index]?.rollover_info?.[alias] !== undefined;
  }

  async writeIndex(alias: string): Promise<string | undefined> {
    const reply = await this.call('GET', `/_alias/${encodeURIComponent(alias)}`);
    if (reply.status === 404) return undefined;
    if (reply.status >= 400) throw clusterError(reply);
    const entries = Object.entries(
      reply.body as Record<string, { aliases: Record<string, { is_write_index?: boolean }> }>,
    );
    const write = entries.find(([, v]) => v.aliases[alias]?.is_write_index === true);
    return write?.[0] ?? (entries.length === 1 ? entries[0][0] : undefined);
  }

  async resolve(
    expression: string,
    options: Readonly<Record<string, string | undefined>>,
  ): Promise<ResolvedIndex[]> {
    const query: Record<string, string> = {};
    for (const k of ['ignore_unavailable', 'allow_no_indices', 'expand_wildcards']) {
      const v = options[k];
      if (v !== undefined) query[k] = v;
    }
    // The ingestion source tells indices the cluster ingests itself (native mode) from ours.
    const reply = await this.call(
      'GET',
      `/${expression.split(',').map(encodeURIComponent).join(',')}/_settings/index.number_of_shards,index.ingestion_source.type,index.uuid`,
      undefined,
      query,
    );
    if (reply.status >= 400) throw clusterError(reply);
    return Object.entries(
      reply.body as Record<
        string,
        {
          settings: {
            index: { number_of_shards: string; uuid?: string; ingestion_source?: { type?: string } };
          };
        }
      >,
    ).map(([name, v]) => {
      const nativeSource = v.settings.index.ingestion_source?.type;
      return {
        name,
        shards: Number(v.settings.index.number_of_shards),
        ...(v.settings.index.uuid ? { uuid: v.settings.index.uuid } : {}),
        ...(nativeSource ? { nativeSource } : {}),
      };
    });
  }

  /** The plugins of every node (`_nodes/plugins`), to tell whether the cluster can ingest natively. */
  async nodePlugins(): Promise<NodePlugins[]> {
    const reply = await this.call('GET', '/_nodes/plugins', undefined, {
      filter_path: 'nodes.*.name,nodes.*.plugins.name',
    });
    if (reply.status >= 400) throw clusterError(reply);
    const nodes = (reply.body as { nodes?: Record<string, { name?: string; plugins?: { name: string }[] }> })
      .nodes;
    return Object.entries(nodes ?? {}).map(([id, n]) => ({
      node: n.name ?? id,
      plugins: (n.plugins ?? []).map((p) => p.name),
    }));
  }

  /** A request the cluster answers itself (an index it ingests natively), as it answered. */
  async forward(
    method: string,
    path: string,
    query: Readonly<Record<string, string | undefined>>,
    body?: unknown,
  ): Promise<ClusterReply> {
    const querystring: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) if (v !== undefined && k !== 'pretty') querystring[k] = v;
    return this.call(method, path, body, querystring);
  }

  /**
   * Aliases through which a write lands on one of `indices`: each alias of theirs with its write
   * index, or its only index (an alias of several indices without a write index takes no writes).
   */
  async writeAliases(indices: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (indices.length === 0) return out;
    type Aliases = Record<string, { aliases?: Record<string, { is_write_index?: boolean }> }>;
    const ours = await this.call('GET', `/${indices.map(encodeURIComponent).join(',')}/_alias`, undefined, {
      ignore_unavailable: 'true',
    });
    if (ours.status >= 400) throw clusterError(ours);
    const names = [
      ...new Set(Object.values(ours.body as Aliases).flatMap((e) => Object.keys(e.aliases ?? {}))),
    ];
    if (names.length === 0) return out;
    const all = await this.call('GET', `/_alias/${names.map(encodeURIComponent).join(',')}`);
    if (all.status >= 400) throw clusterError(all);
    const members = new Map<string, { index: string; write?: boolean }[]>();
    for (const [index, entry] of Object.entries(all.body as Aliases)) {
      for (const [alias, a] of Object.entries(entry.aliases ?? {})) {
        members.set(alias, [...(members.get(alias) ?? []), { index, write: a.is_write_index }]);
      }
    }
    for (const [alias, list] of members) {
      const target = list.find((m) => m.write === true) ?? (list.length === 1 ? list[0] : undefined);
      if (target && indices.includes(target.index)) out.set(alias, target.index);
    }
    return out;
  }

  /** uuid, shard count and routing_num_shards of each existing index of `indices`. */
  async indexFacts(
    indices: readonly string[],
  ): Promise<Map<string, { uuid: string; shards: number; routingShards: number }>> {
    // No names would mean every index of the cluster.
    if (indices.length === 0) return new Map();
    const reply = await this.call(
      'GET',
      `/_cluster/state/metadata/${indices.map(encodeURIComponent).join(',')}`,
      undefined,
      {
        filter_path:
          'metadata.indices.*.routing_num_shards,metadata.indices.*.settings.index.number_of_shards,metadata.indices.*.settings.index.uuid',
      },
    );
    if (reply.status >= 400) throw clusterError(reply);
    type Meta = {
      routing_num_shards: number;
      settings: { index: { number_of_shards: string; uuid: string } };
    };
    const found = (reply.body as { metadata?: { indices?: Record<string, Meta> } }).metadata?.indices ?? {};
    return new Map(
      Object.entries(found).map(([name, m]) => [
        name,
        {
          uuid: m.settings.index.uuid,
          shards: Number(m.settings.index.number_of_shards),
          routingShards: Number(m.routing_num_shards),
        },
      ]),
    );
  }

  /** Documents by index, id and routing, read in real time (`_mget`). */
  async documents(
    docs: readonly { index: string; id: string; routing?: string }[],
  ): Promise<{ found: boolean; source?: Record<string, unknown> }[]> {
    if (docs.length === 0) return [];
    const reply = await this.call('POST', '/_mget', {
      docs: docs.map((d) => ({
        _index: d.index,
        _id: d.id,
        ...(d.routing !== undefined ? { routing: d.routing } : {}),
      })),
    });
    if (reply.status >= 400) throw clusterError(reply);
    const found = (reply.body as { docs: { found?: boolean; _source?: Record<string, unknown> }[] }).docs;
    return found.map((d) => ({ found: d.found === true, source: d._source }));
  }

  /** A request with a text body (NDJSON), answered as the cluster answers it. */
  async sendText(
    method: string,
    path: string,
    querystring: string | undefined,
    body: string,
    contentType: string,
  ): Promise<ClusterReply> {
    const client = await this.client();
    const res = await client.transport.request(
      { method, path, querystring, body },
      {
        ignore: Array.from({ length: 500 }, (_, i) => i + 100),
        headers: { 'content-type': contentType },
        maxRetries: 0,
      },
    );
    return { status: res.statusCode ?? 502, body: res.body };
  }

  /** The concrete indices of an expression, or undefined when the cluster refuses it. */
  async resolveNames(expression: string, options: Record<string, string>): Promise<string[] | undefined> {
    const reply = await this.call(
      'GET',
      `/${encodeURIComponent(expression)}/_settings/index.uuid`,
      undefined,
      options,
    );
    if (reply.status !== 200) return undefined;
    return Object.keys(reply.body as Record<string, unknown>);
  }

  /** The first `size` matching documents of `indices` in index order, and how many match in all. */
  async searchIds(
    indices: readonly string[],
    params: Record<string, string>,
    query: unknown,
    size: number,
  ): Promise<{ total: number; hits: { index: string; id: string }[] }> {
    const reply = await this.call(
      'POST',
      `/${indices.map(encodeURIComponent).join(',')}/_search`,
      {
        ...(query !== undefined ? { query } : {}),
        size,
        _source: false,
        sort: ['_doc'],
        track_total_hits: true,
      },
      params,
    );
    if (reply.status >= 400) throw clusterError(reply);
    const hits = (
      reply.body as { hits: { total: { value: number }; hits: { _index: string; _id: string }[] } }
    ).hits;
    return { total: hits.total.value, hits: hits.hits.map((h) => ({ index: h._index, id: h._id })) };
  }
}
