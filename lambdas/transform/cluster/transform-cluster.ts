import type { Client } from '@opensearch-project/opensearch';
import { errors } from '@opensearch-project/opensearch';
import { isRetryableClusterError } from '../../shared/cluster';
import type { JsonObject } from '../../shared/xcontent';
import type { TransformJob } from '../job/model';
import type { CompositeResult } from '../runner/documents';
import type { SourceMappings } from './validate';

/**
 * What transforms ask of the cluster, over the one cluster client (lambdas/shared/cluster.ts):
 * the source's mappings, its shards' global checkpoints, a composite page of buckets, the target
 * index and bulk writes. Typed answers; cluster errors stay the client's (retryable or not by
 * `isRetryableClusterError`).
 */
export interface CompositePageRequest {
  readonly pageSize: number;
  readonly afterKey?: Record<string, unknown>;
  /** Replaces the job's query (a continuous run's modified buckets or new documents). */
  readonly query?: JsonObject;
  /** Without the job's aggregations: only the buckets' keys (a continuous run's changed buckets). */
  readonly keysOnly?: boolean;
  /** One shard of one index: `[index, shard]`. */
  readonly shard?: readonly [string, number];
}

export interface CompositePage {
  readonly composite: CompositeResult;
  /** The search's `took`. */
  readonly took: number;
}

export interface BulkOutcome {
  readonly took: number;
  /** The first failed item's error (items answered 429 are retried first). */
  readonly failure?: { type: string; reason: string };
}

export interface TransformCluster {
  /** Concrete source indices (open or closed, lenient) and their mappings; `{}` when none. */
  sourceMappings(sourceIndex: string): Promise<SourceMappings>;
  /** `[<index>][<shard>]` → the primary's global checkpoint, for every shard of the source. */
  globalCheckpoints(sourceIndex: string): Promise<Record<string, number>>;
  compositePage(job: TransformJob, request: CompositePageRequest): Promise<CompositePage>;
  indexExists(index: string): Promise<boolean>;
  /** Whether any document of the index matches the query (the cheapest search that can tell). */
  hasDocuments(index: string, query: JsonObject): Promise<boolean>;
  /** Creates the index with this mapping; an index created meanwhile by someone else is fine. */
  createIndex(index: string, mappings: JsonObject): Promise<void>;
  /** `index` actions with these ids and sources; no `routing`. */
  bulkIndex(index: string, docs: readonly { id: string; json: string }[]): Promise<BulkOutcome>;
}

/** The composite aggregation's name in a transform's searches. */
const COMPOSITE = 'transform';

/** TransformSearchService.getSearchServiceRequest: each group a source named by its target field. */
export const compositeSources = (job: TransformJob): JsonObject[] =>
  job.groups.map((g) => {
    if ('date_histogram' in g) {
      const h = g.date_histogram;
      return {
        [h.target_field]: {
          date_histogram: {
            field: h.source_field,
            ...(h.fixed_interval !== undefined
              ? { fixed_interval: h.fixed_interval }
              : { calendar_interval: h.calendar_interval as string }),
            time_zone: h.timezone,
            ...(h.format ? { format: h.format } : {}),
            missing_bucket: true,
          },
        },
      };
    }
    if ('terms' in g) {
      return { [g.terms.target_field]: { terms: { field: g.terms.source_field, missing_bucket: true } } };
    }
    return {
      [g.histogram.target_field]: {
        histogram: { field: g.histogram.source_field, interval: g.histogram.interval, missing_bucket: true },
      },
    };
  });

export const compositeSearchBody = (job: TransformJob, request: CompositePageRequest): JsonObject => ({
  size: 0,
  track_total_hits: false,
  query: request.query ?? job.data_selection_query,
  aggregations: {
    [COMPOSITE]: {
      composite: {
        size: request.pageSize,
        sources: compositeSources(job),
        ...(request.afterKey ? { after: request.afterKey as JsonObject } : {}),
      },
      ...(request.keysOnly || Object.keys(job.aggregations).length === 0
        ? {}
        : { aggregations: job.aggregations }),
    },
  },
});

const isNotFound = (e: unknown): boolean => e instanceof errors.ResponseError && e.statusCode === 404;

