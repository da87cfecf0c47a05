import { OpenSearchError, type ErrorEnvelope } from '../../shared/errors';
import { dateHistogramOf, type RollupJob } from '../job/model';
import { nominalIntervalMs } from '../job/intervals';
import { QueryStringError, queryStringUse, rewriteQueryString, type QueryStringUse } from './query-string';

/**
 * The plugin's search interceptor (RollupInterceptor + RollupUtils.rewriteSearchSourceBuilder),
 * as a pure function: a search written against the *source* field names is checked against the
 * rollup jobs of the target indices and rewritten to the rollup documents' fields.
 *
 * Where the plugin rewrites `avg` and `value_count` to painless `scripted_metric`s, we ask the
 * cluster for sums and finish the arithmetic on the response (no scripting needed on the cluster;
 * the response has the same `{"value": x}` shape).
 */
type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A failed shard as a search reports it (grouped: one per index and reason). */
export interface ShardFailure {
  shard: number;
  index: string;
  node: string | null;
  reason: { type: string; reason: string };
}

/**
 * The plugin's IllegalArgumentException, thrown in every rollup shard's query phase: when every
 * shard of the search fails, the search fails with `search_phase_execution_exception` and the
 * reason in `root_cause`, `failed_shards` and `caused_by`.
 */
export class RollupSearchError extends OpenSearchError {
  constructor(
    readonly shardReason: string,
    readonly failedShards: ShardFailure[] = [],
    summary = 'all shards failed',
  ) {
    super(
      400,
      'search_phase_execution_exception',
      summary,
      { phase: 'query', grouped: true },
      { type: 'illegal_argument_exception', reason: shardReason },
    );
  }

  /** The same failure on these shards (a grouped failure per index). */
  onShards(
    shards: { index: string; shard: number; node: string | null }[],
    summary?: string,
  ): RollupSearchError {
    return new RollupSearchError(this.shardReason, groupFailures(shards, this.shardReason), summary);
  }

  override toEnvelope(): ErrorEnvelope {
    const envelope = super.toEnvelope();
    const cause = { type: 'illegal_argument_exception', reason: this.shardReason };
    envelope.error.root_cause = [cause];
    const { caused_by: causedBy, ...rest } = envelope.error;
    envelope.error = {
      ...rest,
      failed_shards: this.failedShards,
      // The shard's exception wraps the IllegalArgumentException once more, as OpenSearch nests it.
      ...(causedBy ? { caused_by: { ...causedBy, caused_by: cause } as unknown as typeof causedBy } : {}),
    };
    return envelope;
  }
}

/** ExceptionsHelper.groupBy: one failure per index for the same reason, its first shard. */
export const groupFailures = (
  shards: { index: string; shard: number; node: string | null }[],
  reason: string,
): ShardFailure[] => {
  const first = new Map<string, { index: string; shard: number; node: string | null }>();
  for (const s of [...shards].sort((a, b) => a.shard - b.shard))
    if (!first.has(s.index)) first.set(s.index, s);
  return [...first.values()].map((s) => ({
    shard: s.shard,
    index: s.index,
    node: s.node,
    reason: { type: 'illegal_argument_exception', reason },
  }));
};

export const rollupSearchError = (reason: string): RollupSearchError => new RollupSearchError(reason);

// ---- requirements (RollupFieldMapping) ---------------------------------------------------------

type DimensionType = 'date_histogram' | 'terms' | 'histogram';
type MetricType = 'sum' | 'avg' | 'max' | 'min' | 'value_count' | 'cardinality';

/** What a search needs of a job; `unknown` (a range) is satisfied by any field of the job. */
interface Requirement {
  kind: 'dimension' | 'metric';
  field: string;
  type: DimensionType | MetricType | 'unknown';
}

const key = (r: Requirement): string => `${r.kind}|${r.field}|${r.type}`;

/** RollupFieldMapping.toIssue */
const issueOf = (r: Requirement, missingField: boolean): string => {
  if (missingField || r.type === 'unknown') return `missing field ${r.field}`;
  return r.kind === 'metric'
    ? `missing ${r.type} aggregation on ${r.field}`
    : `missing ${r.type} grouping on ${r.field}`;
};

