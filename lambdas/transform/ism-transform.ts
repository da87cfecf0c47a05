import { createHash } from 'node:crypto';
import type { ISMTransform } from '../ism/policy/model';
import { OpenSearchError } from '../shared/errors';
import { javaDoubleToString } from '../shared/java-number';
import type { Json } from '../shared/xcontent';
import { parseAggregations } from './job/aggregations';
import { groupSourceField, groupType, type TransformJob, type TransformMetadata } from './job/model';
import { TRANSFORM_SCHEMA_VERSION } from './job/parse';
import { renderQuery } from './job/query';
import type { TransformService } from './transform-service';

/**
 * What the ISM `transform` action needs from transform jobs (AttemptCreateTransformJobStep and
 * WaitForTransformCompletionStep): a job built from the action's `ism_transform` for one managed
 * index, with the plugin's id, created (or restarted) idempotently, and its progress.
 */

/** Numbers the builders hold as doubles (Jackson writes `1.0`). */
const DOUBLE_KEYS = new Set(['boost', 'interval', 'compression', 'percents']);

/**
 * `Strings.toString(builder, pretty)`: Jackson's pretty printer as OpenSearch configures it
 * (two-space indents for objects and arrays, `"key" : value`, `{ }` and `[ ]` when empty).
 */
export const prettyJson = (value: Json, indent = '', asDouble = false): string => {
  if (value === null) return 'null';
  if (typeof value === 'number') return asDouble ? javaDoubleToString(value) : String(value);
  if (typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[ ]';
    return `[\n${value.map((v) => inner + prettyJson(v, inner, asDouble)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{ }';
  return `{\n${entries
    .map(([k, v]) => `${inner}${JSON.stringify(k)} : ${prettyJson(v, inner, DOUBLE_KEYS.has(k))}`)
    .join(',\n')}\n${indent}}`;
};

/** The query and aggregations as the parsed builders render them. */
const normalized = (t: ISMTransform) => ({
  query: renderQuery(t.data_selection_query),
  aggregations: parseAggregations(t.aggregations),
});

/** ISMTransform.toString(): target, page size, query, each group's type and field, aggregations. */
const ismTransformString = (t: ISMTransform): string => {
  const { query, aggregations } = normalized(t);
  return [
    t.target_index,
    String(t.page_size),
    prettyJson(query),
    ...t.groups.map((g) => `${groupType(g)}${groupSourceField(g)}`),
    prettyJson(aggregations),
  ].join('');
};

/** ISMTransform.toTransform: the id is the SHA-1 (hex) of the managed index name and the transform's string. */
export const ismTransformJobId = (indexName: string, transform: ISMTransform): string =>
  createHash('sha1')
    .update(`${indexName}${ismTransformString(transform)}`, 'utf8')
    .digest('hex');

/** ISMTransform.toTransform: a one-shot job over the managed index, every minute, enabled now. */
export const transformJobFromIsm = (indexName: string, t: ISMTransform, now: number): TransformJob => {
  const { query, aggregations } = normalized(t);
  return {
    transform_id: ismTransformJobId(indexName, t),
    schema_version: TRANSFORM_SCHEMA_VERSION,
    schedule: { interval: { start_time: now, period: 1, unit: 'Minutes' } },
    metadata_id: null,
    updated_at: now,
    enabled: true,
    enabled_at: now,
    description: t.description,
    source_index: indexName,
    data_selection_query: query,
    target_index: t.target_index,
    page_size: t.page_size,
    groups: t.groups,
    aggregations,
    continuous: false,
  };
};

export type IsmTransformStart =
  | { readonly outcome: 'created' | 'restarted' | 'exists'; readonly transformId: string }
  | { readonly outcome: 'failed' | 'restart_failed'; readonly transformId: string; readonly cause: string };

/**
 * AttemptCreateTransformJobStep: creates the job for this index. When it exists already, a
 * step that already recorded the job (a resumed or repeated step) leaves it be; otherwise (the
 * action run again) the job is started again.
 */
export const startIsmTransform = async (
  service: TransformService,
  indexName: string,
  t: ISMTransform,
  now: number,
  recorded: boolean,
): Promise<IsmTransformStart> => {
  let job: TransformJob;
  try {
    job = transformJobFromIsm(indexName, t, now);
  } catch (e) {
    return { outcome: 'failed', transformId: ismTransformJobId(indexName, t), cause: (e as Error).message };
  }
  const id = job.transform_id;
  try {
    await service.put(id, { transform: job }, undefined, undefined);
    return { outcome: 'created', transformId: id };
  } catch (e) {
    if (!(e instanceof OpenSearchError && e.type === 'version_conflict_engine_exception')) {
      return { outcome: 'failed', transformId: id, cause: (e as Error).message };
    }
  }
  if (recorded) return { outcome: 'exists', transformId: id };
  try {
    await service.start(id);
    return { outcome: 'restarted', transformId: id };
  } catch (e) {
    return { outcome: 'restart_failed', transformId: id, cause: (e as Error).message };
  }
};

export interface IsmTransformProgress {
  /** false: no such job (the wait step then completes, as in the plugin). */
  readonly exists: boolean;
  /** null: the job has not run yet. */
  readonly status: TransformMetadata['status'] | null;
  readonly failureReason: string | null;
}

/** WaitForTransformCompletionStep reads the job's explain. */
export const ismTransformProgress = async (
  service: TransformService,
  transformId: string,
): Promise<IsmTransformProgress> => {
  const entry = (await service.explain(transformId))[transformId] ?? null;
  const m = entry?.transform_metadata ?? null;
  return { exists: entry !== null, status: m?.status ?? null, failureReason: m?.failure_reason ?? null };
};
