import type { JsonObject } from '../../shared/xcontent';
import { groupSourceField, groupTargetField, type TransformJob } from '../job/model';

/**
 * How a continuous transform finds what changed (TransformSearchService and the runner's
 * BucketsToTransform): every shard of the source whose global checkpoint moved since the last
 * run is searched for the buckets of its new documents (`_seq_no` in (old, new]), and only those
 * buckets are recomputed over the whole source.
 */

/** LUCENE_MAX_CLAUSES: a recompute's bool query has one clause per group per bucket. */
const MAX_CLAUSES = 1024;

export interface ShardToSearch {
  /** `[<index>][<shard>]` */
  readonly key: string;
  readonly index: string;
  readonly shard: number;
}

export const parseShardKey = (key: string): ShardToSearch => {
  const m = /^\[(.*)\]\[(\d+)\]$/.exec(key);
  if (!m) throw new Error(`not a shard id: ${key}`);
  return { key, index: m[1], shard: Number(m[2]) };
};

/** getShardsToSearch: shards never searched, or whose checkpoint moved on. */
export const shardsToSearch = (
  before: Record<string, number> | undefined,
  now: Record<string, number>,
): string[] =>
  Object.entries(now)
    .filter(([key, checkpoint]) => before?.[key] === undefined || checkpoint > before[key])
    .map(([key]) => key);

/** The new documents of one shard: `_seq_no` in (from, to], unbounded where a checkpoint is unknown. */
export const newDocumentsQuery = (job: TransformJob, from: number | undefined, to: number): JsonObject => {
  const range: JsonObject = {};
  if (from !== undefined && from >= 0) {
    range.from = from;
    range.include_lower = false;
  }
  if (to >= 0) {
    range.to = to;
    range.include_upper = true;
  }
  return { bool: { filter: [{ range: { _seq_no: range } }], must: [job.data_selection_query] } };
};

/** calculateMaxPageSize: few enough buckets per recompute to stay under Lucene's clause limit. */
export const changedBucketsPageSize = (job: TransformJob): number =>
  Math.min(job.page_size, Math.floor(MAX_CLAUSES / (job.groups.length + 1)));

const UNIT_MS: Record<string, number> = {
  nanos: 1e-6,
  micros: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Java's ChronoUnit estimated durations, which DateHistogramInterval.estimateMillis uses for calendar units. */
const CALENDAR_MS: Record<string, number> = {
  '1m': 60_000,
  minute: 60_000,
  '1h': 3_600_000,
  hour: 3_600_000,
  '1d': 86_400_000,
  day: 86_400_000,
  '1w': 604_800_000,
  week: 604_800_000,
  '1M': 2_629_746_000,
  month: 2_629_746_000,
  '1q': 7_889_238_000,
  quarter: 7_889_238_000,
  '1y': 31_556_952_000,
  year: 31_556_952_000,
};

/** DateHistogramInterval.estimateMillis */
export const estimateMillis = (interval: string): number => {
  if (CALENDAR_MS[interval] !== undefined) return CALENDAR_MS[interval];
  const m = /^(\d+(?:\.\d+)?)(nanos|micros|ms|s|m|h|d)$/.exec(interval.trim());
  if (!m) return 0;
  return Math.round(Number(m[1]) * UNIT_MS[m[2]]);
};

/** Dimension.toBucketQuery for one group and one bucket key (a missing key: the field is missing). */
const bucketClause = (
  g: TransformJob['groups'][number],
  key: unknown,
): { filter?: JsonObject; mustNot?: JsonObject } => {
  const field = groupSourceField(g);
  if (key === null || key === undefined) return { mustNot: { exists: { field } } };
  if ('terms' in g) return { filter: { terms: { [field]: [key as string] } } };
  if ('histogram' in g) {
    const k = key as number;
    return {
      filter: {
        range: {
          [field]: {
            from: k - 0.00005,
            to: k + g.histogram.interval + 0.00005,
            include_lower: true,
            include_upper: true,
          },
        },
      },
    };
  }
  const h = g.date_histogram;
  const k = key as number;
  return {
    filter: {
      range: {
        [field]: {
          from: k,
          to: k + estimateMillis(h.fixed_interval ?? (h.calendar_interval as string)),
          include_lower: true,
          include_upper: false,
          time_zone: h.timezone,
          format: 'epoch_millis',
        },
      },
    },
  };
};

/** getQueryWithModifiedBuckets: the job's query, and any one of the buckets. */
export const changedBucketsQuery = (
  job: TransformJob,
  buckets: readonly Record<string, unknown>[],
): JsonObject => ({
  bool: {
    must: [job.data_selection_query],
    should: buckets.map((bucket) => {
      const filter: JsonObject[] = [];
      const mustNot: JsonObject[] = [];
      for (const g of job.groups) {
        const c = bucketClause(g, bucket[groupTargetField(g)]);
        if (c.filter) filter.push(c.filter);
        if (c.mustNot) mustNot.push(c.mustNot);
      }
      return {
        bool: { ...(filter.length ? { filter } : {}), ...(mustNot.length ? { must_not: mustNot } : {}) },
      };
    }),
    minimum_should_match: 1,
  },
});

/** A bucket's key as a comparable string (TransformProcessedBucketLog hashes the same values). */
export const bucketKeyOf = (key: Record<string, unknown>): string =>
  JSON.stringify(
    Object.keys(key)
      .sort()
      .map((k) => [k, key[k] ?? null]),
  );
