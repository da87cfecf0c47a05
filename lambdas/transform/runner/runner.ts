import { hashToFixedSize } from '../../shared/murmur3';
import type { JobContext, JobFunction, JobOutcome } from '../../shared/jobs/run-due';
import type { TransformCluster } from '../cluster/transform-cluster';
import { withRetries } from '../cluster/transform-cluster';
import { mappingIssues, targetDateFields, targetMapping, type SourceMappings } from '../cluster/validate';
import {
  ZERO_STATS,
  type ContinuousProgress,
  type TransformJob,
  type TransformMetadata,
  type TransformRunState,
  type TransformStats,
} from '../job/model';
import { nextScheduledRun } from '../job/schedule';
import { metadataOf, type TransformService } from '../transform-service';
import {
  bucketKeyOf,
  changedBucketsPageSize,
  changedBucketsQuery,
  newDocumentsQuery,
  parseShardKey,
  shardsToSearch,
} from './continuous';
import { bucketDocuments, documentPlan, type CompositeResult, type DocumentPlan } from './documents';

/**
 * One run of one transform (TransformRunner.executeJob), as a job-store work function: the
 * job's metadata is the job-store state. Every page is checkpointed once the cluster has
 * acknowledged its documents, so a run that is cut off (timeout, crash) resumes after the last
 * checkpointed page; a page redone after a crash overwrites the same documents (their ids are
 * the plugin's hashes of the bucket keys) and is counted once.
 *
 * - one-shot: composite pages over the source until a page comes back empty, then `finished`
 *   and the job is disabled;
 * - continuous: each run searches every shard whose global checkpoint moved for the buckets of
 *   its new documents, recomputes only those, and saves the checkpoints it covered.
 */
export interface RunnerDeps {
  readonly service: TransformService;
  readonly cluster: () => Promise<TransformCluster>;
  /** Test hook: called after a page is written, and after its checkpoint. */
  readonly onPage?: (event: {
    jobId: string;
    page: number;
    phase: 'written' | 'checkpointed';
  }) => void | Promise<void>;
}

/** Time kept for one more page: the run hands over to the next invocation below it. */
const MIN_PAGE_BUDGET_MS = 5_000;

const FAILED_SEARCH = 'Failed to search data in source indices';
const FAILED_CHANGED_BUCKETS = 'Failed to get the modified buckets in source indices';
const FAILED_INDEX = 'Failed to index the documents';

/** A failure the plugin records as the job's failure_reason. */
class TransformFailure extends Error {}

const merge = (a: TransformStats, b: Partial<TransformStats>): TransformStats => ({
  pages_processed: a.pages_processed + (b.pages_processed ?? 0),
  documents_processed: a.documents_processed + (b.documents_processed ?? 0),
  documents_indexed: a.documents_indexed + (b.documents_indexed ?? 0),
  index_time_in_millis: a.index_time_in_millis + (b.index_time_in_millis ?? 0),
  search_time_in_millis: a.search_time_in_millis + (b.search_time_in_millis ?? 0),
});

/** TransformMetadataService.createMetadata: the id hashes the job id and its last update time. */
export const newMetadata = (job: TransformJob, now: number): { id: string; metadata: TransformMetadata } => ({
  id: hashToFixedSize(`TransformMetadata#${job.transform_id}#${job.updated_at}`),
  metadata: {
    transform_id: job.transform_id,
    last_updated_at: now,
    status: 'init',
    failure_reason: null,
    stats: { ...ZERO_STATS },
    ...(job.continuous ? { continuous_stats: {} } : {}),
  },
});

export const transformWork =
  (deps: RunnerDeps): JobFunction<TransformRunState> =>
  async (ctx) => {
    const doc = await deps.service.jobs.get(ctx.record.id);
    if (!doc) return 'delete';
    return new TransformRun(deps, ctx, doc.source).run();
  };

class TransformRun {
  private state: TransformRunState;
  private pages = 0;
  private cluster!: TransformCluster;
  private plan!: DocumentPlan;
  private mappings: SourceMappings = {};
  /** The target index, made ready (exists, or created) at most once per run. */
  private target?: Promise<void>;
  /** The job's metadata_id being written (a new metadata document). */
  private naming?: Promise<{ source: TransformJob }>;
  /** Buckets recomputed in this invocation (TransformProcessedBucketLog). */
  private readonly processed = new Set<string>();

  constructor(
    private readonly deps: RunnerDeps,
    private readonly ctx: JobContext<TransformRunState>,
    private job: TransformJob,
  ) {
    this.state = ctx.record.state;
  }

  private get metadata(): TransformMetadata {
    return this.state.metadata as TransformMetadata;
  }

  private next(): number {
    return nextScheduledRun(this.job.schedule, this.ctx.now());
  }

