import { createHash } from 'node:crypto';
import type { Clock } from '../shared/clock';
import { validateDocumentId } from '../shared/document-id';
import { DocumentStore, type StoredDocument } from '../shared/document-store';
import {
  CONFIG_INDEX,
  OpenSearchError,
  illegalArgument,
  parseException,
  statusException,
} from '../shared/errors';
import { JobStore, StaleJobError, type JobRecord } from '../shared/jobs/job-store';
import { retryLostRaces } from '../shared/lost-race';
import { checkListPage } from '../shared/config-search';
import { sortDocuments } from '../shared/sort-documents';
import type { TransformJob, TransformMetadata, TransformRunState, TransformStatus } from './job/model';
import { changedImmutableFields, parseTransform, unwrapTransformBody } from './job/parse';
import { nextScheduledRun } from './job/schedule';
import type { TransformCluster } from './cluster/transform-cluster';
import { mappingIssues } from './cluster/validate';
import { previewDocuments } from './runner/documents';

/**
 * The transform API (TransportIndex/Get/Delete/Start/Stop/Explain/PreviewTransformAction): jobs
 * are documents with OpenSearch's seq_no/primary_term contract; the metadata the worker keeps
 * lives beside them in the job store (kind `transform`), with the job's next run time. Knows
 * nothing of HTTP or Lambda; talks to the cluster through {@link TransformCluster}.
 */
export const TRANSFORM_NAMESPACE = 'transform-job';
export const TRANSFORM_KIND = 'transform';
/** Versions of deleted jobs, as the config index's delete tombstones keep them. */
const TOMBSTONE_NAMESPACE = 'transform-tombstone';
/** The plugin's preview reads one composite page of this many buckets. */
const PREVIEW_PAGE_SIZE = 10;

/**
 * The config index's uuid as our version conflicts name it: the index lives nowhere, so a stable
 * stand-in (22 URL-safe base64 characters, as OpenSearch's are).
 */
const CONFIG_INDEX_UUID = createHash('sha1').update(CONFIG_INDEX).digest('base64url').slice(0, 22);

export interface PutTransformResult {
  created: boolean;
  stored: StoredDocument<TransformJob>;
}

export interface ExplainEntry {
  metadata_id: string | null;
  transform_metadata: TransformMetadata | null;
}

/** One item of the delete's bulk response (a DeleteResponse). */
export interface DeleteItem {
  _index: string;
  _id: string;
  _version: number;
  result: 'deleted' | 'not_found';
  forced_refresh: true;
  _shards: { total: number; successful: number; failed: number };
  _seq_no: number;
  _primary_term: number;
  status: number;
}

interface Tombstone {
  version: number;
}

export class TransformService {
  constructor(
    readonly jobs: DocumentStore<TransformJob>,
    readonly runs: JobStore<TransformRunState>,
    private readonly tombstones: DocumentStore<Tombstone>,
    private readonly cluster: () => Promise<TransformCluster>,
    private readonly clock: Clock,
  ) {}

  static stores(
    client: ConstructorParameters<typeof DocumentStore>[0],
    table: string,
  ): {
    jobs: DocumentStore<TransformJob>;
    runs: JobStore<TransformRunState>;
    tombstones: DocumentStore<Tombstone>;
  } {
    return {
      jobs: new DocumentStore<TransformJob>(client, table, TRANSFORM_NAMESPACE, CONFIG_INDEX),
      runs: new JobStore<TransformRunState>(client, table, TRANSFORM_KIND),
      tombstones: new DocumentStore<Tombstone>(client, table, TOMBSTONE_NAMESPACE, CONFIG_INDEX),
    };
  }

