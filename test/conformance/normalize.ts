import { canonical, type Json, type Response } from './scenario';

/**
 * The corpus's normalization (test/conformance/corpus/README.md, "Normalization"), applied to
 * both sides before a step is compared: times, generated identifiers, sequence numbers (as
 * ordinals per scenario), SM snapshot names and the repository path. Nothing else is touched.
 */
const TIME_KEYS = new Set([
  'took',
  'time',
  'start_time',
  'end_time',
  'creation_date',
  'last_updated_time',
  'enabled_time',
  'last_retry_time',
  'start_time_in_millis',
  'end_time_in_millis',
  'duration_in_millis',
  'index_time_in_millis',
  'search_time_in_millis',
  'time_in_millis',
  'index_creation_date',
  'creation_date_millis',
  'next_execution_time',
  'last_execution_time',
  'history_timestamp',
  'creation_date_string',
  'rollover_date',
  'timestamp',
  'last_run_time',
  'schedule_time',
  'start',
  'end',
  'time_to_now',
  'duration',
  'total_time_in_millis',
  'throttle_time_in_millis',
]);
const TIME_KEY_SUFFIX = /(_time|_time_millis|_in_millis|_timestamp|_date|_at)$/;
const UUID_KEYS = new Set([
  'index_uuid',
  'uuid',
  'cluster_uuid',
  'metadata_id',
  'rollup_metadata_id',
  'transform_metadata_id',
  'history_uuid',
  'node',
  'node_id',
  'ephemeral_id',
]);
/** Keys whose values become ordinals, and the group each counts in. */
const ORDINAL_KEYS: Record<string, string> = {
  _seq_no: 'seq',
  seq_no: 'seq',
  policy_seq_no: 'seq',
  _primary_term: 'term',
  primary_term: 'term',
  policy_primary_term: 'term',
  _version: 'version',
};

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const ISO_DATE_TIME = /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\b/g;
const EPOCH_MILLIS = /\b1[5-9]\d{11}\b/g;
/** `<policy>-<date>-<8 random chars>`: the names SM gives its snapshots (policies here are `cf-…`). */
const SNAPSHOT_NAME = /\b(cf-[a-z0-9-]+?)-(\d[0-9.:_tT-]*\d)-([a-z0-9]{8})\b/g;
const INDEX_WITH_UUID = /\[([^[\]/\s]+)\/([A-Za-z0-9_-]{22})\]/g;
/** A time-based auto-generated document id: 20 URL-safe characters with an upper-case letter or digit. */
const GENERATED_ID = /^(?!cf-)(?=.*[A-Z0-9])[A-Za-z0-9_-]{20}$/;

export class Normalizer {
  private readonly ordinals = new Map<string, Map<string, number>>();

  constructor(private readonly pathRepo: string | null) {}

  private ordinal(group: string, value: Json): string {
    let seen = this.ordinals.get(group);
    if (!seen) this.ordinals.set(group, (seen = new Map()));
    const key = JSON.stringify(value);
    if (!seen.has(key)) seen.set(key, seen.size + 1);
    return `<${group}#${seen.get(key)}:${typeof value}>`;
  }

  text(input: string): string {
    let s = input.replace(/(\/_doc\/)([A-Za-z0-9_-]{20})$/, (whole, prefix: string, id: string) =>
      GENERATED_ID.test(id) ? `${prefix}<generated-id>` : whole,
    );
    if (this.pathRepo) s = s.split(this.pathRepo).join('<path_repo>');
    s = s.replace(
      /(seqNo|seq_no) \[(-?\d+)\]/g,
      (_m, k: string, n: string) => `${k} [${this.ordinal('seq', Number(n))}]`,
    );
    s = s.replace(
      /(primary term|primary_term) \[(-?\d+)\]/g,
      (_m, k: string, n: string) => `${k} [${this.ordinal('term', Number(n))}]`,
    );
    s = s.replace(
      /(current version|version) \[(\d+)\]/g,
      (_m, k: string, n: string) => `${k} [${this.ordinal('version', Number(n))}]`,
    );
    return s
      .replace(SNAPSHOT_NAME, '$1-<date>-<rand>')
      .replace(INDEX_WITH_UUID, '[$1/<uuid>]')
      .replace(UUID, '<uuid>')
      .replace(ISO_DATE_TIME, '<time>')
      .replace(EPOCH_MILLIS, '<time>');
  }

  value(value: Json, key?: string, unordered = false): Json {
    if (key !== undefined) {
      const timeLike = typeof value === 'number' || (typeof value === 'string' && /\d/.test(value));
      if ((TIME_KEYS.has(key) || TIME_KEY_SUFFIX.test(key)) && timeLike) return '<time>';
      if (UUID_KEYS.has(key) && typeof value === 'string') return '<uuid>';
      if (key in ORDINAL_KEYS && (typeof value === 'number' || typeof value === 'string')) {
        return this.ordinal(ORDINAL_KEYS[key], value);
      }
      if (key === '_id' && typeof value === 'string' && GENERATED_ID.test(value)) return '<generated-id>';
    }
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) {
      const items = value.map((v) => this.value(v, undefined, unordered));
      return unordered ? items.sort((a, b) => (canonical(a) < canonical(b) ? -1 : 1)) : items;
    }
    if (value && typeof value === 'object') {
      // Keys in sorted order, so ordinals are numbered the same way on both sides.
      const out: Record<string, Json> = {};
      for (const k of Object.keys(value).sort()) out[this.text(k)] = this.value(value[k], k, unordered);
      return out;
    }
    return value;
  }

  response(response: Response, options: { unordered?: boolean; waitSatisfied?: boolean } = {}): Json {
    const out: Record<string, Json> = { status: response.status, content_type: response.content_type };
    if (response.location) out.location = this.text(response.location);
    if (response.body !== undefined) out.body = this.value(response.body, undefined, options.unordered);
    else out.text = this.text(response.text ?? '');
    if (options.waitSatisfied !== undefined) out.wait_satisfied = options.waitSatisfied;
    return out;
  }
}

const kind = (v: Json | undefined): string =>
  v === undefined ? 'absent' : v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;

const show = (v: Json | undefined): string => {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
};

export interface Difference {
  /** `$.body.policy.schema_version`; `.length` for an array's length. */
  path: string;
  /** `21 vs 20`, the plugin's value first. */
  text: string;
}

/** Path-level differences between two normalized values (the plugin's first). */
export const differences = (plugin: Json | undefined, ours: Json | undefined, path = '$'): Difference[] => {
  const out: Difference[] = [];
  const walk = (a: Json | undefined, b: Json | undefined, p: string): void => {
    if (out.length > 200 || canonical(a) === canonical(b)) return;
    const ka = kind(a);
    if (ka !== kind(b) || (ka !== 'object' && ka !== 'array')) {
      out.push({ path: p, text: `${show(a)} vs ${show(b)}` });
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) out.push({ path: `${p}.length`, text: `${a.length} vs ${b.length}` });
      for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], `${p}[${i}]`);
      return;
    }
    const oa = a as Record<string, Json>;
    const ob = b as Record<string, Json>;
    for (const k of [...new Set([...Object.keys(oa), ...Object.keys(ob)])].sort()) {
      const kp = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? `${p}.${k}` : `${p}[${JSON.stringify(k)}]`;
      walk(k in oa ? oa[k] : undefined, k in ob ? ob[k] : undefined, kp);
    }
  };
  walk(plugin, ours, path);
  return out;
};