  async run(): Promise<JobOutcome<TransformRunState>> {
    if (!this.job.enabled) return { state: this.state, dueAt: null };
    if (this.job.metadata_id === null) {
      const created = newMetadata(this.job, this.ctx.now());
      // The metadata is saved before the job names it, so the job never names a missing document.
      this.state = { metadata_id: created.id, metadata: created.metadata };
      this.state = (await this.ctx.checkpoint(this.state)).state;
      this.naming = this.deps.service.setMetadataId(this.job.transform_id, created.id);
      // Awaited once the source is validated (they run side by side); rejections are seen there.
      this.naming.catch(() => undefined);
    } else if (!metadataOf(this.state, this.job.metadata_id)) {
      // TransformMetadataService: the job names metadata that is not there; the run gives up.
      throw new Error(
        `Failed to parse the existing metadata document of transform [${this.job.transform_id}]`,
      );
    }
    const status = this.metadata.status;
    if (status === 'stopped' || status === 'finished') return this.finish();
    this.cluster = await this.deps.cluster();
    try {
      const issues = await this.validate();
      await this.named();
      if (issues.length > 0) {
        this.fail(`Failed validation - [${issues.join(', ')}]`);
        return await this.finish();
      }
      this.plan = documentPlan(this.job, this.mappings);
      const more = this.job.continuous ? await this.runContinuous() : await this.runOneShot();
      if (more) return { state: this.state, dueAt: this.ctx.now() };
    } catch (e) {
      if (!(e instanceof TransformFailure)) throw e;
      this.fail(e.message);
    } finally {
      // A target made ready early that no write awaited: its failure is not the run's.
      this.target?.catch(() => undefined);
    }
    return this.finish();
  }

  /** The job once it names its new metadata (setMetadataId, started with the metadata). */
  private async named(): Promise<void> {
    if (!this.naming) return;
    const naming = this.naming;
    this.naming = undefined;
    this.job = (await naming).source;
  }

  /** TransformValidator.validate: the source exists and every group can be realized on it. */
  private async validate(): Promise<string[]> {
    this.mappings = await withRetries(() => this.cluster.sourceMappings(this.job.source_index));
    if (Object.keys(this.mappings).length === 0) return ['No specified source index exist in the cluster'];
    return mappingIssues(this.job, this.mappings);
  }

  private fail(reason: string): void {
    this.state = {
      ...this.state,
      metadata: {
        ...this.metadata,
        last_updated_at: this.ctx.now(),
        status: 'failed',
        failure_reason: reason,
      },
    };
  }

  /** The run's end (executeJob's finally): a one-shot or failed job is disabled. */
  private async finish(): Promise<JobOutcome<TransformRunState>> {
    await this.named();
    const m = this.metadata;
    if (!this.job.continuous || m.status === 'failed') {
      const { continuous_progress: _progress, ...state } = this.state;
      void _progress;
      await this.deps.service.disable(this.job.transform_id);
      return { state, dueAt: null };
    }
    return { state: this.state, dueAt: this.next() };
  }

  /** Saves the state (kept under the lease) and tells the test hook. */
  private async checkpoint(): Promise<void> {
    this.state = (await this.ctx.checkpoint(this.state)).state;
    await this.deps.onPage?.({ jobId: this.job.transform_id, page: this.pages, phase: 'checkpointed' });
  }

  private outOfTime(): boolean {
    return this.ctx.remainingMs() < MIN_PAGE_BUDGET_MS;
  }

  /** computeBucketsIteration, page after page; true when the budget ran out first. */
  private async runOneShot(): Promise<boolean> {
    for (;;) {
      if (this.outOfTime()) return true;
      const m = this.metadata;
      // The target is created side by side with the first page's search (index creation is a
      // cluster-state update, as slow as a page).
      if (!m.after_key && !this.target) this.ensureTarget(true).catch(() => undefined);
      const page = await this.search(FAILED_SEARCH, (attempt) =>
        this.cluster.compositePage(this.job, {
          pageSize: Math.max(1, Math.floor(this.job.page_size / 2 ** attempt)),
          afterKey: m.after_key,
        }),
      );
      const indexed = await this.write(page.composite);
      const afterKey = page.composite.buckets.length > 0 ? page.composite.after_key : undefined;
      const { after_key: _previous, ...rest } = m;
      void _previous;
      this.state = {
        ...this.state,
        metadata: {
          ...rest,
          ...(afterKey ? { after_key: afterKey } : {}),
          last_updated_at: this.ctx.now(),
          status: afterKey ? 'started' : 'finished',
          stats: merge(m.stats, {
            pages_processed: 1,
            documents_processed: page.composite.buckets.reduce((n, b) => n + b.doc_count, 0),
            documents_indexed: indexed.count,
            index_time_in_millis: indexed.took,
            search_time_in_millis: page.took,
          }),
        },
      };
      await this.checkpoint();
      if (!afterKey) return false;
    }
  }