  async put(
    id: string | undefined,
    body: unknown,
    ifSeqNo: number | undefined,
    ifPrimaryTerm: number | undefined,
  ): Promise<PutTransformResult> {
    if (!id) throw illegalArgument('Missing transform ID');
    validateDocumentId(id);
    if (body === undefined) throw parseException('request body is required');
    const isUpdate = ifSeqNo !== undefined && ifPrimaryTerm !== undefined;
    const job = parseTransform(unwrapTransformBody(body), { id, now: this.clock.now(), create: !isUpdate });
    let stored: StoredDocument<TransformJob>;
    if (isUpdate) {
      const current = await this.jobs.get(id);
      if (!current) throw statusException(404, 'Transform not found');
      const changed = changedImmutableFields(current.source, job);
      if (changed.length > 0) throw statusException(400, `Not allowed to modify [${changed.join(', ')}]`);
      stored = await withIndexUuid(this.jobs.update(id, job, ifSeqNo, ifPrimaryTerm));
    } else {
      await this.validateSource(job);
      stored = await withIndexUuid(this.jobs.create(id, job));
    }
    await this.mutateRun(id, stored.source, (state) => state);
    return { created: !isUpdate, stored };
  }

  /** The create path's checks of the source (TransportIndexTransformAction.validateAndPutTransform). */
  private async validateSource(job: TransformJob): Promise<void> {
    const mappings = await (await this.cluster()).sourceMappings(job.source_index);
    if (Object.keys(mappings).length === 0) {
      throw statusException(404, 'No specified source index exist in the cluster');
    }
    const issues = mappingIssues(job, mappings);
    if (issues.length > 0) throw statusException(400, issues.join(' '));
  }

  async get(id: string): Promise<StoredDocument<TransformJob>> {
    const doc = await this.jobs.get(id);
    if (!doc) throw statusException(404, 'Transform not found');
    return doc;
  }

  async exists(id: string): Promise<boolean> {
    return (await this.jobs.get(id)) !== undefined;
  }

  /**
   * TransportGetTransformsAction: `search` matches as the wildcard `*<search>*` on the job id;
   * sorted by a field of the job (`transform.<field>[.keyword]`), then paged.
   */
  async list(params: {
    search: string;
    from: number;
    size: number;
    sortField: string;
    sortDirection: string;
  }): Promise<{ total: number; transforms: StoredDocument<TransformJob>[] }> {
    const direction = checkListPage(params);
    const search = params.search.trim();
    const pattern = wildcard(`*${search}*`);
    const all = sortDocuments(
      (await this.jobs.list()).filter((d) => search === '' || pattern.test(d.id)),
      params.sortField,
      'transform',
      direction,
    );
    return { total: all.length, transforms: all.slice(params.from, params.from + params.size) };
  }

  /**
   * TransportDeleteTransformsAction: every id of the comma list is deleted in one bulk request,
   * unless one of them is enabled (without `force`). Ids that do not exist answer `not_found`
   * items. The metadata stays, as in the plugin; the job stops being scheduled.
   */
  async delete(ids: string[], force: boolean): Promise<DeleteItem[]> {
    const docs = await Promise.all(ids.map((id) => this.jobs.get(id)));
    const enabled = docs.filter((d) => d?.source.enabled && !force).map((d) => d?.id);
    if (enabled.length > 0) {
      throw statusException(
        409,
        `[${enabled.join(', ')}] transform(s) are enabled, please disable them before deleting them or set force flag`,
      );
    }
    const items: DeleteItem[] = [];
    for (const id of ids) items.push(await this.deleteOne(id));
    return items;
  }

  private async deleteOne(id: string): Promise<DeleteItem> {
    const deleted = await this.jobs.delete(id);
    let version: number;
    let seqNo: number;
    if (deleted) {
      ({ version, seqNo } = deleted);
      await Promise.all([this.runs.delete(id), this.writeTombstone(id, version)]);
    } else {
      // OpenSearch deletes a missing document too: its tombstone's version goes up.
      const [tomb, reserved] = await Promise.all([this.tombstones.get(id), this.jobs.reserveSeqNo()]);
      version = (tomb?.source.version ?? 0) + 1;
      seqNo = reserved;
      await this.writeTombstone(id, version);
    }
    return {
      _index: CONFIG_INDEX,
      _id: id,
      _version: version,
      result: deleted ? 'deleted' : 'not_found',
      forced_refresh: true,
      _shards: { total: 2, successful: 1, failed: 0 },
      _seq_no: seqNo,
      _primary_term: 1,
      status: deleted ? 200 : 404,
    };
  }