type ShardCopy = {
  routing?: { primary?: boolean; state?: string };
  seq_no?: { global_checkpoint?: number };
};

/** Bulk items the cluster answered 429 for are sent again, at most this often. */
const BULK_RETRIES = 5;

export const clusterTransforms = (client: Client): TransformCluster => ({
  async sourceMappings(sourceIndex) {
    try {
      const res = await client.indices.getMapping({
        index: sourceIndex,
        ignore_unavailable: true,
        allow_no_indices: true,
        expand_wildcards: 'open,closed',
      } as never);
      const body = res.body as unknown as Record<string, { mappings?: SourceMappings[string] }>;
      const out: SourceMappings = {};
      for (const [index, v] of Object.entries(body)) out[index] = v.mappings ?? {};
      return out;
    } catch (e) {
      if (isNotFound(e)) return {};
      throw e;
    }
  },

  async globalCheckpoints(sourceIndex) {
    const res = await client.indices.stats({ index: sourceIndex, level: 'shards', metric: 'docs' } as never);
    const indices = (
      res.body as unknown as { indices?: Record<string, { shards?: Record<string, ShardCopy[]> }> }
    ).indices;
    const out: Record<string, number> = {};
    for (const [index, stats] of Object.entries(indices ?? {})) {
      for (const [shard, copies] of Object.entries(stats.shards ?? {})) {
        const primary = copies.find((c) => c.routing?.primary && c.routing.state === 'STARTED');
        if (primary) out[`[${index}][${shard}]`] = primary.seq_no?.global_checkpoint ?? -2;
      }
    }
    return out;
  },

  async compositePage(job, request) {
    const res = await client.search({
      index: request.shard ? request.shard[0] : job.source_index,
      allow_partial_search_results: false,
      request_cache: false,
      ...(request.shard ? { preference: `_shards:${request.shard[1]}` } : {}),
      filter_path: 'took,aggregations',
      body: compositeSearchBody(job, request) as never,
    } as never);
    const body = res.body as unknown as { took: number; aggregations?: Record<string, CompositeResult> };
    return { composite: body.aggregations?.[COMPOSITE] ?? { buckets: [] }, took: body.took };
  },

  async indexExists(index) {
    const res = await client.indices.exists({ index });
    return res.body === true;
  },

  async hasDocuments(index, query) {
    const res = await client.search({
      index,
      filter_path: 'hits.total',
      body: { size: 0, terminate_after: 1, track_total_hits: true, query } as never,
    });
    return ((res.body as unknown as { hits?: { total?: { value?: number } } }).hits?.total?.value ?? 0) > 0;
  },

  async createIndex(index, mappings) {
    try {
      await client.indices.create({ index, body: { mappings } as never });
    } catch (e) {
      const type = (e as { meta?: { body?: { error?: { type?: string } } } }).meta?.body?.error?.type;
      if (!(e instanceof errors.ResponseError && type === 'resource_already_exists_exception')) throw e;
    }
  },

  async bulkIndex(index, docs) {
    let pending = docs;
    let took = 0;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const body = pending.map((d) => `{"index":{"_id":${JSON.stringify(d.id)}}}\n${d.json}\n`).join('');
      const res = await client.bulk({
        index,
        body: body as never,
        filter_path: 'took,errors,items.*.status,items.*.error',
      });
      const answer = res.body as unknown as {
        took: number;
        errors: boolean;
        items?: { index: { status: number; error?: { type: string; reason: string } } }[];
      };
      took += answer.took;
      if (!answer.errors) return { took };
      const retry: (typeof docs)[number][] = [];
      for (const [i, item] of (answer.items ?? []).entries()) {
        if (!item.index.error) continue;
        if (item.index.status === 429 && attempt < BULK_RETRIES) retry.push(pending[i]);
        else return { took, failure: item.index.error };
      }
      pending = retry;
      if (pending.length > 0) await new Promise((r) => setTimeout(r, 1000));
    }
    return { took };
  },
});

/** Retries a cluster call that failed with a retryable error (the plugin's 5 × 1 s backoff). */
export const withRetries = async <T>(call: (attempt: number) => Promise<T>, retries = 5): Promise<T> => {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(attempt);
    } catch (e) {
      if (!isRetryableClusterError(e) || attempt >= retries) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
};
