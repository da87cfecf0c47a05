/**
 * A search that mixes rollup and plain indices (`plugins.rollup.search.search_source_indices`):
 * the plugin rewrites only the rollup shards, and the cluster reduces every shard's answer into
 * one. We send the two halves as two searches, so this reduces their two answers the same way:
 * hit totals and shard counts add up, metrics combine (sum and count add, min and max take the
 * extreme), and buckets of `terms`, `histogram` and `date_histogram` with the same key merge
 * (doc counts add, sub-aggregations merge), ordered and cut to `size` as the aggregation asks.
 */
import { fixedIntervalMs } from '../job/intervals';
import { responseKey } from './rewrite';

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: Json): number | null => (typeof v === 'number' ? v : null);

const BUCKET_TYPES = ['terms', 'histogram', 'date_histogram'];

/** The aggregation type of a definition: its one key that is not `aggs`/`aggregations`/`meta`. */
const typeOf = (def: JsonObject): [string, JsonObject] => {
  const entry = Object.entries(def).find(([k]) => k !== 'aggs' && k !== 'aggregations' && k !== 'meta');
  return entry ? [entry[0], isObject(entry[1]) ? entry[1] : {}] : ['', {}];
};

const subDefs = (def: JsonObject): JsonObject | undefined => {
  const sub = def.aggs ?? def.aggregations;
  return isObject(sub) ? sub : undefined;
};

const mergeMetric = (type: string, a: JsonObject, b: JsonObject): JsonObject => {
  const x = num(a.value);
  const y = num(b.value);
  let value: number | null;
  if (type === 'min') value = x === null ? y : y === null ? x : Math.min(x, y);
  else if (type === 'max') value = x === null ? y : y === null ? x : Math.max(x, y);
  else value = x === null && y === null ? null : (x ?? 0) + (y ?? 0);
  const out: JsonObject = { ...a, value };
  // A formatted value belongs to one side's value; keep it only if that value won.
  if (value !== x) delete out.value_as_string;
  if (value === y && b.value_as_string !== undefined) out.value_as_string = b.value_as_string;
  return out;
};

const bucketKey = (b: JsonObject): string => JSON.stringify(b.key);

type Order = { key: '_key' | '_count'; dir: 1 | -1 }[];

/** The bucket order an aggregation asks for; orders by sub-aggregation fall back to the default. */
const orderOf = (type: string, body: JsonObject): Order => {
  const fallback: Order =
    type === 'terms'
      ? [
          { key: '_count', dir: -1 },
          { key: '_key', dir: 1 },
        ]
      : [{ key: '_key', dir: 1 }];
  const list = Array.isArray(body.order) ? body.order : body.order === undefined ? [] : [body.order];
  const order: Order = [];
  for (const o of list) {
    if (!isObject(o)) continue;
    for (const [k, d] of Object.entries(o)) {
      const key = k === '_term' ? '_key' : k;
      if (key !== '_key' && key !== '_count') return fallback;
      order.push({ key, dir: d === 'desc' ? -1 : 1 });
    }
  }
  if (order.length === 0) return fallback;
  // Ties are broken by key, as OpenSearch does.
  if (!order.some((o) => o.key === '_key')) order.push({ key: '_key', dir: 1 });
  return order;
};

const compareKeys = (a: Json, b: Json): number =>
  typeof a === 'number' && typeof b === 'number'
    ? a - b
    : String(a) < String(b)
      ? -1
      : String(a) > String(b)
        ? 1
        : 0;

const sortBuckets = (buckets: JsonObject[], order: Order): JsonObject[] =>
  buckets.sort((a, b) => {
    for (const o of order) {
      const c =
        o.key === '_count'
          ? (num(a.doc_count) ?? 0) - (num(b.doc_count) ?? 0)
          : compareKeys(a.key ?? a.key_as_string, b.key ?? b.key_as_string);
      if (c !== 0) return c * o.dir;
    }
    return 0;
  });

const mergeBucket = (a: JsonObject, b: JsonObject, subs: JsonObject | undefined): JsonObject => {
  const out: JsonObject = { ...a, doc_count: (num(a.doc_count) ?? 0) + (num(b.doc_count) ?? 0) };
  if (subs) Object.assign(out, mergeAggregations(a, b, subs));
  return out;
};

const mergeBuckets = (
  type: string,
  body: JsonObject,
  a: JsonObject,
  b: JsonObject,
  subs?: JsonObject,
): JsonObject => {
  const keyed = !Array.isArray(a.buckets) && isObject(a.buckets);
  const list = (agg: JsonObject): [string, JsonObject][] =>
    Array.isArray(agg.buckets)
      ? (agg.buckets as JsonObject[]).map((x) => [bucketKey(x), x])
      : isObject(agg.buckets)
        ? Object.entries(agg.buckets as Record<string, JsonObject>)
        : [];
  const merged = new Map<string, JsonObject>(list(a));
  for (const [k, bucket] of list(b)) {
    const mine = merged.get(k);
    merged.set(k, mine ? mergeBucket(mine, bucket, subs) : bucket);
  }
  const out: JsonObject = { ...a };
  if (keyed) {
    const entries = [...merged.entries()];
    const sorted = sortBuckets(
      entries.map(([, x]) => x),
      orderOf(type, body),
    );
    const byBucket = new Map(entries.map(([k, x]) => [x, k]));
    out.buckets = Object.fromEntries(sorted.map((x) => [byBucket.get(x) as string, x]));
    return out;
  }
  let buckets = sortBuckets([...merged.values()], orderOf(type, body));
  if (type !== 'terms') buckets = fillGaps(type, body, buckets, subs);
  if (type === 'terms') {
    const size = typeof body.size === 'number' ? body.size : 10;
    const dropped = buckets.slice(size);
    buckets = buckets.slice(0, size);
    out.doc_count_error_upper_bound =
      (num(a.doc_count_error_upper_bound) ?? 0) + (num(b.doc_count_error_upper_bound) ?? 0);
    out.sum_other_doc_count =
      (num(a.sum_other_doc_count) ?? 0) +
      (num(b.sum_other_doc_count) ?? 0) +
      dropped.reduce((s, x) => s + (num(x.doc_count) ?? 0), 0);
  }
  out.buckets = buckets;
  return out;
};

/** An aggregation that saw no document, in the shape of `sample` (a bucket's sub-aggregation). */
const emptyLike = (sample: JsonObject, def: Json): JsonObject => {
  const [type] = isObject(def) ? typeOf(def) : [''];
  if (Array.isArray(sample.buckets) || isObject(sample.buckets)) {
    const out: JsonObject = { ...sample, buckets: Array.isArray(sample.buckets) ? [] : {} };
    if ('sum_other_doc_count' in sample) out.sum_other_doc_count = 0;
    if ('doc_count_error_upper_bound' in sample) out.doc_count_error_upper_bound = 0;
    return out;
  }
  return { value: type === 'min' || type === 'max' ? null : 0 };
};

/**
 * With `min_doc_count` 0 (the histograms' default) the cluster fills empty buckets between the
 * first and the last key of the whole answer; each half filled only its own range, so the gap
 * between them is filled here: for numeric and `fixed_interval` steps, in key order, when every
 * key is on the same grid and dates use the default format (else the buckets stay as they are).
 */
const fillGaps = (type: string, body: JsonObject, buckets: JsonObject[], subs?: JsonObject): JsonObject[] => {
  if ((num(body.min_doc_count) ?? 0) !== 0 || buckets.length < 2) return buckets;
  const order = orderOf(type, body);
  if (order[0].key !== '_key' || order[0].dir !== 1) return buckets;
  let step: number | undefined;
  try {
    step =
      type === 'histogram'
        ? (num(body.interval) ?? undefined)
        : typeof body.fixed_interval === 'string'
          ? fixedIntervalMs(body.fixed_interval)
          : undefined;
  } catch {
    step = undefined;
  }
  if (!step || step <= 0) return buckets;
  const keys = buckets.map((b) => num(b.key));
  if (keys.some((k) => k === null)) return buckets;
  const first = keys[0] as number;
  const last = keys[keys.length - 1] as number;
  if (
    keys.some(
      (k) => Math.abs(((k as number) - first) / step - Math.round(((k as number) - first) / step)) > 1e-9,
    )
  )
    return buckets;
  const isoDates =
    type === 'date_histogram' &&
    body.format === undefined &&
    buckets.every((b) => b.key_as_string === new Date(b.key as number).toISOString());
  if (type === 'date_histogram' && !isoDates) return buckets;
  if (type === 'histogram' && buckets.some((b) => b.key_as_string !== undefined)) return buckets;
  const count = Math.round((last - first) / step) + 1;
  if (count === buckets.length || count > 65_535) return buckets;
  const sample = buckets[0];
  // By grid position, not by key: float steps do not add up exactly.
  const byIndex = new Map(buckets.map((b) => [Math.round(((b.key as number) - first) / step), b]));
  const out: JsonObject[] = [];
  for (let i = 0; i < count; i++) {
    const found = byIndex.get(i);
    if (found) {
      out.push(found);
      continue;
    }
    const key = first + i * step;
    const empty: JsonObject = {};
    if (isoDates) empty.key_as_string = new Date(key).toISOString();
    empty.key = key;
    empty.doc_count = 0;
    for (const [k, v] of Object.entries(sample)) {
      if (k === 'key' || k === 'key_as_string' || k === 'doc_count' || !isObject(v)) continue;
      empty[k] = emptyLike(v, subs?.[k.slice(k.indexOf('#') + 1)]);
    }
    out.push(empty);
  }
  return out;
};

/** The aggregations of two answers to the same aggregation definitions, reduced into one. */
export const mergeAggregations = (a: JsonObject, b: JsonObject, defs: JsonObject): JsonObject => {
  const out: JsonObject = {};
  for (const [name, def] of Object.entries(defs)) {
    const ka = responseKey(a, name);
    const kb = responseKey(b, name);
    const x = ka === undefined ? undefined : a[ka];
    const y = kb === undefined ? undefined : b[kb];
    // With typed_keys the key carries the type the rollup half answered with.
    const key = ka ?? kb ?? name;
    if (!isObject(x) || !isObject(y)) {
      if (x !== undefined || y !== undefined) out[key] = x ?? y;
      continue;
    }
    if (!isObject(def)) continue;
    const [type, body] = typeOf(def);
    out[key] = BUCKET_TYPES.includes(type)
      ? mergeBuckets(type, body, x, y, subDefs(def))
      : mergeMetric(type, x, y);
  }
  return out;
};

interface Shards {
  total?: number;
  successful?: number;
  skipped?: number;
  failed?: number;
  failures?: Json[];
}

/** Two search answers (the rollup half, then the plain half) as one, as the cluster reduces shards. */
export const mergeSearchResponses = (
  rollup: JsonObject,
  raw: JsonObject,
  aggDefs: JsonObject | undefined,
): JsonObject => {
  const add = (x: Json, y: Json) => (num(x) ?? 0) + (num(y) ?? 0);
  const out: JsonObject = { ...raw };
  out.took = Math.max(num(rollup.took) ?? 0, num(raw.took) ?? 0);
  out.timed_out = rollup.timed_out === true || raw.timed_out === true;
  const s1 = (rollup._shards ?? {}) as Shards;
  const s2 = (raw._shards ?? {}) as Shards;
  const failures = [...(s1.failures ?? []), ...(s2.failures ?? [])];
  out._shards = {
    total: add(s1.total, s2.total),
    successful: add(s1.successful, s2.successful),
    skipped: add(s1.skipped, s2.skipped),
    failed: add(s1.failed, s2.failed),
    ...(failures.length > 0 ? { failures } : {}),
  };
  const h1 = (rollup.hits ?? {}) as JsonObject;
  const h2 = (raw.hits ?? {}) as JsonObject;
  const total = (t: Json): { value: number; relation: string } | number | undefined =>
    typeof t === 'number'
      ? t
      : isObject(t)
        ? { value: num(t.value) ?? 0, relation: String(t.relation) }
        : undefined;
  const t1 = total(h1.total);
  const t2 = total(h2.total);
  const hits: JsonObject = { ...h2 };
  if (typeof t1 === 'number' || typeof t2 === 'number') hits.total = add(t1, t2);
  else if (t1 || t2) {
    hits.total = {
      value: (t1?.value ?? 0) + (t2?.value ?? 0),
      relation: t1?.relation === 'gte' || t2?.relation === 'gte' ? 'gte' : 'eq',
    };
  }
  hits.hits = [...((h1.hits as Json[]) ?? []), ...((h2.hits as Json[]) ?? [])];
  out.hits = hits;
  if (aggDefs && isObject(rollup.aggregations) && isObject(raw.aggregations)) {
    out.aggregations = mergeAggregations(rollup.aggregations, raw.aggregations, aggDefs);
  }
  return out;
};
