import {
  CONFIG_INDEX,
  indexUuid,
  OpenSearchError,
  type ErrorCause,
  type ErrorEnvelope,
} from '../../shared/errors';

/**
 * A search of the plugin's config index that fails on its one shard, as explain's search for
 * the managed-index jobs does: `search_phase_execution_exception` ("all shards failed") with the
 * shard's reason in `root_cause`, `failed_shards` and `caused_by`, exactly as OpenSearch nests it.
 */
const CONFIG_INDEX_UUID = indexUuid(CONFIG_INDEX);
/** Stands in for the id of the node holding the config index's shard (we have none). */
const NODE_ID = indexUuid('ism-config-node');

export class ConfigSearchError extends OpenSearchError {
  constructor(
    private readonly shardCause: ErrorCause,
    /** OpenSearch's `caused_by`, which nests a further `caused_by` for some failures. */
    private readonly causedByChain: ErrorCause | { type: string; reason: string; caused_by: ErrorCause },
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

/** The sort names a field the config index's mapping lacks (or a text field). */
export const sortFieldError = (type: string, reason: string): ConfigSearchError => {
  const cause = { type, reason, index: CONFIG_INDEX, index_uuid: CONFIG_INDEX_UUID };
  return new ConfigSearchError(cause, cause);
};

/** `from + size` over the config index's `index.max_result_window` (10,000). */
export const MAX_RESULT_WINDOW = 10_000;

export const resultWindowError = (window: number): ConfigSearchError => {
  const reason =
    `Result window is too large, from + size must be less than or equal to: [${MAX_RESULT_WINDOW}] but was [${window}]. ` +
    'See the scroll api for a more efficient way to request large data sets. ' +
    'This limit can be set by changing the [index.max_result_window] index level setting.';
  const cause = { type: 'illegal_argument_exception', reason };
  return new ConfigSearchError(cause, { ...cause, caused_by: cause });
};