const DIMENSION_AGGS: readonly string[] = ['terms', 'date_histogram', 'histogram'];
const METRIC_AGGS: readonly string[] = ['sum', 'avg', 'max', 'min', 'value_count', 'cardinality'];

const fieldOfQuery = (body: Json): [string, Json] => {
  if (!isObject(body)) throw rollupSearchError('Malformed query');
  const entries = Object.entries(body).filter(([k]) => k !== 'boost' && k !== '_name');
  if (entries.length !== 1) throw rollupSearchError('Malformed query');
  return entries[0];
};

const asList = (v: Json): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Where the searchable fields of a job's source index come from (for `query_string`). */
export type SourceFields = (job: RollupJob) => string[] | undefined;

/** RollupInterceptor.getQueryMetadata; the query_string analyses are kept for the rewrite. */
const queryRequirements = (
  query: Json,
  out: Requirement[],
  strings: Map<JsonObject, QueryStringUse>,
  sourceFields: () => string[] | undefined,
): void => {
  if (!isObject(query)) return;
  const recurse = (q: Json) => queryRequirements(q, out, strings, sourceFields);
  for (const [name, body] of Object.entries(query)) {
    switch (name) {
      case 'match_all':
        break;
      case 'term':
      case 'terms':
        out.push({ kind: 'dimension', type: 'terms', field: fieldOfQuery(body)[0] });
        break;
      case 'match_phrase': {
        const [field, value] = fieldOfQuery(body);
        if (isObject(value) && ['analyzer', 'slop', 'zero_terms_query'].some((k) => k in value)) {
          throw rollupSearchError(
            'The match_phrase query is currently not supported with analyzer/slop/zero_terms_query in rollups',
          );
        }
        out.push({ kind: 'dimension', type: 'terms', field });
        break;
      }
      case 'range':
        out.push({ kind: 'dimension', type: 'unknown', field: fieldOfQuery(body)[0] });
        break;
      case 'query_string': {
        const qs = isObject(body) ? body : {};
        let use: QueryStringUse;
        try {
          use = queryStringUse(qs, sourceFields());
        } catch (e) {
          if (e instanceof QueryStringError) throw rollupSearchError(e.message);
          throw e;
        }
        strings.set(qs, use);
        for (const field of [...use.discovered, ...use.others.keys()])
          out.push({ kind: 'dimension', type: 'terms', field });
        break;
      }
      case 'bool': {
        const b = body as JsonObject;
        for (const clause of ['must', 'must_not', 'should', 'filter']) asList(b[clause]).forEach(recurse);
        break;
      }
      case 'constant_score':
        recurse((body as JsonObject).filter);
        break;
      case 'boosting':
        recurse((body as JsonObject).positive);
        recurse((body as JsonObject).negative);
        break;
      case 'dis_max':
        asList((body as JsonObject).queries).forEach(recurse);
        break;
      default:
        throw rollupSearchError(`The ${name} query is currently not supported in rollups`);
    }
  }
};

/** RollupInterceptor.getAggregationMetadata */
const aggsRequirements = (aggs: Json, out: Requirement[]): void => {
  if (!isObject(aggs)) return;
  for (const def of Object.values(aggs)) {
    if (!isObject(def)) continue;
    const subs: Json[] = [];
    for (const [type, body] of Object.entries(def)) {
      if (type === 'aggs' || type === 'aggregations') {
        subs.push(body);
        continue;
      }
      if (type === 'meta') continue;
      const field = String((body as JsonObject)?.field ?? '');
      if (DIMENSION_AGGS.includes(type)) out.push({ kind: 'dimension', type: type as DimensionType, field });
      else if (METRIC_AGGS.includes(type)) out.push({ kind: 'metric', type: type as MetricType, field });
      else throw rollupSearchError(`The ${type} aggregation is not currently supported in rollups`);
    }
    for (const sub of subs) aggsRequirements(sub, out);
  }
};

