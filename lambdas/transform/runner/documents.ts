import { hashToFixedSize } from '../../shared/murmur3';
import { javaDoubleToString } from '../../shared/java-number';
import type { JsonObject } from '../../shared/xcontent';
import { aggregationTypes } from '../job/aggregations';
import { groupSourceField, groupTargetField, type TransformJob } from '../job/model';
import { fieldFromMappings, targetDateFields, type SourceMappings } from '../cluster/validate';

/**
 * The documents a transform writes (TransformSearchService.convertResponse): one per composite
 * bucket, with the group keys and aggregation values under their target names, `_doc_count`
 * (OpenSearch's doc-count field, so aggregations over the target count the source documents)
 * and the plugin's `transform._id`/`transform._doc_count`, and an `_id` hashed from the job id
 * and the bucket's keys, so a re-run overwrites instead of duplicating:
 *
 *   _id = base64url(murmur3_128("<transform_id>#<key1>:<key2>…")), keys as Java's toString
 */
export const ODFE_MAGIC_NULL = '#ODFE-MAGIC-NULL-MAGIC-ODFE#';

export interface CompositeBucket {
  key: Record<string, unknown>;
  doc_count: number;
  [agg: string]: unknown;
}

export interface CompositeResult {
  buckets: CompositeBucket[];
  after_key?: Record<string, unknown>;
}

/** How a group's key is a Java object: a Double, a Long, or anything else (String, Boolean). */
type KeyKind = 'double' | 'long' | 'other';

const FLOATING = new Set(['double', 'float', 'half_float', 'scaled_float']);

const OTHER_TYPES = new Set(['keyword', 'boolean', 'ip', 'text', 'wildcard', 'constant_keyword']);

/** A terms key is a Double on floating-point fields, a Long on integral and date fields. */
const keyKind = (g: TransformJob['groups'][number], mapping: SourceMappings[string] | undefined): KeyKind => {
  if ('histogram' in g) return 'double';
  if ('date_histogram' in g) return g.date_histogram.format ? 'other' : 'long';
  const type = fieldFromMappings(mapping, groupSourceField(g))?.type ?? 'keyword';
  if (FLOATING.has(type)) return 'double';
  return OTHER_TYPES.has(type) ? 'other' : 'long';
};

/** What every document of a job shares, worked out once per run. */
export interface DocumentPlan {
  readonly jobId: string;
  readonly keys: readonly { name: string; kind: KeyKind }[];
  readonly aggregations: readonly { name: string; type: string; asLong: boolean }[];
}

export const documentPlan = (job: TransformJob, mappings: SourceMappings): DocumentPlan => {
  const first = Object.values(mappings)[0];
  const dates = targetDateFields(job, mappings);
  const types = aggregationTypes(job.aggregations);
  return {
    jobId: job.transform_id,
    keys: job.groups.map((g) => ({ name: groupTargetField(g), kind: keyKind(g, first) })),
    aggregations: Object.keys(job.aggregations).map((name, i) => ({
      name,
      type: types[i],
      // A min/max/avg of a date field is written as epoch millis (the target maps it as a date).
      asLong: name in dates && ['min', 'max', 'avg'].includes(types[i]),
    })),
  };
};

const keyText = (value: unknown, kind: KeyKind): string => {
  if (value === null || value === undefined) return ODFE_MAGIC_NULL;
  if (typeof value === 'number')
    return kind === 'double' ? javaDoubleToString(value) : String(Math.trunc(value));
  return String(value);
};

/** A number as Jackson writes the Java Double or Long the plugin holds. */
const numberJson = (value: number | null | undefined, asDouble: boolean): string => {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'null';
  return asDouble ? javaDoubleToString(value) : String(Math.trunc(value));
};

const keyJson = (value: unknown, kind: KeyKind): string =>
  typeof value === 'number' ? numberJson(value, kind === 'double') : JSON.stringify(value ?? null);

/** getAggregationValue: a single value, the percentiles as `{"<percent>": value}`, or a script's result. */
const aggregationJson = (agg: DocumentPlan['aggregations'][number], result: unknown): string => {
  const r = (result ?? {}) as { value?: unknown; values?: unknown };
  if (agg.type === 'scripted_metric') return JSON.stringify(r.value ?? null);
  if (agg.type === 'percentiles') {
    const values = r.values;
    const entries: [string, unknown][] = Array.isArray(values)
      ? (values as { key: number; value: unknown }[]).map((v) => [javaDoubleToString(v.key), v.value])
      : Object.entries((values ?? {}) as Record<string, unknown>);
    return `{${entries
      .map(([k, v]) => `${JSON.stringify(k)}:${numberJson(v as number | null, true)}`)
      .join(',')}}`;
  }
  return numberJson(r.value as number | null, !agg.asLong);
};

export interface TransformDocument {
  readonly id: string;
  /** The source as the plugin writes it (field order and number spelling). */
  readonly json: string;
}

/** One document per bucket; `includeId` false for a preview (no `transform._id`). */
export const bucketDocuments = (
  plan: DocumentPlan,
  result: CompositeResult,
  includeId = true,
): TransformDocument[] =>
  result.buckets.map((bucket) => {
    const idSource = `${plan.jobId}#${plan.keys.map((k) => keyText(bucket.key[k.name], k.kind)).join(':')}`;
    const id = hashToFixedSize(idSource);
    const parts: string[] = [];
    if (includeId) parts.push(`"transform._id":${JSON.stringify(plan.jobId)}`);
    parts.push(`"_doc_count":${bucket.doc_count}`, `"transform._doc_count":${bucket.doc_count}`);
    for (const k of plan.keys) parts.push(`${JSON.stringify(k.name)}:${keyJson(bucket.key[k.name], k.kind)}`);
    for (const a of plan.aggregations)
      parts.push(`${JSON.stringify(a.name)}:${aggregationJson(a, bucket[a.name])}`);
    return { id, json: `{${parts.join(',')}}` };
  });

/** The preview's answer: the documents of the first page, as maps. */
export const previewDocuments = (
  job: TransformJob,
  result: CompositeResult,
  mappings: SourceMappings,
): JsonObject[] =>
  bucketDocuments(documentPlan(job, mappings), result, false).map((d) => JSON.parse(d.json) as JsonObject);
