import type { RollupJob, RollupMetadata, RollupMetricType } from '../job/model';
import { dateHistogramOf } from '../job/model';
import { hashToFixedSize } from '../../shared/murmur3';
import { javaDoubleToString, javaLongToString } from '../../shared/java-number';

/**
 * The runner's composite search (RollupUtils.getRollupSearchRequest) and the rollup documents
 * built from its buckets (RollupIndexer): one document per bucket, with the plugin's field names,
 * value types and deterministic `_id`, so a re-run overwrites instead of duplicating.
 */
export const ODFE_MAGIC_NULL = '#ODFE-MAGIC-NULL-MAGIC-ODFE#';

type Json = unknown;

/** How a terms key renders in Java: numbers from floating-point fields are Doubles. */
export type KeyKind = 'long' | 'double' | 'string';

export interface CompositeBucket {
  key: Record<string, Json>;
  doc_count: number;
  [agg: string]: Json;
}

export interface CompositeResult {
  buckets: CompositeBucket[];
  after_key?: Record<string, Json>;
}

/** Composite source name of a dimension, e.g. `tpep_pickup_datetime.date_histogram`. */
export const sourceName = (d: RollupJob['dimensions'][number]): string => {
  if ('date_histogram' in d) return `${d.date_histogram.target_field}.date_histogram`;
  if ('terms' in d) return `${d.terms.target_field}.terms`;
  return `${d.histogram.target_field}.histogram`;
};

const metricTypes = (m: RollupJob['metrics'][number]): RollupMetricType[] =>
  m.metrics.map((x) => Object.keys(x)[0] as RollupMetricType);

/** One value of a rollup document that a metric sub-aggregation computes. */
export interface MetricColumn {
  /** The sub-aggregation's name in the search: short, since every bucket of the answer repeats it. */
  readonly agg: string;
  /** The rollup document's field, e.g. `fare.avg.sum`. */
  readonly field: string;
  readonly body: Record<string, Json>;
}

/**
 * Sub-aggregations per metric; `avg` is kept as its sum and count so it can be re-averaged. On a
 * rollup index as the source (rollup-on-rollup) the stored values are re-aggregated: sums of
 * sums, max of maxes, min of mins, sums of counts.
 */
export const metricColumns = (job: Pick<RollupJob, 'metrics'>, fromRollup = false): MetricColumn[] => {
  const fields: [string, Record<string, Json>][] = [];
  for (const m of job.metrics) {
    const f = m.source_field;
    for (const type of metricTypes(m)) {
      if (type === 'avg') {
        fields.push([
          `${f}.avg.sum`,
          fromRollup ? { sum: { field: `${f}.avg.sum` } } : { sum: { field: f } },
        ]);
        fields.push([
          `${f}.avg.value_count`,
          fromRollup ? { sum: { field: `${f}.avg.value_count` } } : { value_count: { field: f } },
        ]);
      } else if (fromRollup) {
        fields.push([`${f}.${type}`, { [type === 'value_count' ? 'sum' : type]: { field: `${f}.${type}` } }]);
      } else {
        fields.push([`${f}.${type}`, { [type]: { field: f } }]);
      }
    }
  }
  return fields.map(([field, body], i) => ({ agg: `m${i}`, field, body }));
};

/** The sub-aggregations of the composite, by their short names. */
export const metricAggregations = (
  job: Pick<RollupJob, 'metrics'>,
  fromRollup = false,
): Record<string, Json> => Object.fromEntries(metricColumns(job, fromRollup).map((c) => [c.agg, c.body]));

/** The field a dimension reads: on a rollup index, its stored `<field>.<type>`. */
const readField = (field: string, type: string, fromRollup: boolean): string =>
  fromRollup ? `${field}.${type}` : field;

export const compositeSources = (
  job: Pick<RollupJob, 'dimensions'>,
  fromRollup = false,
): Record<string, Json>[] =>
  job.dimensions.map((d) => {
    if ('date_histogram' in d) {
      const h = d.date_histogram;
      return {
        [sourceName(d)]: {
          date_histogram: {
            field: readField(h.source_field, 'date_histogram', fromRollup),
            ...(h.fixed_interval !== undefined
              ? { fixed_interval: h.fixed_interval }
              : { calendar_interval: h.calendar_interval }),
            time_zone: h.timezone,
            ...(h.format ? { format: h.format } : {}),
            missing_bucket: true,
          },
        },
      };
    }
    if ('terms' in d)
      return {
        [sourceName(d)]: {
          terms: { field: readField(d.terms.source_field, 'terms', fromRollup), missing_bucket: true },
        },
      };
    return {
      [sourceName(d)]: {
        histogram: {
          field: readField(d.histogram.source_field, 'histogram', fromRollup),
          interval: d.histogram.interval,
          missing_bucket: true,
        },
      },
    };
  });

/** The search body of one page. Continuous jobs read only their current window. */
export const compositeSearchBody = (
  job: RollupJob,
  metadata: Pick<RollupMetadata, 'after_key' | 'continuous'>,
  pageSize: number = job.page_size,
  fromRollup = false,
): Record<string, Json> => {
  const dateField = readField(dateHistogramOf(job).source_field, 'date_histogram', fromRollup);
  const query =
    job.continuous && metadata.continuous
      ? {
          range: {
            [dateField]: {
              gte: metadata.continuous.next_window_start_time,
              lt: metadata.continuous.next_window_end_time,
              format: 'epoch_millis',
            },
          },
        }
      : { match_all: {} };
  return {
    size: 0,
    track_total_hits: false,
    query,
    aggregations: {
      [job.rollup_id]: {
        composite: {
          size: pageSize,
          sources: compositeSources(job, fromRollup),
          ...(metadata.after_key ? { after: metadata.after_key } : {}),
        },
        aggregations: metricAggregations(job, fromRollup),
      },
    },
  };
};