/** Rollup.populateFieldMappings */
const jobFieldMappings = (job: RollupJob): Requirement[] => [
  ...job.dimensions.map((d) => {
    const [type, v] = Object.entries(d)[0] as [DimensionType, { source_field: string }];
    return { kind: 'dimension' as const, type, field: v.source_field };
  }),
  ...job.metrics.flatMap((m) =>
    m.metrics.map((x) => ({
      kind: 'metric' as const,
      type: Object.keys(x)[0] as MetricType,
      field: m.source_field,
    })),
  ),
];

/** RollupInterceptor.findMatchingRollupJobs: the jobs that can answer, or the issues. */
const findMatchingJobs = (
  reqs: Requirement[],
  jobs: RollupJob[],
): { matching: RollupJob[]; issues: string[] } => {
  const known = reqs.filter((r) => r.type !== 'unknown');
  const unknown = reqs.filter((r) => r.type === 'unknown').map((r) => r.field);
  const mappings = new Map(jobs.map((j) => [j, jobFieldMappings(j)]));
  const matching = jobs.filter((j) => {
    const have = mappings.get(j) as Requirement[];
    const keys = new Set(have.map(key));
    const fields = new Set(have.map((r) => r.field));
    return known.every((r) => keys.has(key(r))) && unknown.every((f) => fields.has(f));
  });
  const issues = new Set<string>();
  if (matching.length === 0) {
    const all = [...mappings.values()].flat();
    const allKeys = new Set(all.map(key));
    const allFields = new Set(all.map((r) => r.field));
    for (const r of reqs) {
      if (!allFields.has(r.field)) issues.add(issueOf(r, true));
      else if (r.type !== 'unknown' && !allKeys.has(key(r))) issues.add(issueOf(r, false));
    }
  }
  return { matching, issues: [...issues] };
};

/** RollupInterceptor.pickRollupJob: the largest date-histogram interval; ties go to the last id. */
const pickJob = (jobs: RollupJob[]): RollupJob =>
  [...jobs]
    .sort((a, b) => (a.rollup_id < b.rollup_id ? -1 : a.rollup_id > b.rollup_id ? 1 : 0))
    .reduce((matched, next) =>
      nominalIntervalMs(dateHistogramOf(matched)) > nominalIntervalMs(dateHistogramOf(next)) ? matched : next,
    );

// ---- rewriting (RollupUtils) -------------------------------------------------------------------

const renameField = (body: Json, rename: (f: string) => string): JsonObject => {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(body as JsonObject))
    out[k === 'boost' || k === '_name' ? k : rename(k)] = v;
  return out;
};

/** Rollup.rewriteQueryBuilder */
const rewriteQuery = (
  query: Json,
  types: Map<string, string>,
  strings: Map<JsonObject, QueryStringUse>,
): Json => {
  if (!isObject(query)) return query;
  const recurse = (q: Json) => rewriteQuery(q, types, strings);
  const out: JsonObject = {};
  for (const [name, body] of Object.entries(query)) {
    switch (name) {
      case 'term':
      case 'terms':
      case 'match_phrase':
        out[name] = renameField(body, (f) => `${f}.terms`);
        break;
      case 'range':
        // The field's type in the chosen job (the last one listed for that field).
        out[name] = renameField(body, (f) => `${f}.${types.get(f) ?? 'terms'}`);
        break;
      case 'query_string': {
        const use = strings.get(body as JsonObject);
        out[name] = use ? rewriteQueryString(body as JsonObject, use) : body;
        break;
      }
      case 'bool': {
        const b = { ...(body as JsonObject) };
        for (const clause of ['must', 'should', 'filter', 'must_not']) {
          if (b[clause] === undefined) continue;
          b[clause] = Array.isArray(b[clause]) ? (b[clause] as Json[]).map(recurse) : recurse(b[clause]);
        }
        out.bool = b;
        break;
      }
      case 'constant_score':
        out[name] = { ...(body as JsonObject), filter: recurse((body as JsonObject).filter) };
        break;
      case 'boosting':
        out[name] = {
          ...(body as JsonObject),
          positive: recurse((body as JsonObject).positive),
          negative: recurse((body as JsonObject).negative),
        };
        break;
      case 'dis_max':
        out[name] = { ...(body as JsonObject), queries: asList((body as JsonObject).queries).map(recurse) };
        break;
      default:
        out[name] = body;
    }
  }
  return out;
};

