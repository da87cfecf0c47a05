import { randomBytes } from 'node:crypto';
import type { Clock } from '../shared/clock';
import { validateDocumentId } from '../shared/document-id';
import { DocumentStore, type StoredDocument } from '../shared/document-store';
import { CONFIG_INDEX, OpenSearchError, illegalArgument, statusException } from '../shared/errors';
import { JobStore, StaleJobError, type JobRecord } from '../shared/jobs/job-store';
import { retryLostRaces } from '../shared/lost-race';
import type { RollupJob, RollupMetadata, RollupRunState } from './job/model';
import { unmappedField } from './job/mapping';
import { changedImmutableFields, parseRollupJob, unwrapRollupBody } from './job/parse';
import { nextRunTime } from './job/schedule';
import { validateTargetIndex } from './job/target';
import { checkListPage, searchConfigDocuments, sourceValues } from '../shared/config-search';
import { wildcardRegExp as wildcard } from '../shared/query-string';
import { ROLLUP_FIELDS } from './job/fields';

/**
 * The rollup job API (TransportIndex/Get/Delete/Start/Stop/ExplainRollupAction): jobs are
 * documents with OpenSearch's seq_no/primary_term contract; the metadata the runner keeps lives
 * beside them in the job store (kind `rollup`), with the job's next run time. Knows nothing of
 * HTTP or Lambda.
 */
export const ROLLUP_NAMESPACE = 'rollup-job';
export const ROLLUP_KIND = 'rollup';

export interface PutRollupResult {
  created: boolean;
  stored: StoredDocument<RollupJob>;
}

export interface ExplainEntry {
  metadata_id: string | null;
  rollup_metadata: RollupMetadata | null;
}

/** OpenSearch's auto-generated document ids are 20 URL-safe base64 characters. */
export const newMetadataId = (): string => randomBytes(15).toString('base64url');

export class RollupService {
  constructor(
    readonly jobs: DocumentStore<RollupJob>,
    readonly runs: JobStore<RollupRunState>,
    private readonly clock: Clock,
  ) {}

  static stores(
    client: ConstructorParameters<typeof DocumentStore>[0],
    table: string,
  ): { jobs: DocumentStore<RollupJob>; runs: JobStore<RollupRunState> } {
    return {
      jobs: new DocumentStore<RollupJob>(client, table, ROLLUP_NAMESPACE, CONFIG_INDEX),
      runs: new JobStore<RollupRunState>(client, table, ROLLUP_KIND),
    };
  }

  async put(
    id: string | undefined,
    body: unknown,
    ifSeqNo: number | undefined,
    ifPrimaryTerm: number | undefined,
  ): Promise<PutRollupResult> {
    if (!id) throw illegalArgument('Missing rollup ID');
    validateDocumentId(id);
    if (body === undefined) throw new OpenSearchError(400, 'parse_exception', 'request body is required');
    const isUpdate = ifSeqNo !== undefined && ifPrimaryTerm !== undefined;
    const now = this.clock.now();
    const current = isUpdate ? await this.jobs.get(id) : undefined;
    const stored0 = current?.source.schedule;
    const job = parseRollupJob(unwrapRollupBody(body), {
      id,
      now,
      create: !isUpdate,
      storedStartTime: stored0 && 'interval' in stored0 ? stored0.interval.start_time : undefined,
    });
    // TransportIndexRollupAction's order: an update first finds the job and its immutable fields.
    if (isUpdate) {
      if (!current) throw statusException(404, 'Rollup not found');
      const changed = changedImmutableFields(current.source, job);
      if (changed.length > 0) throw statusException(400, `Not allowed to modify [${changed.join(', ')}]`);
    }
    validateTargetIndex(job.target_index, { source_index: job.source_index, index: job.source_index });
    const refused = unmappedField(job);
    if (refused) throw refused;

    const stored = isUpdate
      ? await this.jobs.update(id, job, ifSeqNo, ifPrimaryTerm)
      : await this.jobs.create(id, job);
    await this.schedule(stored.source, isUpdate ? undefined : { metadata_id: null, metadata: null });
    return { created: !isUpdate, stored };
  }

  async get(id: string): Promise<StoredDocument<RollupJob>> {
    const doc = await this.jobs.get(id);
    if (!doc) throw statusException(404, 'Rollup not found');
    return doc;
  }

  async exists(id: string): Promise<boolean> {
    return (await this.jobs.get(id)) !== undefined;
  }

  /**
   * TransportGetRollupsAction: `search` matches as the wildcard `*<search>*` on the job id's
   * keyword; sorted by a field of the config index's mapping, then paged (as its search does).
   */
  async list(params: {
    search: string;
    from: number;
    size: number;
    sortField: string;
    sortDirection: string;
  }): Promise<{ total: number; rollups: StoredDocument<RollupJob>[] }> {
    const direction = checkListPage(params);
    const pattern = wildcard(`*${params.search.trim()}*`);
    const { total, hits } = searchConfigDocuments(
      (await this.jobs.list()).filter((d) => pattern.test(d.id)),
      {
        sortField: params.sortField,
        order: direction,
        from: params.from,
        size: params.size,
        fields: ROLLUP_FIELDS,
        values: (doc, field) => sourceValues(doc.source, field, 'rollup'),
      },
    );
    return { total, rollups: hits };
  }