/** How each dimension's key renders in the id and the document. */
export const keyKinds = (job: RollupJob, fieldTypes: Record<string, string>): Record<string, KeyKind> => {
  const kinds: Record<string, KeyKind> = {};
  for (const d of job.dimensions) {
    if ('date_histogram' in d) kinds[sourceName(d)] = d.date_histogram.format ? 'string' : 'long';
    else if ('histogram' in d) kinds[sourceName(d)] = 'double';
    else {
      const type = fieldTypes[d.terms.source_field] ?? 'keyword';
      kinds[sourceName(d)] = ['double', 'float', 'half_float', 'scaled_float'].includes(type)
        ? 'double'
        : ['long', 'integer', 'short', 'byte', 'date', 'date_nanos', 'unsigned_long'].includes(type)
          ? 'long'
          : 'string';
    }
  }
  return kinds;
};

const renderKey = (value: Json, kind: KeyKind): string => {
  if (value === null || value === undefined) return ODFE_MAGIC_NULL;
  if (typeof value === 'number')
    return kind === 'double' ? javaDoubleToString(value) : javaLongToString(value);
  return String(value);
};

/** JSON of one value as Jackson writes the Java object the plugin holds. */
const jsonValue = (value: Json, asDouble: boolean): string => {
  if (typeof value === 'number') {
    if (!asDouble) return String(value);
    return Number.isFinite(value) ? javaDoubleToString(value) : 'null';
  }
  return JSON.stringify(value ?? null);
};

/**
 * One rollup document as the two NDJSON lines of its bulk `index` item (action and source, each
 * ending in a newline): built once, so a bulk body is the concatenation of its items. The action
 * names no index (the request's path does) and the source keeps the plugin's field order and
 * number spelling.
 */
export type RollupDocument = string;

/**
 * What every document of a job shares, worked out once per run rather than per bucket: field
 * names already quoted, the fixed leading fields, how each key renders.
 */
export interface DocumentPlan {
  readonly jobId: string;
  readonly head: string;
  readonly dimensions: readonly { name: string; quoted: string; kind: KeyKind }[];
  readonly metrics: readonly { agg: string; quoted: string; count: boolean }[];
  /** The composite source whose key routes each document (the job's `routing_field`). */
  readonly routing?: string;
}

export const documentPlan = (job: RollupJob, kinds: Record<string, KeyKind>): DocumentPlan => {
  // The document field `<routing_field>.terms` holds the routing value.
  const routing =
    job.routing_field === undefined
      ? undefined
      : job.dimensions.map(sourceName).find((name) => name === `${job.routing_field}.terms`);
  return {
    jobId: job.rollup_id,
    head: `{"rollup._id":${JSON.stringify(job.rollup_id)},"_doc_count":`,
    dimensions: job.dimensions.map(sourceName).map((name) => ({
      name,
      quoted: `,${JSON.stringify(name)}:`,
      kind: kinds[name],
    })),
    metrics: metricColumns(job).map((c) => ({
      agg: c.agg,
      quoted: `,${JSON.stringify(c.field)}:`,
      count: c.field.endsWith('.value_count'),
    })),
    ...(routing ? { routing } : {}),
  };
};

/**
 * RollupIndexer.convertResponseToRequests: one bulk `index` item per bucket, handed to `emit` as
 * soon as it is built (the runner copies it into the request body at once, so that a page's
 * documents are never all alive as strings together: they would outlive young-generation GCs).
 */
export const forEachDocument = (
  job: RollupJob,
  plan: DocumentPlan,
  result: CompositeResult,
  emit: (doc: RollupDocument) => void,
): void => {
  const schema = `,"rollup._schema_version":${job.schema_version}`;
  for (let b = 0; b < result.buckets.length; b++) {
    const bucket = result.buckets[b];
    let idSource = plan.jobId;
    let json = `${plan.head}${bucket.doc_count}${schema}`;
    for (const d of plan.dimensions) {
      const value = bucket.key[d.name];
      idSource += `#${renderKey(value, d.kind)}`;
      json += d.quoted + jsonValue(value, d.kind === 'double');
    }
    for (const m of plan.metrics) {
      const value = (bucket[m.agg] as { value?: number | null } | undefined)?.value ?? null;
      json += m.quoted + jsonValue(value, !m.count);
    }
    const routing = plan.routing === undefined ? undefined : bucket.key[plan.routing];
    // Ids are base64url: nothing to escape.
    const action =
      routing === null || routing === undefined
        ? `{"index":{"_id":"${hashToFixedSize(idSource)}"}}\n`
        : `{"index":{"_id":"${hashToFixedSize(idSource)}","routing":${JSON.stringify(String(routing))}}}\n`;
    emit(`${action}${json}}\n`);
  }
};

export const bucketsToDocuments = (
  job: RollupJob,
  plan: DocumentPlan,
  result: CompositeResult,
): RollupDocument[] => {
  const docs: RollupDocument[] = [];
  forEachDocument(job, plan, result, (doc) => docs.push(doc));
  return docs;
};