/** Response fix-ups for the aggregations we answer from sums. */
interface Fixup {
  name: string;
  kind: 'avg' | 'value_count';
}
interface FixTree {
  fixups: Fixup[];
  /** Sub-aggregations of bucket aggregations, by name. */
  nested: Record<string, FixTree>;
}

const COUNT_SUFFIX = '._rollup_value_count';

const dimensionsOf = (job: RollupJob) =>
  job.dimensions.map((d) => {
    const [type, v] = Object.entries(d)[0] as [DimensionType, { source_field: string; target_field: string }];
    return { type, source: v.source_field, target: v.target_field };
  });

/** Rollup.rewriteAggregationBuilder */
const rewriteAggs = (aggs: Json, job: RollupJob, tree: FixTree): JsonObject => {
  const out: JsonObject = {};
  const dims = dimensionsOf(job);
  for (const [name, def] of Object.entries(aggs as JsonObject)) {
    const d = def as JsonObject;
    const rewritten: JsonObject = {};
    for (const [type, body] of Object.entries(d)) {
      if (type === 'aggs' || type === 'aggregations') {
        const sub: FixTree = { fixups: [], nested: {} };
        rewritten[type] = rewriteAggs(body, job, sub);
        tree.nested[name] = sub;
        continue;
      }
      if (type === 'meta') {
        rewritten[type] = body;
        continue;
      }
      const b = body as JsonObject;
      const field = String(b.field);
      if (type === 'terms' || type === 'histogram') {
        const dim = dims.find((x) => x.type === type && x.source === field);
        rewritten[type] = { ...b, field: `${dim?.target ?? field}.${type}` };
      } else if (type === 'date_histogram') {
        const dim = job.dimensions.find(
          (x) => 'date_histogram' in x && x.date_histogram.source_field === field,
        ) as { date_histogram: { target_field: string; timezone: string } } | undefined;
        // The job's time zone wins: the rollup buckets were cut in it.
        rewritten[type] = {
          ...b,
          field: `${dim?.date_histogram.target_field ?? field}.date_histogram`,
          time_zone: dim?.date_histogram.timezone ?? 'UTC',
        };
      } else if (type === 'sum' || type === 'min' || type === 'max') {
        rewritten[type] = { ...b, field: `${field}.${type}` };
      } else if (type === 'value_count') {
        rewritten.sum = { field: `${field}.value_count` };
        tree.fixups.push({ name, kind: 'value_count' });
      } else if (type === 'avg') {
        rewritten.sum = { field: `${field}.avg.sum` };
        out[`${name}${COUNT_SUFFIX}`] = { sum: { field: `${field}.avg.value_count` } };
        tree.fixups.push({ name, kind: 'avg' });
      } else {
        rewritten[type] = b;
      }
    }
    out[name] = rewritten;
  }
  return out;
};

/**
 * The response key of an aggregation: its name, or `<type>#<name>` with `typed_keys`.
 * Aggregation names cannot contain `#`, so the part after it is the name.
 */
export const responseKey = (aggs: JsonObject, name: string): string | undefined =>
  name in aggs
    ? name
    : Object.keys(aggs).find((k) => k.slice(k.indexOf('#') + 1) === name && k.includes('#'));

