import { illegalArgument } from '../../shared/errors';
import { isObject } from '../../shared/xcontent';

/**
 * `target_index_settings`: read like OpenSearch's Settings.loadFromMap (nested or dotted keys,
 * scalar values kept as strings), prefixed with `index.`, checked against the index-scoped
 * settings a rollup target can take, and echoed in nested string form:
 * `{"index":{"number_of_shards":"2","codec":"zlib"}}`.
 */
const KNOWN = new Set([
  'index.number_of_shards',
  'index.number_of_replicas',
  'index.auto_expand_replicas',
  'index.codec',
  'index.refresh_interval',
  'index.max_result_window',
  'index.max_inner_result_window',
  'index.max_terms_count',
  'index.max_docvalue_fields_search',
  'index.max_script_fields',
  'index.max_ngram_diff',
  'index.max_shingle_diff',
  'index.max_refresh_listeners',
  'index.max_slices_per_scroll',
  'index.max_regex_length',
  'index.hidden',
  'index.blocks.read_only',
  'index.blocks.read_only_allow_delete',
  'index.blocks.read',
  'index.blocks.write',
  'index.blocks.metadata',
  'index.priority',
  'index.query.default_field',
  'index.number_of_routing_shards',
  'index.shard.check_on_startup',
  'index.translog.durability',
  'index.translog.sync_interval',
  'index.translog.flush_threshold_size',
  'index.gc_deletes',
  'index.default_pipeline',
  'index.final_pipeline',
  'index.search.idle.after',
  'index.mapping.total_fields.limit',
  'index.mapping.depth.limit',
  'index.mapping.nested_fields.limit',
  'index.mapping.ignore_malformed',
  'index.mapping.coerce',
  'index.merge.policy',
  'index.sort.field',
  'index.sort.order',
  'index.replication.type',
]);
const KNOWN_PREFIXES = ['index.routing.allocation.', 'index.analysis.', 'index.merge.', 'index.similarity.'];

const flatten = (value: Record<string, unknown>, prefix: string, out: Record<string, string>): void => {
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isObject(v)) flatten(v, key, out);
    else if (Array.isArray(v)) out[key] = v.map(String).join(',');
    else if (v === null) continue;
    else out[key] = String(v);
  }
};

export const normalizeIndexSettings = (value: Record<string, unknown>): Record<string, unknown> => {
  const flat: Record<string, string> = {};
  flatten(value, '', flat);
  const nested: Record<string, unknown> = {};
  for (const [raw, v] of Object.entries(flat)) {
    const key = raw.startsWith('index.') ? raw : `index.${raw}`;
    if (!KNOWN.has(key) && !KNOWN_PREFIXES.some((p) => key.startsWith(p))) {
      throw illegalArgument(
        `unknown setting [${key}] please check that any required plugins are installed, or check the breaking changes documentation for removed settings`,
      );
    }
    if (key === 'index.number_of_shards' && !(Number(v) >= 1 && Number.isInteger(Number(v)))) {
      throw illegalArgument(`Failed to parse value [${v}] for setting [${key}] must be >= 1`);
    }
    let node = nested;
    const parts = key.split('.');
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]] = v;
  }
  return nested;
};
