import type { Clock } from '../shared/clock';
import { DocumentStore, type StoredDocument } from '../shared/document-store';
import {
  CONFIG_INDEX,
  OpenSearchError,
  illegalArgument,
  statusException,
  versionConflict,
} from '../shared/errors';
import { findTemplateConflict } from './policy/ism-template';
import type { Policy } from './policy/model';
import { ISM_CONFIG_SCHEMA_VERSION, parsePolicy } from './policy/parse';
import { compileQueryString } from './query-string';

/**
 * ISM policy documents: create, update, read, list and delete, with OpenSearch's validation and
 * optimistic concurrency. Knows nothing of HTTP or Lambda.
 */
export const POLICY_NAMESPACE = 'ism-policy';
const MAX_ID_BYTES = 512;

export interface PutPolicyResult {
  created: boolean;
  stored: StoredDocument<Policy>;
  /** The policy as the put response echoes it (schema_version from the request body). */
  echoed: Policy;
}

export interface ListPoliciesParams {
  from: number;
  size: number;
  sortField: string;
  sortOrder: string;
  queryString: string;
}

export interface PolicyPage {
  policies: StoredDocument<Policy>[];
  total: number;
}

export class PolicyService {
  constructor(
    private readonly store: DocumentStore<Policy>,
    private readonly clock: Clock,
  ) {}

  static policyStore(
    client: ConstructorParameters<typeof DocumentStore>[0],
    table: string,
  ): DocumentStore<Policy> {
    return new DocumentStore<Policy>(client, table, POLICY_NAMESPACE, CONFIG_INDEX);
  }

  async put(
    id: string | undefined,
    body: unknown,
    ifSeqNo: number | undefined,
    ifPrimaryTerm: number | undefined,
  ): Promise<PutPolicyResult> {
    if (!id) throw illegalArgument('Missing policy ID');
    validateId(id);
    if (body === undefined) throw new OpenSearchError(400, 'parse_exception', 'request body is required');
    const parsed = parsePolicy(body, { policyId: id, now: this.clock.now() });
    const stored: Policy = { ...parsed, schema_version: ISM_CONFIG_SCHEMA_VERSION };

    if (parsed.ism_template && parsed.ism_template.length > 0) {
      const others = (await this.store.list())
        .filter((d) => d.id !== id && d.source.ism_template)
        .map((d) => ({ policyId: d.id, templates: d.source.ism_template ?? [] }));
      const conflict = findTemplateConflict(id, parsed.ism_template, others);
      if (conflict) throw conflict;
    }

    // Only a complete pair makes an update; anything less is create-only, as in the plugin.
    const isUpdate = ifSeqNo !== undefined && ifPrimaryTerm !== undefined;
    const doc = isUpdate
      ? await this.store.update(id, stored, ifSeqNo, ifPrimaryTerm)
      : await this.store.create(id, stored);
    return { created: !isUpdate, stored: doc, echoed: parsed };
  }

  async get(id: string, version?: number): Promise<StoredDocument<Policy>> {
    const doc = await this.store.get(id);
    if (!doc) throw statusException(404, 'Policy not found');
    if (version !== undefined && version !== doc.version) {
      throw versionConflict(
        `[${id}]: version conflict, current version [${doc.version}] is different than the one provided [${version}]`,
      );
    }
    return doc;
  }

  async exists(id: string, version?: number): Promise<boolean> {
    const doc = await this.store.get(id);
    return doc !== undefined && (version === undefined || version === doc.version);
  }

  async delete(id: string) {
    const deleted = await this.store.delete(id);
    if (!deleted) throw statusException(404, `Policy ${id} is not found`);
    return deleted;
  }

  async list(params: ListPoliciesParams): Promise<PolicyPage> {
    if (params.from < 0) throw illegalArgument('[from] parameter cannot be negative');
    if (params.size < 0) throw illegalArgument(`[size] parameter cannot be negative, found [${params.size}]`);
    const order = params.sortOrder.toLowerCase();
    if (order !== 'asc' && order !== 'desc') {
      throw illegalArgument(
        `No enum constant org.opensearch.search.sort.SortOrder.${params.sortOrder.toUpperCase()}`,
      );
    }
    const matches = compileQueryString(params.queryString);
    const field = sortFieldPath(params.sortField);
    const all = (await this.store.list()).filter((d) => matches(d.id));
    const direction = order === 'asc' ? 1 : -1;
    all.sort(
      (a, b) =>
        direction * compareValues(valueAt(a.source, field), valueAt(b.source, field)) ||
        a.id.localeCompare(b.id),
    );
    return { policies: all.slice(params.from, params.from + params.size), total: all.length };
  }
}

const validateId = (id: string): void => {
  const bytes = Buffer.byteLength(id);
  if (bytes > MAX_ID_BYTES) {
    throw new OpenSearchError(
      400,
      'action_request_validation_exception',
      `Validation Failed: 1: id [${id}] is too long, must be no longer than ${MAX_ID_BYTES} bytes but was: ${bytes};`,
    );
  }
};

/** `policy.policy_id.keyword` → `['policy_id']`: sort fields name paths in the stored document. */
const sortFieldPath = (sortField: string): string[] =>
  sortField
    .replace(/^policy\./, '')
    .replace(/\.keyword$/, '')
    .split('.')
    .filter((p) => p !== '');

const valueAt = (source: unknown, path: string[]): unknown =>
  path.reduce<unknown>(
    (v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
    source,
  );

/** Missing values sort last, as in OpenSearch's default `missing: _last`. */
const compareValues = (a: unknown, b: unknown): number => {
  const aMissing = a === undefined || a === null;
  const bMissing = b === undefined || b === null;
  if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
};
