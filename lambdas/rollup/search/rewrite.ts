import { OpenSearchError, type ErrorEnvelope } from '../../shared/errors';
import type { RollupJob } from '../job/model';
import { nominalIntervalMs } from '../job/intervals';

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

/**
 * The plugin's IllegalArgumentException, thrown in every shard's query phase: the search fails
 * with `search_phase_execution_exception` and the reason in `root_cause` and `caused_by`.
 */
export class RollupSearchError extends OpenSearchError {
  constructor(readonly shardReason: string) {
    super(
      400,
      'search_phase_execution_exception',
      'all shards failed',
      { phase: 'query', grouped: true },
      { type: 'illegal_argument_exception', reason: shardReason },
    );
  }

  override toEnvelope(): ErrorEnvelope {
    const envelope = super.toEnvelope();
    envelope.error.root_cause = [{ type: 'illegal_argument_exception', reason: this.shardReason }];
    return envelope;
  }
}

export const rollupSearchError = (reason: string): RollupSearchError => new RollupSearchError(reason);

// ---- requirements ------------------------------------------------------------------------------

type DimensionType = 'date_histogram' | 'terms' | 'histogram';
type MetricType = 'sum' | 'avg' | 'max' | 'min' | 'value_count';

type Requirement =
  | { kind: 'dimension'; type: DimensionType; field: string }
  | { kind: 'any_dimension'; field: string }
  | { kind: 'metric'; type: MetricType; field: string };

const SUPPORTED_AGGS = [
  'terms',
  'date_histogram',
  'histogram',
  'sum',
  'avg',
  'max',
  'min',
  'value_count',
] as const;
const METRIC_AGGS: readonly string[] = ['sum', 'avg', 'max', 'min', 'value_count'];

const fieldOfQuery = (body: Json): [string, Json] => {
  if (!isObject(body)) throw rollupSearchError('Malformed query');
  const entries = Object.entries(body).filter(([k]) => k !== 'boost' && k !== '_name');
  if (entries.length !== 1) throw rollupSearchError('Malformed query');
  return entries[0];
};

const asList = (v: Json): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const queryRequirements = (query: Json, out: Requirement[]): void => {
  if (!isObject(query)) return;
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
        out.push({ kind: 'any_dimension', field: fieldOfQuery(body)[0] });
        break;
      case 'bool': {
        const b = body as JsonObject;
        for (const clause of ['must', 'should', 'filter', 'must_not']) {
          for (const q of asList(b[clause])) queryRequirements(q, out);
        }
        break;
      }
      case 'constant_score':
        queryRequirements((body as JsonObject).filter, out);
        break;
      case 'boosting':
        queryRequirements((body as JsonObject).positive, out);
        queryRequirements((body as JsonObject).negative, out);
        break;
      case 'dis_max':
        for (const q of asList((body as JsonObject).queries)) queryRequirements(q, out);
        break;
      default:
        throw rollupSearchError(`The ${name} query is currently not supported in rollups`);
    }
  }
};

const aggsRequirements = (aggs: Json, out: Requirement[]): void => {
  if (!isObject(aggs)) return;
  for (const def of Object.values(aggs)) {
    if (!isObject(def)) continue;
    for (const [type, body] of Object.entries(def)) {
      if (type === 'aggs' || type === 'aggregations') {
        aggsRequirements(body, out);
        continue;
      }
      if (type === 'meta') continue;
      if (!(SUPPORTED_AGGS as readonly string[]).includes(type)) {
        throw rollupSearchError(`The ${type} aggregation is not currently supported in rollups`);
      }
      const field = String((body as JsonObject)?.field ?? '');
      if (METRIC_AGGS.includes(type)) out.push({ kind: 'metric', type: type as MetricType, field });
      else out.push({ kind: 'dimension', type: type as DimensionType, field });
    }
  }
};

const dimensionsOf = (job: RollupJob) =>
  job.dimensions.map((d) => {
    const [type, v] = Object.entries(d)[0] as [DimensionType, { source_field: string; target_field: string }];
    return { type, source: v.source_field, target: v.target_field };
  });

/** What a job cannot answer, in the plugin's words. */
const unmet = (job: RollupJob, reqs: Requirement[]): string[] => {
  const dims = dimensionsOf(job);
  const issues: string[] = [];
  for (const r of reqs) {
    if (r.kind === 'any_dimension') {
      if (!dims.some((d) => d.source === r.field)) issues.push(`missing field ${r.field}`);
    } else if (r.kind === 'dimension') {
      if (!dims.some((d) => d.type === r.type && d.source === r.field)) {
        issues.push(`missing ${r.type} grouping on ${r.field}`);
      }
    } else {
      const has = job.metrics.some(
        (m) => m.source_field === r.field && m.metrics.some((x) => Object.keys(x)[0] === r.type),
      );
      if (!has) issues.push(`missing ${r.type} aggregation on ${r.field}`);
    }
  }
  return [...new Set(issues)];
};

// ---- rewriting ---------------------------------------------------------------------------------

const rewriteFieldQuery = (name: string, body: Json, suffix: (f: string) => string): JsonObject => {
  const b = body as JsonObject;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(b)) out[k === 'boost' || k === '_name' ? k : suffix(k)] = v;
  return { [name]: out };
};