const fixResponse = (aggs: JsonObject | undefined, tree: FixTree): void => {
  if (!aggs) return;
  // Replacements keep the response's order of aggregations.
  const renamed = new Map<string, [string, Json]>();
  const dropped = new Set<string>();
  for (const f of tree.fixups) {
    const key = responseKey(aggs, f.name);
    if (key === undefined) continue;
    // With typed_keys the type is the user's aggregation's, not the sum it was answered with.
    const out = key === f.name ? key : `${f.kind}#${f.name}`;
    const sum = (aggs[key] as { value: number | null } | undefined)?.value ?? null;
    if (f.kind === 'value_count') {
      renamed.set(key, [out, { value: sum === null ? 0 : Math.round(sum) }]);
    } else {
      const countKey = responseKey(aggs, `${f.name}${COUNT_SUFFIX}`);
      const count = countKey ? ((aggs[countKey] as { value: number | null }).value ?? 0) : 0;
      if (countKey) dropped.add(countKey);
      renamed.set(key, [out, { value: count > 0 && sum !== null ? sum / count : null }]);
    }
  }
  if (renamed.size > 0 || dropped.size > 0) {
    const entries = Object.entries(aggs);
    for (const k of Object.keys(aggs)) delete aggs[k];
    for (const [k, v] of entries) {
      if (dropped.has(k)) continue;
      const [name, value] = renamed.get(k) ?? [k, v];
      aggs[name] = value;
    }
  }
  for (const [name, sub] of Object.entries(tree.nested)) {
    const key = responseKey(aggs, name);
    const agg = (key === undefined ? undefined : aggs[key]) as
      { buckets?: JsonObject[] | Record<string, JsonObject> } | undefined;
    const buckets = agg?.buckets;
    const list = Array.isArray(buckets) ? buckets : buckets ? Object.values(buckets) : [agg as JsonObject];
    for (const bucket of list) if (bucket) fixResponse(bucket, sub);
  }
};

const hasFixups = (tree: FixTree): boolean =>
  tree.fixups.length > 0 || Object.values(tree.nested).some(hasFixups);

export interface RollupSearch {
  /** The search body to send to the cluster (in a mixed search: to the rollup indices). */
  body: JsonObject;
  /** Finishes the response (avg and value_count from their sums), in place. */
  finish(response: JsonObject): JsonObject;
  /** The job chosen to answer (pickRollupJob), or null when the search needed no rewriting. */
  jobId: string | null;
  /** The jobs whose documents the rewritten query accepts (`rollup._id`). */
  jobIds: string[];
  /**
   * A search that also names plain indices (allowed by `search_source_indices`): `merge` when a
   * job answers (the plain indices get {@link RollupSearch.rawBody} and the two answers are
   * reduced into one, as the cluster reduces shard results), `neutralize` when none does (the
   * rollup shards match nothing and the plain indices answer alone). `none` otherwise: `body`
   * goes to every index of the search.
   */
  mixed: 'none' | 'merge' | 'neutralize';
  /** What the plain indices of a `merge` search get: the search itself, with avg as sum and count. */
  rawBody?: JsonObject;
  /** The plugin would answer it with painless scripts (an `avg` or `value_count` on a rollup index). */
  scripted: boolean;
}

/** The concrete indices of a search: rollup indices with their jobs, and plain ones. */
export interface SearchTargets {
  rollup: Record<string, RollupJob[]>;
  raw: string[];
}

/** The plugin's interceptor settings that change a rewrite (see ./settings.ts). */
export interface RewriteOptions {
  /** `plugins.rollup.search.search_all_jobs` */
  allJobs?: boolean;
  /** `plugins.rollup.search.search_source_indices` */
  sourceIndices?: boolean;
}

/**
 * The plain-index side of a mixed search: the aggregations as sent, except that `avg` becomes a
 * sum and a count (named as on the rollup side), so that both sides reduce into one average.
 */
const rawSideAggs = (aggs: Json): JsonObject => {
  const out: JsonObject = {};
  for (const [name, def] of Object.entries(aggs as JsonObject)) {
    const rewritten: JsonObject = {};
    for (const [type, body] of Object.entries(def as JsonObject)) {
      if (type === 'aggs' || type === 'aggregations') rewritten[type] = rawSideAggs(body);
      else if (type === 'avg') {
        const field = (body as JsonObject).field;
        rewritten.sum = { field };
        out[`${name}${COUNT_SUFFIX}`] = { value_count: { field } };
      } else rewritten[type] = body;
    }
    out[name] = rewritten;
  }
  return out;
};