  private async writeTombstone(id: string, version: number): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.tombstones.get(id);
      try {
        if (current) await this.tombstones.update(id, { version }, current.seqNo, current.primaryTerm);
        else await this.tombstones.create(id, { version });
        return;
      } catch (e) {
        if (!(e instanceof OpenSearchError && e.status === 409)) throw e;
      }
    }
  }

  /** TransportStartTransformAction. */
  async start(id: string): Promise<boolean> {
    let doc = await this.get(id);
    const now = this.clock.now();
    if (doc.source.enabled && doc.source.metadata_id === null) return true;
    if (!doc.source.enabled) {
      doc = await this.writeJob(id, (job) => ({ ...job, enabled: true, enabled_at: now, updated_at: now }));
    }
    const metadataId = doc.source.metadata_id;
    await this.mutateRun(id, doc.source, (state) => {
      if (metadataId === null) return state;
      const m = metadataOf(state, metadataId);
      if (!m) throw statusException(404, `Metadata doc missing for transform [${metadataId}]`);
      if (m.status === 'started' || m.status === 'init') return state;
      return {
        ...state,
        metadata: { ...m, status: 'started', failure_reason: null, last_updated_at: now },
      };
    });
    return true;
  }

  /** TransportStopTransformAction: the metadata first, then the job. */
  async stop(id: string): Promise<boolean> {
    const doc = await this.get(id);
    const now = this.clock.now();
    const metadataId = doc.source.metadata_id;
    const stopped: TransformJob = { ...doc.source, enabled: false, enabled_at: null, updated_at: now };
    if (metadataId !== null) {
      await this.mutateRun(id, stopped, (state) => {
        const m = metadataOf(state, metadataId);
        if (!m) return state;
        const keep: TransformStatus[] = ['finished', 'failed'];
        const status: TransformStatus = keep.includes(m.status) ? m.status : 'stopped';
        return { ...state, metadata: { ...m, status, last_updated_at: now } };
      });
    }
    // Read again after a lost race: concurrent _stop calls all answer 200.
    const updated = await this.writeJob(id, (job) => ({
      ...job,
      enabled: false,
      enabled_at: null,
      updated_at: now,
    }));
    await this.mutateRun(id, updated.source, (state) => state);
    return true;
  }

  /**
   * TransportExplainTransformAction: every entry matches as the wildcard `*<entry>*`; entries
   * without `*` that match nothing map to null. A continuous job's entry shows how many
   * documents each source index has gained since its last run instead of its checkpoints.
   */
  async explain(idsParam: string): Promise<Record<string, ExplainEntry | null>> {
    const entries = idsParam
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (entries.length === 0) throw illegalArgument('Missing transformID');
    const [docs, runs] = await Promise.all([this.jobs.list(), this.runs.list()]);
    const runById = new Map(runs.map((r) => [r.id, r.state]));
    const out: Record<string, ExplainEntry | null> = {};
    for (const entry of entries) if (!entry.includes('*')) out[entry] = null;
    for (const d of docs) {
      if (!entries.some((e) => wildcard(`*${e}*`).test(d.id))) continue;
      const job = d.source;
      const state = runById.get(d.id);
      const m = job.metadata_id === null || !state ? undefined : metadataOf(state, job.metadata_id);
      out[d.id] = {
        metadata_id: job.metadata_id,
        transform_metadata: m ? await this.explainMetadata(job, m) : null,
      };
    }
    return out;
  }

  private async explainMetadata(job: TransformJob, m: TransformMetadata): Promise<TransformMetadata> {
    const { shard_id_to_global_checkpoint: checkpoints, ...rest } = m;
    if (!job.continuous || m.status === 'failed') return rest;
    let current: Record<string, number>;
    try {
      current = await (await this.cluster()).globalCheckpoints(job.source_index);
    } catch {
      return rest;
    }
    const behind: Record<string, number> = {};
    for (const [shard, checkpoint] of Object.entries(current)) {
      const index = shard.slice(1, shard.lastIndexOf(']['));
      const before = Math.max(0, checkpoints?.[shard] ?? 0);
      behind[index] = (behind[index] ?? 0) + Math.max(0, checkpoint) - before;
    }
    return {
      ...rest,
      continuous_stats: {
        ...(rest.continuous_stats?.last_timestamp !== undefined
          ? { last_timestamp: rest.continuous_stats.last_timestamp }
          : {}),
        documents_behind: behind,
      },
    };
  }

  /**
   * TransportPreviewTransformAction: the job's first composite page (10 buckets) as the
   * documents it would index, without their `transform._id`.
   */
  async preview(body: unknown): Promise<Record<string, unknown>[]> {
    if (body === undefined) throw parseException('request body is required');
    const job = parseTransform(unwrapTransformBody(body), { id: '', now: this.clock.now(), create: true });
    const cluster = await this.cluster();
    const mappings = await cluster.sourceMappings(job.source_index);
    if (Object.keys(mappings).length === 0) {
      throw statusException(404, 'No specified source index exist in the cluster');
    }
    const issues = mappingIssues(job, mappings);
    if (issues.length > 0) throw statusException(400, issues.join(' '));
    const page = await cluster.compositePage(job, { pageSize: PREVIEW_PAGE_SIZE });
    return previewDocuments(job, page.composite, mappings);
  }

  /** The worker disables a job that finished or failed (conditional on its seq_no). */
  async disable(id: string): Promise<void> {
    const now = this.clock.now();
    try {
      await this.writeJob(id, (job) =>
        job.enabled ? { ...job, enabled: false, enabled_at: null, updated_at: now } : job,
      );
    } catch (e) {
      if (!(e instanceof OpenSearchError && e.status === 404)) throw e;
    }
  }

  /**
   * The worker records the metadata id it created on the job, as the plugin does (the run
   * record, which the worker holds, is left alone).
   */
  async setMetadataId(id: string, metadataId: string): Promise<StoredDocument<TransformJob>> {
    const now = this.clock.now();
    return this.writeJob(id, (job) => ({ ...job, metadata_id: metadataId, updated_at: now }));
  }

  /** Read-modify-write of the job document, conditional on its seq_no, retried on conflict. */
  private async writeJob(
    id: string,
    change: (job: TransformJob) => TransformJob,
  ): Promise<StoredDocument<TransformJob>> {
    // Concurrent _start/_stop calls all get their answer: a lost race reads again (with back-off).
    return retryLostRaces(async () => {
      const doc = await this.get(id);
      const next = change(doc.source);
      if (next === doc.source) return doc;
      return withIndexUuid(this.jobs.update(id, next, doc.seqNo, doc.primaryTerm));
    });
  }

  /**
   * Changes the run record conditionally on its revision (the worker may be saving a page at
   * the same time: whichever writes second re-reads). The next run follows the job's schedule.
   */
  async mutateRun(
    id: string,
    job: TransformJob,
    change: (state: TransformRunState) => TransformRunState,
  ): Promise<JobRecord<TransformRunState>> {
    const dueAt = job.enabled ? nextScheduledRun(job.schedule, this.clock.now()) : null;
    return retryLostRaces(
      async () => {
        const current = await this.runs.get(id);
        if (!current) {
          const init: TransformRunState = { metadata_id: null, metadata: null };
          if (await this.runs.create(id, change(init), dueAt))
            return (await this.runs.get(id)) as JobRecord<TransformRunState>;
          throw new StaleJobError(this.runs.kind, id);
        }
        // A run in progress keeps its own schedule (it is due again at once, or at its next run).
        const keep = job.enabled && current.leaseOwner !== undefined && current.dueAt !== undefined;
        return this.runs.update(
          id,
          current.rev,
          change(current.state),
          keep ? (current.dueAt as number) : dueAt,
        );
      },
      { isLostRace: (e) => e instanceof StaleJobError },
    );
  }
}

/** The metadata of the run state, if it is the document the job names. */
export const metadataOf = (state: TransformRunState, metadataId: string): TransformMetadata | undefined =>
  state.metadata_id === metadataId && state.metadata ? state.metadata : undefined;

/** Version conflicts on the config index carry its uuid, as OpenSearch's do. */
const withIndexUuid = async <T>(write: Promise<T>): Promise<T> => {
  try {
    return await write;
  } catch (e) {
    if (e instanceof OpenSearchError && e.type === 'version_conflict_engine_exception') {
      throw new OpenSearchError(e.status, e.type, e.reason, { ...e.metadata, index_uuid: CONFIG_INDEX_UUID });
    }
    throw e;
  }
};

const wildcard = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );
