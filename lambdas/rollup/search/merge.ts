/**
 * A search that mixes rollup and plain indices (`plugins.rollup.search.search_source_indices`):
 * the plugin rewrites only the rollup shards, and the cluster reduces every shard's answer into
 * one. We send the two halves as two searches, so this reduces their two answers the same way:
 * hit totals and shard counts add up, metrics combine (sum and count add, min and max take the
 * extreme), and buckets of `terms`, `histogram` and `date_histogram` with the same key merge
 * (doc counts add, sub-aggregations merge), ordered and cut to `size` as the aggregation asks.
 */
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

/** The aggregations of two answers to the same aggregation definitions, reduced into one. */
export const mergeAggregations = (a: JsonObject, b: JsonObject, defs: JsonObject): JsonObject => {
  const out: JsonObject = {};
  for (const [name, def] of Object.entries(defs)) {
    const x = a[name];
    const y = b[name];
    if (!isObject(x) || !isObject(y)) {
      if (x !== undefined || y !== undefined) out[name] = x ?? y;
      continue;
    }
    if (!isObject(def)) continue;
    const [type, body] = typeOf(def);
    out[name] = BUCKET_TYPES.includes(type)
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