/**
 * What the interceptor does on a rollup index's shard, in its order: the size check, the query
 * and aggregation checks, then every concrete index of the search must be a rollup index (unless
 * `sourceIndices`), and some job must cover every field used. Throws {@link RollupSearchError};
 * a search that uses no field at all is not rewritten (it runs as sent).
 */
export const rewriteRollupSearch = (
  search: JsonObject,
  targets: SearchTargets,
  sourceFields: SourceFields = () => undefined,
  options: RewriteOptions = {},
): RollupSearch => {
  const size = search.size === undefined ? -1 : Number(search.size);
  if (size !== 0)
    throw rollupSearchError(`Rollup search must have size explicitly set to 0, but found ${size}`);

  const names = Object.keys(targets.rollup).sort();
  // The job whose source mapping a query_string is read against: the first job of the index.
  const firstJob = targets.rollup[names[0]]?.[0];
  const reqs: Requirement[] = [];
  const strings = new Map<JsonObject, QueryStringUse>();
  queryRequirements(search.query, reqs, strings, () => (firstJob ? sourceFields(firstJob) : undefined));
  aggsRequirements(search.aggs ?? search.aggregations, reqs);
  const unique = [...new Map(reqs.map((r) => [key(r), r])).values()];

  const hasRaw = targets.raw.length > 0;
  if (hasRaw && !options.sourceIndices) throw rollupSearchError('Not all indices have rollup job');
  const matching: RollupJob[] = [];
  let lastIssues: string[] = [];
  for (const name of names) {
    const found = findMatchingJobs(unique, targets.rollup[name]);
    if (found.matching.length > 0) matching.push(...found.matching);
    else lastIssues = found.issues;
  }
  const unchanged = (mixed: RollupSearch['mixed']): RollupSearch => ({
    body: search,
    jobId: null,
    jobIds: [],
    finish: (r) => r,
    mixed,
    scripted: false,
  });
  // No field used: every job matches and the search runs as sent, on every index.
  if (unique.length === 0) return unchanged('none');
  if (matching.length === 0) {
    // With plain indices in the search, the plugin neutralises the rollup shards instead.
    if (hasRaw) return unchanged('neutralize');
    throw rollupSearchError(
      `Could not find a rollup job that can answer this query because [${lastIssues.join(', ')}]`,
    );
  }

  const job = pickJob(matching);
  // search_all_jobs: every matching job's documents; the aggregations are rewritten with the
  // first of them (RollupUtils.rewriteSearchSourceBuilder uses jobs.first()).
  const accepted = options.allJobs ? [...new Map(matching.map((j) => [j.rollup_id, j])).values()] : [job];
  const aggJob = accepted[0];
  // RollupInterceptor: field name → mapping type, the last of the chosen job's mappings for a field.
  const types = new Map(jobFieldMappings(job).map((r) => [r.field, r.type]));
  const tree: FixTree = { fixups: [], nested: {} };
  const aggsKey = search.aggs !== undefined ? 'aggs' : 'aggregations';
  const aggs = search[aggsKey];
  const body: JsonObject = { ...search };
  if (search.query !== undefined) {
    body.query = {
      bool: {
        must: [rewriteQuery(search.query, types, strings)],
        should: [{ terms: { 'rollup._id': accepted.map((j) => j.rollup_id) } }],
        minimum_should_match: 1,
      },
    };
  }
  if (aggs !== undefined) body[aggsKey] = rewriteAggs(aggs, aggJob, tree);
  const rawBody = hasRaw
    ? { ...search, ...(aggs !== undefined ? { [aggsKey]: rawSideAggs(aggs) } : {}) }
    : undefined;
  return {
    body,
    jobId: job.rollup_id,
    jobIds: accepted.map((j) => j.rollup_id),
    mixed: hasRaw ? 'merge' : 'none',
    rawBody,
    scripted: hasFixups(tree),
    finish: (response) => {
      fixResponse(response.aggregations as JsonObject | undefined, tree);
      return response;
    },
  };
};
