import type { Client } from '@opensearch-project/opensearch';
import { isRetryableClusterError } from '../../shared/cluster';
import type { JobContext, JobFunction, JobOutcome } from '../../shared/jobs/run-due';
import {
  dateHistogramOf,
  ZERO_STATS,
  type RollupJob,
  type RollupMetadata,
  type RollupRunState,
} from '../job/model';
import { bucketStart, nextBucketStart } from '../job/intervals';
import { nextRunTime } from '../job/schedule';
import { newMetadataId, type RollupService } from '../rollup-service';
import {
  bucketsToDocuments,
  compositeSearchBody,
  keyKinds,
  type CompositeResult,
  type RollupDocument,
} from './composite';
import { errorReason, prepareTarget, validateSource } from './indices';

/**
 * One run of one rollup job (RollupRunner.runJob), as a job-store work function: the job's
 * metadata is the job-store state, and every page is checkpointed after its bulk write, so a run
 * that is cut off (timeout, crash) resumes from the last written page. Re-writing a page is
 * harmless: document ids are deterministic.
 */
export interface RunnerDeps {
  readonly service: RollupService;
  readonly client: () => Promise<Client>;
  /** Test hook: called after a page's bulk write, before its checkpoint and after it. */
  readonly onPage?: (event: {
    jobId: string;
    page: number;
    phase: 'written' | 'checkpointed';
  }) => void | Promise<void>;
}

/** Time kept for one more page: the run hands over to the next invocation below it. */
const MIN_PAGE_BUDGET_MS = 5_000;
/** The plugin retries a failed search 5 times, halving the page size each time. */
const SEARCH_RETRIES = 5;

/** RollupRunner.shouldProcessRollup */
export const shouldProcess = (job: RollupJob, m: RollupMetadata | null, now: number): boolean => {
  if (!job.enabled) return false;
  if (!m) return true;
  if (m.status === 'retry') return true;
  if (m.status === 'stopped' || m.status === 'failed') return false;
  if (m.after_key) return true;
  if (!job.continuous) return m.status === 'init' || m.status === 'started';
  if (!m.continuous) return true;
  return now > m.continuous.next_window_end_time + (job.delay ?? 0);
};

const failed = (m: RollupMetadata, reason: string, now: number): RollupMetadata => ({
  ...m,
  status: 'failed',
  failure_reason: reason,
  last_updated_time: now,
});

export const rollupWork =
  (deps: RunnerDeps): JobFunction<RollupRunState> =>
  async (ctx) => {
    const doc = await deps.service.jobs.get(ctx.record.id);
    if (!doc) return 'delete';
    return runJob(deps, ctx, doc.source);
  };

const runJob = async (
  deps: RunnerDeps,
  ctx: JobContext<RollupRunState>,
  job: RollupJob,
): Promise<JobOutcome<RollupRunState>> => {
  let state = ctx.record.state;
  const now = ctx.now();
  const client = await deps.client();
  const next = (): number => nextRunTime(job, ctx.now());

  if (!job.enabled) return { state, dueAt: null };

  const finish = async (s: RollupRunState): Promise<JobOutcome<RollupRunState>> => {
    const status = s.metadata?.status;
    // A one-shot job that is done (or a job that failed) is disabled, as in the plugin.
    if (status === 'failed' || status === 'stopped' || (!job.continuous && status === 'finished')) {
      await deps.service.disable(job.rollup_id);
      return { state: s, dueAt: null };
    }
    return { state: s, dueAt: next() };
  };

  const failWith = async (reason: string): Promise<JobOutcome<RollupRunState>> => {
    const base: RollupMetadata = state.metadata ?? {
      rollup_id: job.rollup_id,
      last_updated_time: now,
      status: 'failed',
      failure_reason: null,
      stats: { ...ZERO_STATS },
    };
    const metadataId = state.metadata_id ?? newMetadataId();
    if (!state.metadata_id) await deps.service.setMetadataId(job.rollup_id, metadataId);
    return finish({ metadata_id: metadataId, metadata: failed(base, reason, ctx.now()) });
  };

  const source = await validateSource(client, job);
  if (!shouldProcess(job, state.metadata, now)) {
    if (!source.ok) return failWith(source.reason);
    return finish(state);
  }
  if (!source.ok) return failWith(source.reason);

  // Metadata: created on the first run; `retry` becomes `started`.
  let m = state.metadata;
  if (!m) {
    let continuous: RollupMetadata['continuous'];
    if (job.continuous) {
      const start = await earliestTimestamp(client, job);
      // No source documents yet: no metadata, try again next run.
      if (start === undefined) return { state, dueAt: next() };
      const interval = dateHistogramOf(job);
      const windowStart = bucketStart(interval, start);
      continuous = {
        next_window_start_time: windowStart,
        next_window_end_time: nextBucketStart(interval, windowStart),
      };
    }
    m = {
      rollup_id: job.rollup_id,
      last_updated_time: now,
      ...(continuous ? { continuous } : {}),
      status: 'init',
      failure_reason: null,
      stats: { ...ZERO_STATS },
    };
    const metadataId = state.metadata_id ?? newMetadataId();
    if (job.metadata_id !== metadataId) await deps.service.setMetadataId(job.rollup_id, metadataId);
    state = { metadata_id: metadataId, metadata: m };
  } else if (m.status === 'retry') {
    m = { ...m, status: 'started', failure_reason: null };
    state = { ...state, metadata: m };
  }

  const target = await prepareTarget(client, job);
  if (!target.ok) return failWith(target.reason);
  state = (await ctx.checkpoint(state)).state;

  const kinds = keyKinds(job, source.fieldTypes);
  let page = 0;
  let lastPageMs = 0;
  // The next page's search runs while this page is written: its after_key is known as soon as
  // this page's search answers. Pages are still written and checkpointed strictly in order.
  let prefetched: Promise<SearchOutcome> | undefined;
  try {
    while (shouldProcess(job, state.metadata, ctx.now())) {
      // Not enough time for another page: hand over to the next invocation at once.
      if (ctx.remainingMs() < Math.max(MIN_PAGE_BUDGET_MS, 2 * lastPageMs))
        return { state, dueAt: ctx.now() };
      const pageStarted = Date.now();
      const current = state.metadata as RollupMetadata;
      const outcome = await (prefetched ?? search(client, job, current));
      prefetched = undefined;
      if ('error' in outcome) return await failWith(errorReason(outcome.error));
      const result = outcome;
      const docs = bucketsToDocuments(job, result.composite, kinds);
      const provisional = advance(job, current, result, docs.length, 0, ctx.now());
      if (shouldProcess(job, provisional, ctx.now())) prefetched = search(client, job, provisional);
      let indexTook: number;
      try {
        indexTook = await bulkWrite(client, target.index, docs, job);
      } catch (e) {
        return await failWith(errorReason(e));
      }
      page++;
      await deps.onPage?.({ jobId: job.rollup_id, page, phase: 'written' });
      state = { ...state, metadata: advance(job, current, result, docs.length, indexTook, ctx.now()) };
      state = (await ctx.checkpoint(state)).state;
      await deps.onPage?.({ jobId: job.rollup_id, page, phase: 'checkpointed' });
      lastPageMs = Date.now() - pageStarted;
    }
  } finally {
    // A prefetched page that is not used (stop, budget, failure) is simply dropped.
    void prefetched?.catch(() => undefined);
  }
  return finish(state);
};

/** The metadata after one written page (RollupRunner's stats and window updates). */
const advance = (
  job: RollupJob,
  m: RollupMetadata,
  result: { composite: CompositeResult; took: number },
  indexed: number,
  indexTook: number,
  now: number,
): RollupMetadata => {
  const afterKey = result.composite.buckets.length > 0 ? result.composite.after_key : undefined;
  const stats = {
    pages_processed: m.stats.pages_processed + 1,
    documents_processed:
      m.stats.documents_processed + result.composite.buckets.reduce((n, b) => n + b.doc_count, 0),
    rollups_indexed: m.stats.rollups_indexed + indexed,
    index_time_in_millis: m.stats.index_time_in_millis + indexTook,
    search_time_in_millis: m.stats.search_time_in_millis + result.took,
  };
  let continuous = m.continuous;
  let status: RollupMetadata['status'] = afterKey ? 'started' : 'finished';
  if (job.continuous) {
    status = 'started';
    // The window is done: move to the next bucket.
    if (!afterKey && continuous) {
      const interval = dateHistogramOf(job);
      continuous = {
        next_window_start_time: continuous.next_window_end_time,
        next_window_end_time: nextBucketStart(interval, continuous.next_window_end_time),
      };
    }
  }
  const { after_key: _previous, continuous: _window, ...rest } = m;
  void _previous;
  void _window;
  return {
    ...rest,
    rollup_id: m.rollup_id,
    ...(afterKey ? { after_key: afterKey } : {}),
    last_updated_time: now,
    ...(continuous ? { continuous } : {}),
    status,
    failure_reason: null,
    stats,
  };
};

type SearchOutcome = { composite: CompositeResult; took: number } | { error: unknown };

/** A page's search, its failure kept as a value (a prefetched page may never be awaited). */
const search = (client: Client, job: RollupJob, m: RollupMetadata): Promise<SearchOutcome> =>
  searchPage(client, job, m).catch((error: unknown) => ({ error }));

const searchPage = async (
  client: Client,
  job: RollupJob,
  m: RollupMetadata,
): Promise<{ composite: CompositeResult; took: number }> => {
  for (let attempt = 0; ; attempt++) {
    const pageSize = Math.max(1, Math.floor(job.page_size / 2 ** attempt));
    try {
      const res = await client.search({
        index: job.source_index,
        allow_partial_search_results: false,
        body: compositeSearchBody(job, m, pageSize) as never,
      });
      const body = res.body as unknown as { took: number; aggregations: Record<string, CompositeResult> };
      return { composite: body.aggregations[job.rollup_id], took: body.took };
    } catch (e) {
      if (!isRetryableClusterError(e) || attempt >= SEARCH_RETRIES) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
};

/** Documents per bulk request: a page is written as several requests at once, which the
 * cluster indexes on several write threads (one request is one thread per shard). */
const BULK_CHUNK = 1000;

/** Bulk-indexes a page; only 429 items are retried, any other failure fails the run. */
const bulkWrite = async (
  client: Client,
  index: string,
  docs: RollupDocument[],
  job: RollupJob,
): Promise<number> => {
  const chunks: RollupDocument[][] = [];
  for (let i = 0; i < docs.length; i += BULK_CHUNK) chunks.push(docs.slice(i, i + BULK_CHUNK));
  const took = await Promise.all(chunks.map((chunk) => bulkChunk(client, index, chunk, job)));
  // The bulks ran side by side: the page took as long as the slowest.
  return took.length === 0 ? 0 : Math.max(...took);
};

const bulkChunk = async (
  client: Client,
  index: string,
  docs: RollupDocument[],
  job: RollupJob,
): Promise<number> => {
  let pending = docs;
  let took = 0;
  const routingDim = job.routing_field;
  for (let attempt = 0; pending.length > 0; attempt++) {
    const lines: string[] = [];
    for (const d of pending) {
      const routing = routingDim ? routingOf(d, routingDim) : undefined;
      lines.push(
        JSON.stringify({ index: { _index: index, _id: d._id, ...(routing ? { routing } : {}) } }),
        d.json,
      );
    }
    const res = await client.bulk({ body: `${lines.join('\n')}\n` as never });
    const body = res.body as unknown as {
      took: number;
      errors: boolean;
      items: { index: { status: number; error?: { type: string; reason: string } } }[];
    };
    took += body.took;
    if (!body.errors) return took;
    const retry: RollupDocument[] = [];
    for (const [i, item] of body.items.entries()) {
      if (!item.index.error) continue;
      if (item.index.status === 429 && attempt < 5) retry.push(pending[i]);
      else throw new Error(item.index.error.reason);
    }
    pending = retry;
    if (pending.length > 0) await new Promise((r) => setTimeout(r, 1000));
  }
  return took;
};

const routingOf = (d: RollupDocument, field: string): string | undefined => {
  const value = (JSON.parse(d.json) as Record<string, unknown>)[`${field}.terms`];
  return value === null || value === undefined ? undefined : String(value);
};

/** The first source timestamp (RollupMetadataService.getInitialStartTime). */
const earliestTimestamp = async (client: Client, job: RollupJob): Promise<number | undefined> => {
  const field = dateHistogramOf(job).source_field;
  const res = await client.search({
    index: job.source_index,
    body: {
      size: 1,
      query: { exists: { field } },
      sort: [{ [field]: { order: 'asc' } }],
      _source: false,
      docvalue_fields: [{ field, format: 'epoch_millis' }],
    } as never,
  });
  const hit = (res.body as unknown as { hits: { hits: { fields?: Record<string, unknown[]> }[] } }).hits
    .hits[0];
  const value = hit?.fields?.[field]?.[0];
  return value === undefined ? undefined : Number(value);
};
