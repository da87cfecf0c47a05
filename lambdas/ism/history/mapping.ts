/**
 * The history index: what the plugin writes, under the plugin's names, so that dashboards and
 * queries made for `.opendistro-ism-managed-index-history-*` work unchanged.
 */
export const HISTORY_WRITE_ALIAS = '.opendistro-ism-managed-index-history-write';
/** Date math: the first index of a day is `.opendistro-ism-managed-index-history-<yyyy.MM.dd>-1`. */
export const HISTORY_INDEX_PATTERN = '<.opendistro-ism-managed-index-history-{now/d{yyyy.MM.dd}}-1>';
export const HISTORY_INDICES = '.opendistro-ism-managed-index-history-*';
/** The root field of every history document (the plugin's INDEX_STATE_MANAGEMENT_HISTORY_TYPE). */
export const HISTORY_TYPE = 'managed_index_meta_data';

const text = { type: 'text', fields: { raw: { type: 'keyword' } } };
const date = { type: 'date', format: 'strict_date_time||epoch_millis' };

/**
 * The plugin's history mapping (schema version 5). One difference: `dynamic` is `false`, not
 * `strict`, so a metadata field the mapping lacks (e.g. `rolled_over_index_name`, or an
 * action property of ours) is kept in `_source` instead of the whole document being refused.
 */
export const HISTORY_MAPPING = {
  _meta: { schema_version: 5 },
  dynamic: false,
  properties: {
    [HISTORY_TYPE]: {
      properties: {
        index: text,
        index_uuid: { type: 'keyword' },
        policy_id: text,
        policy_seq_no: { type: 'long' },
        policy_primary_term: { type: 'long' },
        policy_completed: { type: 'boolean' },
        rolled_over: { type: 'boolean' },
        index_creation_date: date,
        transition_to: { type: 'keyword' },
        state: { properties: { name: text, start_time: date } },
        action: {
          properties: {
            name: { type: 'keyword' },
            start_time: date,
            index: { type: 'integer' },
            failed: { type: 'boolean' },
            consumed_retries: { type: 'integer' },
            last_retry_time: date,
            action_properties: {
              properties: {
                was_read_only: { type: 'boolean' },
                max_num_segments: { type: 'integer' },
                snapshot_name: text,
                rollup_id: { type: 'text', fields: { keyword: { type: 'keyword' } } },
                has_rollup_failed: { type: 'boolean' },
                shrink_action_properties: { type: 'object', enabled: false },
              },
            },
          },
        },
        step: {
          properties: { name: { type: 'keyword' }, start_time: date, step_status: { type: 'keyword' } },
        },
        validate: {
          properties: { validation_message: { type: 'keyword' }, validation_status: { type: 'keyword' } },
        },
        retry_info: { properties: { failed: { type: 'boolean' }, consumed_retries: { type: 'integer' } } },
        info: { type: 'object', enabled: false },
        history_timestamp: date,
      },
    },
  },
} as const;
