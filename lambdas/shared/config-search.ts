import type { StoredDocument } from './document-store';
import {
  CONFIG_INDEX,
  OpenSearchError,
  illegalArgument,
  indexUuid,
  type ErrorCause,
  type ErrorEnvelope,
} from './errors';

/**
 * The plugins' list APIs search their config index (`.opendistro-ism-config`, one shard) with a
 * sort, a `from` and a `size`. What that search refuses and how it orders, with the index's
 * mapping in mind:
 *
 *   const page = searchConfigDocuments(docs, { sortField: 'rollup.rollup_id.keyword', order: 'asc',
 *     from: 0, size: 20, fields: ROLLUP_FIELDS, values: (doc, field) => [...] });
 *
 * A failure is the search's own: `search_phase_execution_exception` ("all shards failed") with
 * the shard's reason in `root_cause`, `failed_shards` and `caused_by`, nested as OpenSearch nests
 * it (a shard-level exception names the index; an IllegalArgumentException does not, and its
 * `caused_by` repeats it once more).
 */
const CONFIG_INDEX_UUID = indexUuid(CONFIG_INDEX);
/** Stands in for the id of the node holding the config index's shard (we have none). */
const NODE_ID = indexUuid('ism-config-node');

/** `caused_by`, which nests a further `caused_by` for some failures. */
type CausedBy = ErrorCause | { type: string; reason: string; caused_by: ErrorCause };

export class ConfigSearchError extends OpenSearchError {
  constructor(
    private readonly shardCause: ErrorCause,
    private readonly causedByChain: CausedBy,
  ) {
    super(400, 'search_phase_execution_exception', 'all shards failed', { phase: 'query', grouped: true });
  }

  override toEnvelope(): ErrorEnvelope {
    return {
      error: {
        root_cause: [this.shardCause],
        type: this.type,
        reason: this.reason,
        phase: 'query',
        grouped: true,
        failed_shards: [{ shard: 0, index: CONFIG_INDEX, node: NODE_ID, reason: this.shardCause }],
        // ErrorCause has flat values only; the envelope is JSON all the same.
        caused_by: this.causedByChain as ErrorCause,
      },
      status: this.status,
    };
  }
}

/** A QueryShardException: it names the index. */
const shardException = (reason: string): ConfigSearchError => {
  const cause = { type: 'query_shard_exception', reason, index: CONFIG_INDEX, index_uuid: CONFIG_INDEX_UUID };
  return new ConfigSearchError(cause, cause);
};

/** An IllegalArgumentException thrown on the shard. */
const illegalOnShard = (reason: string): ConfigSearchError => {
  const cause = { type: 'illegal_argument_exception', reason };
  return new ConfigSearchError(cause, { ...cause, caused_by: cause });
};

export const MAX_RESULT_WINDOW = 10_000;

/**
 * The paging parameters of a list API (rollups, transforms), checked as the plugin's REST layer
 * checks them before its search; returns the sort order.
 */
export const checkListPage = (params: {
  from: number;
  size: number;
  sortDirection: string;
}): 'asc' | 'desc' => {
  if (params.from < 0) throw illegalArgument('[from] parameter cannot be negative');
  if (params.size < 0) throw illegalArgument(`[size] parameter cannot be negative, found [${params.size}]`);
  const direction = params.sortDirection.toLowerCase();
  if (direction !== 'asc' && direction !== 'desc') {
    throw illegalArgument(
      `No enum constant org.opensearch.search.sort.SortOrder.${params.sortDirection.toUpperCase()}`,
    );
  }
  return direction;
};

export const textFieldSortError = (field: string): ConfigSearchError =>
  illegalOnShard(
    'Text fields are not optimised for operations that require per-document field data like aggregations ' +
      'and sorting, so these operations are disabled by default. Please use a keyword field instead. ' +
      `Alternatively, set fielddata=true on [${field}] in order to load field data by uninverting the ` +
      'inverted index. Note that this can use significant memory.',
  );

export const unmappedSortError = (field: string): ConfigSearchError =>
  shardException(`No mapping found for [${field}] in order to sort on`);

