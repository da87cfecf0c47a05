import type { Clock } from '../shared/clock';
import { validateDocumentId } from '../shared/document-id';
import { DocumentStore, type DeletedDocument, type StoredDocument } from '../shared/document-store';
import { CONFIG_INDEX, OpenSearchError, illegalArgument, statusException } from '../shared/errors';
import { JobStore, StaleJobError } from '../shared/jobs/job-store';
import { isVersionConflict, retryLostRaces } from '../shared/lost-race';
import { awaitingMetadata, explainEntry, firstJobRun } from './metadata';
import { searchConfigDocuments, sourceValues } from '../shared/config-search';
import { compileQueryString as compileLuceneQuery, wildcardRegExp } from '../shared/query-string';
import { SM_POLICY_FIELDS, smPolicyQueryField } from './policy/fields';
import { policyDocId, policyNameOf, type SMMetadata, type SMPolicy } from './policy/model';
import { parsePolicy, validatePolicyName } from './policy/parse';

/**
 * SM policies (documents with `_seq_no`/`_primary_term`, id `<name>-sm-policy`) and their
 * metadata (one job item per policy, keyed by name, scheduled at the next time the runner has
 * work). Every operation of the `_plugins/_sm` API, free of HTTP and Lambda.
 */
export const SM_POLICY_NAMESPACE = 'sm-policy';
export const SM_JOB_KIND = 'sm';

export type SMJobStore = JobStore<SMMetadata>;

export interface ListParams {
  from: number;
  size: number;
  sortField: string;
  sortOrder: string;
  queryString: string;
}

const notFound = (): OpenSearchError => statusException(404, 'Snapshot management policy not found');

export class SMPolicyService {
  constructor(
    private readonly policies: DocumentStore<SMPolicy>,
    private readonly jobs: SMJobStore,
    private readonly clock: Clock,
  ) {}

  static stores(
    client: ConstructorParameters<typeof DocumentStore>[0],
    table: string,
  ): { policies: DocumentStore<SMPolicy>; jobs: SMJobStore } {
    return {
      policies: new DocumentStore<SMPolicy>(client, table, SM_POLICY_NAMESPACE, CONFIG_INDEX),
      jobs: new JobStore<SMMetadata>(client, table, SM_JOB_KIND),
    };
  }

  async create(name: string, body: unknown): Promise<StoredDocument<SMPolicy>> {
    validatePolicyName(name);
    validateDocumentId(policyDocId(name));
    const now = this.clock.now();
    const policy = parsePolicy(body, { name, now });
    const doc = await this.policies.create(policyDocId(name), policy);
    await this.scheduleNewPolicy(doc);
    return doc;
  }

  async update(
    name: string,
    body: unknown,
    ifSeqNo: number | undefined,
    ifPrimaryTerm: number | undefined,
  ): Promise<StoredDocument<SMPolicy>> {
    validatePolicyName(name);
    validateDocumentId(policyDocId(name));
    if (ifSeqNo === undefined || ifPrimaryTerm === undefined) {
      throw new OpenSearchError(
        400,
        'action_request_validation_exception',
        'Validation Failed: 1: Sequence number and primary term must be provided when updating a snapshot management policy;',
      );
    }
    const policy = parsePolicy(body, { name, now: this.clock.now() });
    const doc = await this.policies.update(policyDocId(name), policy, ifSeqNo, ifPrimaryTerm);
    await this.wakeJob(doc);
    return doc;
  }

  async get(name: string): Promise<StoredDocument<SMPolicy>> {
    const doc = await this.policies.get(policyDocId(name));
    if (!doc) throw notFound();
    return doc;
  }

  async delete(name: string): Promise<DeletedDocument> {
    const deleted = await this.policies.delete(policyDocId(name));
    if (!deleted) throw notFound();
    // The plugin keeps the metadata document: a policy created again under this name goes on
    // from it (new trigger times, its states and latest executions kept). It is no longer run.
    await this.retryOnStale(async () => {
      const current = await this.jobs.get(name);
      if (current) await this.jobs.update(name, current.rev, current.state, null);
    });
    return deleted;
  }

  /** `_start` / `_stop`: true when the policy changed, true too when it already was so. */
  async setEnabled(name: string, enabled: boolean): Promise<boolean> {
    validatePolicyName(name);
    try {
      // Callers racing on one policy each read again after a lost race (with back-off) and find
      // it switched: every one of them answers true.
      return await retryLostRaces(async () => {
        const doc = await this.get(name);
        if (doc.source.enabled === enabled) return true;
        const now = this.clock.now();
        const source: SMPolicy = {
          ...doc.source,
          enabled,
          enabled_time: enabled ? now : null,
          last_updated_time: now,
        };
        const updated = await this.policies.update(doc.id, source, doc.seqNo, doc.primaryTerm);
        await this.wakeJob(updated);
        return true;
      });
    } catch (e) {
      if (!isVersionConflict(e)) throw e;
    }
    throw new OpenSearchError(
      500,
      'status_exception',
      `Failed while trying to ${enabled ? 'enable' : 'disable'} SM Policy due to a concurrent update, please try again`,
    );
  }