const rewriteQuery = (query: Json, job: RollupJob): Json => {
  if (!isObject(query)) return query;
  const dims = dimensionsOf(job);
  const out: JsonObject = {};
  for (const [name, body] of Object.entries(query)) {
    switch (name) {
      case 'term':
      case 'terms':
      case 'match_phrase':
        Object.assign(
          out,
          rewriteFieldQuery(name, body, (f) => `${f}.terms`),
        );
        break;
      case 'range':
        Object.assign(
          out,
          rewriteFieldQuery(name, body, (f) => `${f}.${dims.find((d) => d.source === f)?.type ?? 'terms'}`),
        );
        break;
      case 'bool': {
        const b = { ...(body as JsonObject) };
        for (const clause of ['must', 'should', 'filter', 'must_not']) {
          if (b[clause] === undefined) continue;
          b[clause] = Array.isArray(b[clause])
            ? (b[clause] as Json[]).map((q) => rewriteQuery(q, job))
            : rewriteQuery(b[clause], job);
        }
        out.bool = b;
        break;
      }
      case 'constant_score':
        out[name] = { ...(body as JsonObject), filter: rewriteQuery((body as JsonObject).filter, job) };
        break;
      case 'boosting':
        out[name] = {
          ...(body as JsonObject),
          positive: rewriteQuery((body as JsonObject).positive, job),
          negative: rewriteQuery((body as JsonObject).negative, job),
        };
        break;
      case 'dis_max':
        out[name] = {
          ...(body as JsonObject),
          queries: asList((body as JsonObject).queries).map((q) => rewriteQuery(q, job)),
        };
        break;
      default:
        out[name] = body;
    }
  }
  return out;
};

/** Response fix-ups for the aggregations we answer from sums: path of agg names → how. */
interface Fixup {
  name: string;
  kind: 'avg' | 'value_count';
  children?: undefined;
}
interface FixTree {
  fixups: Fixup[];
  /** Sub-aggregations of bucket aggregations, by name. */
  nested: Record<string, FixTree>;
}

const COUNT_SUFFIX = '._rollup_value_count';

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
      }
    }
    out[name] = rewritten;
  }
  return out;
};

const fixResponse = (aggs: JsonObject | undefined, tree: FixTree): void => {
  if (!aggs) return;
  for (const f of tree.fixups) {
    const sum = (aggs[f.name] as { value: number | null } | undefined)?.value ?? null;
    if (f.kind === 'value_count') {
      aggs[f.name] = { value: sum === null ? 0 : Math.round(sum) };
    } else {
      const count = (aggs[`${f.name}${COUNT_SUFFIX}`] as { value: number | null } | undefined)?.value ?? 0;
      delete aggs[`${f.name}${COUNT_SUFFIX}`];
      aggs[f.name] = { value: count > 0 && sum !== null ? sum / count : null };
    }
  }
  for (const [name, sub] of Object.entries(tree.nested)) {
    const agg = aggs[name] as { buckets?: JsonObject[] | Record<string, JsonObject> } | undefined;
    const buckets = agg?.buckets;
    const list = Array.isArray(buckets) ? buckets : buckets ? Object.values(buckets) : [agg as JsonObject];
    for (const bucket of list) if (bucket) fixResponse(bucket, sub);
  }
};

export interface RollupSearch {
  /** The search body to send to the cluster. */
  body: JsonObject;
  /** Finishes the response (avg and value_count from their sums), in place. */
  finish(response: JsonObject): JsonObject;
  jobIds: string[];
}

/**
 * Rewrites a search over rollup indices. `jobsByIndex` has every concrete index of the request;
 * a raw index maps to `undefined` (the plugin refuses to mix raw and rollup data by default).
 */
export const rewriteRollupSearch = (
  search: JsonObject,
  jobsByIndex: Record<string, RollupJob[] | undefined>,
): RollupSearch => {
  const raw = Object.entries(jobsByIndex).filter(([, jobs]) => jobs === undefined);
  if (raw.length > 0) throw rollupSearchError('Not all indices have rollup job');
  const size = search.size === undefined ? -1 : Number(search.size);
  if (size !== 0)
    throw rollupSearchError(`Rollup search must have size explicitly set to 0, but found ${size}`);

  const reqs: Requirement[] = [];
  queryRequirements(search.query, reqs);
  aggsRequirements(search.aggs ?? search.aggregations, reqs);

  const chosen: RollupJob[] = [];
  const issues = new Set<string>();
  for (const jobs of Object.values(jobsByIndex) as RollupJob[][]) {
    const matching = jobs.filter((j) => {
      const problems = unmet(j, reqs);
      problems.forEach((p) => issues.add(p));
      return problems.length === 0;
    });
    if (matching.length === 0) continue;
    // The coarsest date histogram answers with the fewest documents; ties go to the last id.
    matching.sort((a, b) => {
      const ia = nominalIntervalMs(a.dimensions[0] as never);
      const ib = nominalIntervalMs(b.dimensions[0] as never);
      return ia - ib || a.rollup_id.localeCompare(b.rollup_id);
    });
    chosen.push(matching[matching.length - 1]);
  }
  if (chosen.length === 0) {
    throw rollupSearchError(
      `Could not find a rollup job that can answer this query because [${[...issues].join(', ')}]`,
    );
  }
  const job = chosen[0];
  const tree: FixTree = { fixups: [], nested: {} };
  const aggsKey = search.aggs !== undefined ? 'aggs' : 'aggregations';
  const aggs = search[aggsKey];
  const query = rewriteQuery(search.query ?? { match_all: {} }, job);
  const jobIds = [...new Set(chosen.map((j) => j.rollup_id))];
  const body: JsonObject = {
    ...search,
    query: {
      bool: { must: [query], should: [{ terms: { 'rollup._id': jobIds } }], minimum_should_match: 1 },
    },
  };
  if (aggs !== undefined) body[aggsKey] = rewriteAggs(aggs, job, tree);
  return {
    body,
    jobIds,
    finish: (response) => {
      fixResponse(response.aggregations as JsonObject | undefined, tree);
      return response;
    },
  };
};