export const resultWindowError = (window: number): ConfigSearchError =>
  illegalOnShard(
    `Result window is too large, from + size must be less than or equal to: [${MAX_RESULT_WINDOW}] but was [${window}]. ` +
      'See the scroll api for a more efficient way to request large data sets. ' +
      'This limit can be set by changing the [index.max_result_window] index level setting.',
  );

/** How the config index maps a field, as far as sorting cares (`nested`: inside a nested object). */
export type SortableType = 'keyword' | 'text' | 'number' | 'date' | 'boolean' | 'nested';

export interface ConfigSearch<T> {
  readonly sortField: string;
  readonly order: 'asc' | 'desc';
  readonly from: number;
  readonly size: number;
  /** The mapped type of a field by its full name (`rollup.rollup_id.keyword`); undefined: unmapped. */
  readonly fields: Readonly<Record<string, SortableType>>;
  /** A document's values of a field (several for a field inside an array). */
  readonly values: (doc: StoredDocument<T>, field: string) => readonly unknown[];
}

/** The sort value of a document: the least of its values ascending, the greatest descending. */
const sortValue = (values: readonly unknown[], type: SortableType, order: 'asc' | 'desc'): unknown => {
  const present = values
    .filter((v) => v !== null && v !== undefined && typeof v !== 'object')
    .map((v) => (type === 'boolean' ? (v === true || v === 'true' ? 1 : 0) : v));
  if (present.length === 0) return undefined;
  return present.reduce((a, b) => (compare(a, b) < 0 === (order === 'asc') ? a : b));
};

const compare = (a: unknown, b: unknown): number => {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Sorts and pages the documents as the search would: the sort field must be mapped and not
 * text; missing values sort last in both orders; ties go by id. The sort is checked before the
 * result window, as OpenSearch parses the sort first.
 * @throws ConfigSearchError for a text, nested or unmapped sort field, or from + size over 10,000
 */
export const searchConfigDocuments = <T>(
  docs: readonly StoredDocument<T>[],
  search: ConfigSearch<T>,
): { total: number; hits: StoredDocument<T>[] } => {
  const type = search.fields[search.sortField];
  if (type === undefined) throw unmappedSortError(search.sortField);
  if (type === 'text') throw textFieldSortError(search.sortField);
  if (type === 'nested') {
    throw shardException(
      `it is mandatory to set the [nested] context on the nested sort field: [${search.sortField}].`,
    );
  }
  if (search.from + search.size > MAX_RESULT_WINDOW) throw resultWindowError(search.from + search.size);
  const direction = search.order === 'asc' ? 1 : -1;
  const keyed = docs.map((doc) => ({
    doc,
    key: sortValue(search.values(doc, search.sortField), type, search.order),
  }));
  keyed.sort((a, b) => {
    const aMissing = a.key === undefined;
    const bMissing = b.key === undefined;
    if (aMissing || bMissing) {
      if (aMissing !== bMissing) return aMissing ? 1 : -1;
    } else {
      const c = compare(a.key, b.key);
      if (c !== 0) return direction * c;
    }
    return a.doc.id < b.doc.id ? -1 : a.doc.id > b.doc.id ? 1 : 0;
  });
  return {
    total: docs.length,
    hits: keyed.slice(search.from, search.from + search.size).map((k) => k.doc),
  };
};

/**
 * A field's values in a document's source under its root (`rollup.` → the job), arrays
 * flattened as indexing flattens them; a `.keyword` sub-field has its parent's values.
 */
export const sourceValues = (source: unknown, field: string, root: string): unknown[] => {
  if (!field.startsWith(`${root}.`)) return [];
  const path = field
    .slice(root.length + 1)
    .replace(/\.keyword$/, '')
    .split('.');
  const collect = (value: unknown, rest: readonly string[]): unknown[] => {
    if (Array.isArray(value)) return value.flatMap((v) => collect(v, rest));
    if (rest.length === 0) return [value];
    return value !== null && typeof value === 'object'
      ? collect((value as Record<string, unknown>)[rest[0]], rest.slice(1))
      : [];
  };
  return collect(source, path);
};