  async list(params: ListParams): Promise<{ policies: StoredDocument<SMPolicy>[]; total: number }> {
    if (params.from < 0) throw illegalArgument('[from] parameter cannot be negative');
    if (params.size < 0) throw illegalArgument(`[size] parameter cannot be negative, found [${params.size}]`);
    const order = params.sortOrder.toLowerCase();
    if (order !== 'asc' && order !== 'desc') {
      throw illegalArgument(
        `No enum constant org.opensearch.search.sort.SortOrder.${params.sortOrder.toUpperCase()}`,
      );
    }
    const matches = compilePolicyQuery(params.queryString);
    const { total, hits } = searchConfigDocuments((await this.policies.list()).filter(matches), {
      sortField: params.sortField,
      order,
      from: params.from,
      size: params.size,
      fields: SM_POLICY_FIELDS,
      values: policyValues,
    });
    return { policies: hits, total };
  }

  /** `_explain` for a comma list of names and wildcards: one entry per policy found. */
  async explain(names: string): Promise<ReturnType<typeof explainEntry>[]> {
    const entries = names
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    // TransportExplainSMAction: a wildcard query for a name with `*` or `?`, a term query otherwise.
    const patterns = (entries.length === 0 ? ['*'] : entries).map((e) => {
      if (!/[*?]/.test(e)) return (name: string) => name === e;
      const re = wildcardRegExp(e);
      return (name: string) => re.test(name);
    });
    const docs = (await this.policies.list())
      .filter((d) => patterns.some((p) => p(policyNameOf(d.id))))
      .slice(0, 10_000);
    const records = await Promise.all(docs.map((d) => this.jobs.get(policyNameOf(d.id))));
    return docs.map((d, i) => explainEntry(policyNameOf(d.id), d.source.enabled, records[i]?.state));
  }

  /**
   * A new policy: its metadata waits for the policy's first job run; one left by a deleted policy
   * of this name is kept (the runner brings it up to date with the new policy), as the plugin's is.
   */
  private async scheduleNewPolicy(doc: StoredDocument<SMPolicy>): Promise<void> {
    const now = this.clock.now();
    const dueAt = doc.source.enabled ? firstJobRun(doc.source, now) : null;
    const metadata = awaitingMetadata(doc.source, doc.seqNo, doc.primaryTerm, now);
    if (await this.jobs.create(doc.source.name, metadata, dueAt)) return;
    await this.retryOnStale(async () => {
      const current = await this.jobs.get(doc.source.name);
      if (!current) return void (await this.jobs.create(doc.source.name, metadata, dueAt));
      await this.jobs.update(doc.source.name, current.rev, current.state, dueAt);
    });
  }

  /**
   * A changed policy: the runner looks at it now (it sees the new seq_no and recomputes the
   * trigger times, keeping the workflows' states), or never while the policy is disabled; one
   * whose first run is still to come runs when its schedule next fires.
   */
  private async wakeJob(doc: StoredDocument<SMPolicy>): Promise<void> {
    await this.retryOnStale(async () => {
      const current = await this.jobs.get(doc.source.name);
      if (!current) return this.scheduleNewPolicy(doc);
      const now = this.clock.now();
      const dueAt = !doc.source.enabled
        ? null
        : current.state.awaiting_first_run
          ? firstJobRun(doc.source, now)
          : now;
      await this.jobs.update(doc.source.name, current.rev, current.state, dueAt);
    });
  }

  private async retryOnStale(fn: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof StaleJobError) || attempt >= 5) throw e;
      }
    }
  }
}

/** A policy's values of a config-index field (`sm_policy.name` is the name, as it is indexed). */
const policyValues = (doc: StoredDocument<SMPolicy>, field: string): unknown[] =>
  sourceValues({ ...doc.source, name: policyNameOf(doc.id) }, field, 'sm_policy');

/**
 * `queryString` as TransportGetSMPoliciesAction runs it: a query_string over the policy
 * documents, default field `sm_policy.name`, operator AND.
 */
export const compilePolicyQuery = (queryString: string): ((doc: StoredDocument<SMPolicy>) => boolean) => {
  const matches = compileLuceneQuery(queryString, {
    defaultField: 'sm_policy.name',
    field: smPolicyQueryField,
    fields: () => Object.keys(SM_POLICY_FIELDS),
  });
  return (doc) => matches((field) => policyValues(doc, field));
};