  /**
   * A continuous run: the shards to search are fixed (with the checkpoints they are searched
   * up to) when the run starts, and kept with the state until the run has covered them all.
   */
  private async runContinuous(): Promise<boolean> {
    let progress = this.state.continuous_progress;
    if (!progress) {
      const checkpointTime = this.ctx.now();
      const checkpoints = await this.search('Failed to get the shards in the source indices', () =>
        this.cluster.globalCheckpoints(this.job.source_index),
      );
      progress = {
        checkpoints,
        checkpointTime,
        shards: shardsToSearch(this.metadata.shard_id_to_global_checkpoint, checkpoints),
      };
      this.state = { ...this.state, continuous_progress: progress };
      await this.checkpoint();
    }
    while (progress.shards.length > 0) {
      if (this.outOfTime()) return true;
      progress = await this.changedBucketsPage(progress);
    }
    const { continuous_progress: _done, ...state } = this.state;
    void _done;
    this.state = {
      ...state,
      metadata: {
        ...this.metadata,
        shard_id_to_global_checkpoint: progress.checkpoints,
        continuous_stats: { last_timestamp: progress.checkpointTime },
      },
    };
    await this.checkpoint();
    return false;
  }

  /** One page of a shard's changed buckets, recomputed and written (getBucketsToTransformIteration + recomputeModifiedBuckets). */
  private async changedBucketsPage(progress: ContinuousProgress): Promise<ContinuousProgress> {
    const m = this.metadata;
    const shard = parseShardKey(progress.shards[0]);
    const from = m.shard_id_to_global_checkpoint?.[shard.key];
    const size = changedBucketsPageSize(this.job);
    const page = await this.search(FAILED_CHANGED_BUCKETS, (attempt) =>
      this.cluster.compositePage(this.job, {
        pageSize: Math.max(1, Math.floor(size / 2 ** attempt)),
        afterKey: m.after_key,
        keysOnly: true,
        query: newDocumentsQuery(this.job, from, progress.checkpoints[shard.key]),
        shard: [shard.index, shard.shard],
      }),
    );
    const afterKey = page.composite.buckets.length > 0 ? page.composite.after_key : undefined;
    let stats = merge(m.stats, { pages_processed: 1, search_time_in_millis: page.took });
    const changed = page.composite.buckets
      .map((b) => b.key)
      .filter((k) => !this.processed.has(bucketKeyOf(k)));
    if (changed.length > 0) {
      const wanted = new Set(changed.map(bucketKeyOf));
      const recomputed = await this.search(FAILED_SEARCH, () =>
        this.cluster.compositePage(this.job, {
          pageSize: changed.length,
          query: changedBucketsQuery(this.job, changed),
        }),
      );
      const buckets = recomputed.composite.buckets.filter((b) => wanted.has(bucketKeyOf(b.key)));
      const indexed = await this.write({ buckets });
      stats = merge(stats, {
        documents_processed: buckets.reduce((n, b) => n + b.doc_count, 0),
        documents_indexed: indexed.count,
        index_time_in_millis: indexed.took,
        search_time_in_millis: recomputed.took,
      });
      for (const k of wanted) this.processed.add(k);
    }
    const next: ContinuousProgress = afterKey ? progress : { ...progress, shards: progress.shards.slice(1) };
    const { after_key: _previous, ...rest } = m;
    void _previous;
    this.state = {
      ...this.state,
      continuous_progress: next,
      metadata: {
        ...rest,
        ...(afterKey ? { after_key: afterKey } : {}),
        last_updated_at: this.ctx.now(),
        status: 'started',
        stats,
      },
    };
    await this.checkpoint();
    return next;
  }

  /** A search with the plugin's retries (the page size halves on each); its failure fails the run. */
  private async search<T>(failure: string, call: (attempt: number) => Promise<T>): Promise<T> {
    try {
      return await withRetries(call);
    } catch {
      throw new TransformFailure(failure);
    }
  }

  /** TransformIndexer.index: the target is created on the first write, then the page's documents. */
  private async write(result: CompositeResult): Promise<{ count: number; took: number }> {
    const docs = bucketDocuments(this.plan, result);
    if (docs.length === 0) return { count: 0, took: 0 };
    const took = await this.bulk(docs);
    this.pages++;
    await this.deps.onPage?.({ jobId: this.job.transform_id, page: this.pages, phase: 'written' });
    return { count: docs.length, took };
  }

  /**
   * TransformIndexer.createTargetIndex. The first page's search may run beside it (`early`): the
   * target is then created only if the source has a document the query matches, which is exactly
   * when the first page has a bucket to write, so the plugin's rule (created on the first write)
   * holds.
   */
  private ensureTarget(early = false): Promise<void> {
    this.target ??= (async () => {
      if (await this.cluster.indexExists(this.job.target_index)) return;
      if (early && !(await this.cluster.hasDocuments(this.job.source_index, this.job.data_selection_query))) {
        this.target = undefined;
        return;
      }
      await this.cluster.createIndex(
        this.job.target_index,
        targetMapping(targetDateFields(this.job, this.mappings)),
      );
    })();
    return this.target;
  }

  private async bulk(docs: ReturnType<typeof bucketDocuments>): Promise<number> {
    try {
      await this.ensureTarget();
      // An early target that found no document (written since) dropped itself: made now.
      if (!this.target) await this.ensureTarget();
      const outcome = await withRetries(() => this.cluster.bulkIndex(this.job.target_index, docs));
      if (outcome.failure) throw new Error(outcome.failure.reason);
      return outcome.took;
    } catch {
      throw new TransformFailure(FAILED_INDEX);
    }
  }
}