  /** The metadata and the target index stay, as in the plugin; the job stops being scheduled. */
  async delete(id: string) {
    const deleted = await this.jobs.delete(id);
    if (!deleted) throw statusException(404, `Rollup ${id} is not found`);
    await this.runs.delete(id);
    return deleted;
  }

  /** TransportStartRollupAction. */
  async start(id: string): Promise<boolean> {
    let doc = await this.get(id);
    const now = this.clock.now();
    if (!doc.source.enabled) {
      doc = await this.writeJob(id, (job) => ({
        ...job,
        enabled: true,
        enabled_time: now,
        last_updated_time: now,
      }));
    }
    await this.mutateRun(id, doc.source, (state) => {
      const m = state.metadata;
      // init, started and retry are left as they are.
      if (!m || !['finished', 'stopped', 'failed'].includes(m.status)) return state;
      const status = m.status === 'failed' ? 'retry' : 'started';
      return { ...state, metadata: { ...m, status, failure_reason: null, last_updated_time: now } };
    });
    return true;
  }

  /** TransportStopRollupAction. */
  async stop(id: string): Promise<boolean> {
    await this.get(id);
    const now = this.clock.now();
    const updated = await this.writeJob(id, (job) => ({
      ...job,
      enabled: false,
      enabled_time: null,
      last_updated_time: now,
    }));
    await this.mutateRun(id, updated.source, (state) => {
      const m = state.metadata;
      if (!m) return state;
      // finished and failed stay, with their failure_reason cleared (as the plugin's update does).
      let status = m.status;
      let reason: string | null = null;
      if (status === 'init' || status === 'started' || status === 'stopped') status = 'stopped';
      else if (status === 'retry') {
        status = 'failed';
        reason = 'Stopped a rollup that was in retry, rolling back to failed status';
      }
      return { ...state, metadata: { ...m, status, failure_reason: reason, last_updated_time: now } };
    });
    return true;
  }

  /**
   * TransportExplainRollupAction: every entry matches as the wildcard `*<entry>*`; entries
   * without `*` that match nothing map to null.
   */
  async explain(idsParam: string): Promise<Record<string, ExplainEntry | null>> {
    const entries = idsParam
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (entries.length === 0) throw illegalArgument('Missing rollupID');
    const [docs, runs] = await Promise.all([this.jobs.list(), this.runs.list()]);
    const runById = new Map(runs.map((r) => [r.id, r.state]));
    const out: Record<string, ExplainEntry | null> = {};
    for (const entry of entries) {
      const pattern = wildcard(`*${entry}*`);
      const matched = docs.filter((d) => pattern.test(d.id));
      if (matched.length === 0 && !entry.includes('*')) out[entry] = null;
      for (const d of matched) {
        const run = runById.get(d.id);
        out[d.id] = {
          metadata_id: run?.metadata_id ?? d.source.metadata_id,
          rollup_metadata: run?.metadata ?? null,
        };
      }
    }
    return out;
  }

  /** The worker disables a job that finished, stopped or failed (conditional on its seq_no). */
  async disable(id: string): Promise<void> {
    const now = this.clock.now();
    try {
      await this.writeJob(id, (job) =>
        job.enabled ? { ...job, enabled: false, enabled_time: null, last_updated_time: now } : job,
      );
    } catch (e) {
      if (!(e instanceof OpenSearchError && e.status === 404)) throw e;
    }
  }

  /** The worker records the metadata id it created on the job, as the plugin does. */
  async setMetadataId(id: string, metadataId: string): Promise<void> {
    await this.writeJob(id, (job) => ({ ...job, metadata_id: metadataId }));
  }

  /** Read-modify-write of the job document, conditional on its seq_no, retried on conflict. */
  private async writeJob(
    id: string,
    change: (job: RollupJob) => RollupJob,
  ): Promise<StoredDocument<RollupJob>> {
    // Concurrent _start/_stop calls all get their answer: a lost race reads again (with back-off).
    return retryLostRaces(async () => {
      const doc = await this.get(id);
      const next = change(doc.source);
      if (next === doc.source) return doc;
      return this.jobs.update(id, next, doc.seqNo, doc.primaryTerm);
    });
  }

  /** Schedules (or unschedules) the job's runs; `init` creates the run record when missing. */
  private async schedule(job: RollupJob, init?: RollupRunState): Promise<void> {
    await this.mutateRun(job.rollup_id, job, (state) => state, init);
  }

  /**
   * Changes the run record conditionally on its revision (the worker may be saving a page at
   * the same time: whichever writes second re-reads). The next run follows the job's schedule.
   */
  private async mutateRun(
    id: string,
    job: RollupJob,
    change: (state: RollupRunState) => RollupRunState,
    init: RollupRunState = { metadata_id: job.metadata_id, metadata: null },
  ): Promise<JobRecord<RollupRunState>> {
    const dueAt = job.enabled ? nextRunTime(job, this.clock.now()) : null;
    return retryLostRaces(
      async () => {
        const current = await this.runs.get(id);
        if (!current) {
          if (await this.runs.create(id, change(init), dueAt))
            return (await this.runs.get(id)) as JobRecord<RollupRunState>;
          throw new StaleJobError(this.runs.kind, id);
        }
        return this.runs.update(id, current.rev, change(current.state), dueAt);
      },
      { isLostRace: (e) => e instanceof StaleJobError },
    );
  }
}
