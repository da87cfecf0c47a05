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
  forEachDocument,
  compositeSearchBody,
  documentPlan,
  keyKinds,
  type CompositeResult,
} from './composite';
import { errorReason, prepareTarget, validateSource } from './indices';

/**
 * One run of one rollup job (RollupRunner.runJob), as a job-store work function: the job's
 * metadata is the job-store state. Pages are written strictly in order, and a checkpoint only
 * ever holds the after-key of a page whose bulk write the cluster acknowledged, so a run that is
 * cut off (timeout, crash) resumes after the last checkpointed page. Checkpoints are taken every
 * `checkpointEveryMs` (and after the last page), not after every page: redoing the few pages
 * since the last one is harmless, as document ids are deterministic.
 */
export interface RunnerDeps {
  readonly service: RollupService;
  readonly client: () => Promise<Client>;
  /** Test hook: called after a page's bulk write, and after a checkpoint that covers the page. */
  readonly onPage?: (event: {
    jobId: string;
    page: number;
    phase: 'written' | 'checkpointed';
  }) => void | Promise<void>;
  /** Least time between two checkpoints of a run; 0 checkpoints after every page. */
  readonly checkpointEveryMs?: number;
  /** Where the time of a run went, added up (the bench prints it). */
  readonly profile?: RunnerProfile;
}

export interface RunnerProfile {
  /** Waiting for a page's composite search (beyond what overlapped with the previous write). */
  searchWaitMs: number;
  /** Turning buckets into rollup documents (ids, JSON). */
  convertMs: number;
  /** Waiting for a page's bulk writes. */
  writeMs: number;
  /** Waiting for checkpoints (beyond what overlapped with the next page). */
  checkpointWaitMs: number;
  checkpoints: number;
  pages: number;
}

export const newRunnerProfile = (): RunnerProfile => ({
  searchWaitMs: 0,
  convertMs: 0,
  writeMs: 0,
  checkpointWaitMs: 0,
  checkpoints: 0,
  pages: 0,
});

/** A job-store write per page costs about as much as a small page; a crash redoes at most this much work. */
const CHECKPOINT_EVERY_MS = 2_000;

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
    // A run that died with the target's refresh paused: put it back first.
    const paused = ctx.record.state.refresh_paused;
    if (paused) await resumeRefresh(await deps.client(), paused);
    if (!doc) return 'delete';
    const outcome = await runJob(deps, ctx, doc.source);
    if (outcome.state.refresh_paused === undefined) return outcome;
    const { refresh_paused: _paused, ...state } = outcome.state;
    void _paused;
    return { ...outcome, state };
  };

/**
 * A run of many pages does not let the target refresh every second meanwhile (each refresh is a
 * segment to write and merge later, which made the writes up to twice as slow): once a run has
 * more than one page to write, it pauses the periodic refresh of a target that has no
 * `refresh_interval` of its own, and when the run ends puts the default back and refreshes, so
 * that what it wrote is searchable. The pause is recorded in the checkpoint first, so that a run
 * that dies meanwhile is cleaned up by the next one.
 */
const hasOwnRefreshInterval = async (client: Client, index: string): Promise<boolean> => {
  const res = await client.indices.getSettings({ index, name: 'index.refresh_interval' } as never);
  return Object.values(
    res.body as unknown as Record<string, { settings?: { index?: { refresh_interval?: unknown } } }>,
  ).some((v) => v.settings?.index?.refresh_interval !== undefined);
};

const resumeRefresh = async (client: Client, index: string): Promise<void> => {
  await client.indices
    .putSettings({ index, body: { index: { refresh_interval: null } } } as never)
    .catch(() => undefined);
  await client.indices.refresh({ index }).catch(() => undefined);
};

const runJob = async (
  deps: RunnerDeps,
  ctx: JobContext<RollupRunState>,
  job: RollupJob,
): Promise<JobOutcome<RollupRunState>> => {
  let state: RollupRunState = {
    metadata_id: ctx.record.state.metadata_id,
    metadata: ctx.record.state.metadata,
  };
  const now = ctx.now();
  const client = await deps.client();
  const next = (): number | null => nextRunTime(job, ctx.now());

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
  // Rollup-on-rollup: the source's stored fields are read and re-aggregated.
  const fromRollup = source.sourceJob !== undefined;

  // Metadata: created on the first run; `retry` becomes `started`.
  let m = state.metadata;
  if (!m) {
    let continuous: RollupMetadata['continuous'];
    if (job.continuous) {
      const start = await earliestTimestamp(client, job, fromRollup);
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

  // The job as its document now reads, with the metadata id this run recorded on it.
  const target = await prepareTarget(client, { ...job, metadata_id: state.metadata_id });
  if (!target.ok) return failWith(target.reason);
  state = (await ctx.checkpoint(state)).state;

  const plan = documentPlan(job, keyKinds(job, source.fieldTypes));
  const profile = deps.profile;
  const checkpointEveryMs = deps.checkpointEveryMs ?? CHECKPOINT_EVERY_MS;
  const timed = async <T>(
    key: 'searchWaitMs' | 'writeMs' | 'checkpointWaitMs',
    p: Promise<T>,
  ): Promise<T> => {
    if (!profile) return p;
    const started = Date.now();
    try {
      return await p;
    } finally {
      profile[key] += Date.now() - started;
    }
  };
  let page = 0;
  let lastPageMs = 0;
  let written = 0;
  // The next page's search is sent as soon as this page's answer is in (its after_key is all it
  // needs), before this page is converted and written.
  let prefetched: Promise<SearchOutcome> | undefined;
  // Pages whose bulk writes are in flight, oldest first. They are acknowledged (and counted into
  // `state`) strictly in order, so `state` only ever covers pages the cluster acknowledged.
  const writing: { summary: PageSummary; took: Promise<WriteOutcome> }[] = [];
  // A checkpoint runs while the next pages are searched and written; the next one waits for it.
  let saving: Promise<void> | undefined;
  let lastSaved = Date.now();
  const settle = async (): Promise<void> => {
    const pending = saving;
    saving = undefined;
    if (pending) await timed('checkpointWaitMs', pending);
  };
  const save = async (s: RollupRunState, upTo: number): Promise<void> => {
    await settle();
    lastSaved = Date.now();
    saving = ctx.checkpoint(s).then(async () => {
      if (profile) profile.checkpoints++;
      await deps.onPage?.({ jobId: job.rollup_id, page: upTo, phase: 'checkpointed' });
    });
  };
  /**
   * Waits for the oldest page in flight; counts it into `state` and checkpoints when due. A
   * failed write is returned as its reason (the run fails with it).
   */
  const acknowledgeOldest = async (last: boolean): Promise<string | undefined> => {
    const w = writing.shift() as (typeof writing)[number];
    const outcome = await timed('writeMs', w.took);
    if ('error' in outcome) return errorReason(outcome.error);
    page++;
    written += w.summary.buckets;
    if (profile) profile.pages++;
    await deps.onPage?.({ jobId: job.rollup_id, page, phase: 'written' });
    // Only now, with the page acknowledged, may its after_key be saved.
    const metadata = advance(job, state.metadata as RollupMetadata, w.summary, outcome.took, ctx.now());
    state = { ...state, metadata };
    if (!last && page === 1 && !(await hasOwnRefreshInterval(client, target.index))) {
      state = { ...state, refresh_paused: target.index };
      await save(state, page);
      await settle();
      // Best effort: a cluster that refuses only costs the speed-up.
      await client.indices
        .putSettings({ index: target.index, body: { index: { refresh_interval: '-1' } } } as never)
        .catch(() => undefined);
    } else if (last || Date.now() - lastSaved >= checkpointEveryMs) await save(state, page);
    return undefined;
  };
  /** Acknowledges every page in flight, oldest first; the first failure's reason, if any. */
  const drain = async (last: boolean): Promise<string | undefined> => {
    while (writing.length > 0) {
      const reason = await acknowledgeOldest(last && writing.length === 1);
      if (reason !== undefined) return reason;
    }
    return undefined;
  };
  // Where the searches have got to: ahead of `state` by the pages in flight.
  let cursor = state.metadata as RollupMetadata;
  try {
    while (shouldProcess(job, cursor, ctx.now())) {
      // Not enough time for another page: hand over to the next invocation at once.
      if (ctx.remainingMs() < Math.max(MIN_PAGE_BUDGET_MS, 2 * lastPageMs)) {
        const reason = await drain(false);
        await settle();
        if (reason !== undefined) return await failWith(reason);
        return { state, dueAt: ctx.now() };
      }
      const pageStarted = Date.now();
      const outcome = await timed('searchWaitMs', prefetched ?? search(client, job, cursor, fromRollup));
      prefetched = undefined;
      if ('error' in outcome) {
        // The pages before it still count, or fail the run first.
        const reason = (await drain(false)) ?? errorReason(outcome.error);
        await settle();
        return await failWith(reason);
      }
      const summary = summarize(outcome);
      cursor = advance(job, cursor, summary, 0, ctx.now());
      const more = shouldProcess(job, cursor, ctx.now());
      if (more) prefetched = search(client, job, cursor, fromRollup);
      const converting = Date.now();
      const bodies = new BulkBodies(BULK_CHUNK);
      forEachDocument(job, plan, outcome.composite, (doc) => bodies.add(doc));
      if (profile) profile.convertMs += Date.now() - converting;
      // Room for this page's writes: the oldest page in flight must be acknowledged first.
      while (writing.length >= WRITE_DEPTH) {
        const reason = await acknowledgeOldest(false);
        if (reason !== undefined) {
          await settle();
          return await failWith(reason);
        }
      }
      writing.push({ summary, took: write(client, target.index, bodies.finish()) });
      if (!more) {
        const reason = await drain(true);
        if (reason !== undefined) {
          await settle();
          return await failWith(reason);
        }
      }
      lastPageMs = Date.now() - pageStarted;
    }
    // (Already drained after the last page; this only guards the loop's own exit.)
    const reason = await drain(true);
    await settle();
    if (reason !== undefined) return await failWith(reason);
  } finally {
    // A prefetched page that is not used (stop, budget, failure) is simply dropped.
    void prefetched?.catch(() => undefined);
    // Nor may writes still be running when the invocation ends.
    await Promise.all(writing.splice(0).map((w) => w.took));
    // A run that throws must not leave a checkpoint in flight: the worker saves the item next.
    if (saving) await saving.catch(() => undefined);
    if (state.refresh_paused) await resumeRefresh(client, state.refresh_paused);
    else if (written > 0) await client.indices.refresh({ index: target.index }).catch(() => undefined);
  }
  return finish(state);
};

/** What a page's metadata update needs of its search answer (the buckets themselves are not kept). */
interface PageSummary {
  readonly afterKey?: Record<string, unknown>;
  readonly buckets: number;
  /** Source documents in the page's buckets. */
  readonly documents: number;
  /** The search's `took`. */
  readonly took: number;
}

const summarize = (result: SearchResult): PageSummary => {
  const { buckets, after_key } = result.composite;
  return {
    ...(buckets.length > 0 && after_key ? { afterKey: after_key } : {}),
    buckets: buckets.length,
    documents: buckets.reduce((n, b) => n + b.doc_count, 0),
    took: result.took,
  };
};

/** The metadata after one written page (RollupRunner's stats and window updates). */
const advance = (
  job: RollupJob,
  m: RollupMetadata,
  page: PageSummary,
  indexTook: number,
  now: number,
): RollupMetadata => {
  const afterKey = page.afterKey;
  const stats = {
    pages_processed: m.stats.pages_processed + 1,
    documents_processed: m.stats.documents_processed + page.documents,
    rollups_indexed: m.stats.rollups_indexed + page.buckets,
    index_time_in_millis: m.stats.index_time_in_millis + indexTook,
    search_time_in_millis: m.stats.search_time_in_millis + page.took,
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

type SearchResult = { composite: CompositeResult; took: number };
type SearchOutcome = SearchResult | { error: unknown };
type WriteOutcome = { took: number } | { error: unknown };

/**
 * Pages whose bulk writes may be in flight at once (see runJob). More did not help on a 2-core
 * node: one search and one bulk at a time already keep both cores busy, and a third thread only
 * slows the search, which is the chain every page waits on.
 */
const WRITE_DEPTH = 1;

/** A page's bulk writes, their failure kept as a value (it is awaited only in page order). */
const write = (client: Client, index: string, bodies: readonly BulkBody[]): Promise<WriteOutcome> =>
  bulkWrite(client, index, bodies).then(
    (took) => ({ took }),
    (error: unknown) => ({ error }),
  );

/** A page's search, its failure kept as a value (a prefetched page may never be awaited). */
const search = (
  client: Client,
  job: RollupJob,
  m: RollupMetadata,
  fromRollup: boolean,
): Promise<SearchOutcome> => searchPage(client, job, m, fromRollup).catch((error: unknown) => ({ error }));

const searchPage = async (
  client: Client,
  job: RollupJob,
  m: RollupMetadata,
  fromRollup: boolean,
): Promise<{ composite: CompositeResult; took: number }> => {
  for (let attempt = 0; ; attempt++) {
    const pageSize = Math.max(1, Math.floor(job.page_size / 2 ** attempt));
    try {
      const res = await client.search({
        index: job.source_index,
        allow_partial_search_results: false,
        // A page is never asked for twice: caching it would only push out useful entries.
        request_cache: false,
        filter_path: 'took,aggregations',
        body: compositeSearchBody(job, m, pageSize, fromRollup) as never,
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

/**
 * A bulk request's NDJSON as UTF-8 bytes, written once, and where each item ends in it (to pick
 * out the items a retry needs).
 */
interface BulkBody {
  readonly bytes: Buffer;
  readonly ends: readonly number[];
}

/** Fills bulk bodies of at most `size` items each, item by item. */
class BulkBodies {
  readonly done: BulkBody[] = [];
  private buf = Buffer.allocUnsafe(1 << 20);
  private pos = 0;
  private ends: number[] = [];

  constructor(private readonly size: number) {}

  add(item: string): void {
    // A UTF-16 unit takes at most 3 UTF-8 bytes.
    if (this.pos + item.length * 3 > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.pos + item.length * 3));
      this.buf.copy(bigger, 0, 0, this.pos);
      this.buf = bigger;
    }
    this.pos += this.buf.write(item, this.pos, 'utf8');
    this.ends.push(this.pos);
    if (this.ends.length >= this.size) this.cut();
  }

  /** The bodies, the last one cut where it is. */
  finish(): BulkBody[] {
    if (this.ends.length > 0) this.cut();
    return this.done;
  }

  private cut(): void {
    this.done.push({ bytes: Buffer.from(this.buf.subarray(0, this.pos)), ends: this.ends });
    this.pos = 0;
    this.ends = [];
  }
}

/** The items of a body at these positions, as a body of their own. */
const itemsOf = (body: BulkBody, positions: readonly number[]): BulkBody => {
  const bodies = new BulkBodies(positions.length);
  for (const i of positions)
    bodies.add(body.bytes.toString('utf8', i === 0 ? 0 : body.ends[i - 1], body.ends[i]));
  return bodies.finish()[0];
};

/** Bulk-indexes a page's bodies side by side; only 429 items are retried, any other failure fails the run. */
const bulkWrite = async (client: Client, index: string, bodies: readonly BulkBody[]): Promise<number> => {
  const took = await Promise.all(bodies.map((body) => bulkChunk(client, index, body)));
  // The bulks ran side by side: the page took as long as the slowest.
  return took.length === 0 ? 0 : Math.max(...took);
};

const bulkChunk = async (client: Client, index: string, first: BulkBody): Promise<number> => {
  let pending: BulkBody | undefined = first;
  let took = 0;
  for (let attempt = 0; pending; attempt++) {
    // Only what a retry needs: every item keeps its status, so items stay in request order.
    const res = await client.bulk({
      index,
      body: pending.bytes as never,
      filter_path: 'took,errors,items.*.status,items.*.error',
    });
    const body = res.body as unknown as {
      took: number;
      errors: boolean;
      items?: { index: { status: number; error?: { type: string; reason: string } } }[];
    };
    took += body.took;
    if (!body.errors) return took;
    const retry: number[] = [];
    for (const [i, item] of (body.items ?? []).entries()) {
      if (!item.index.error) continue;
      if (item.index.status === 429 && attempt < 5) retry.push(i);
      else throw new Error(item.index.error.reason);
    }
    pending = retry.length > 0 ? itemsOf(pending, retry) : undefined;
    if (pending) await new Promise((r) => setTimeout(r, 1000));
  }
  return took;
};

/** The first source timestamp (RollupMetadataService.getInitialStartTime). */
const earliestTimestamp = async (
  client: Client,
  job: RollupJob,
  fromRollup: boolean,
): Promise<number | undefined> => {
  const source = dateHistogramOf(job).source_field;
  const field = fromRollup ? `${source}.date_histogram` : source;
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
