import { DocumentStore, type StoredDocument } from '../shared/document-store';
import { CONFIG_INDEX, illegalArgument, statusException, versionConflict } from '../shared/errors';
import type { Policy } from './policy/model';
import { compilePolicyQuery } from './policy-query';
import { sortDocuments } from '../shared/sort-documents';

/**
 * ISM policy documents: read, list and delete. Writes, which need the whole policy validator,
 * live in policy-writer.ts so the read handlers stay small. Knows nothing of HTTP or Lambda.
 */
export const POLICY_NAMESPACE = 'ism-policy';

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
  constructor(private readonly store: DocumentStore<Policy>) {}

  static policyStore(
    client: ConstructorParameters<typeof DocumentStore>[0],
    table: string,
  ): DocumentStore<Policy> {
    return new DocumentStore<Policy>(client, table, POLICY_NAMESPACE, CONFIG_INDEX);
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
    const matches = compilePolicyQuery(params.queryString);
    const all = sortDocuments((await this.store.list()).filter(matches), params.sortField, 'policy', order);
    return { policies: all.slice(params.from, params.from + params.size), total: all.length };
  }
}
