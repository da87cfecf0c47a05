import { parseDimensionWith } from '../../ism/policy/dimensions';
import { illegalArgument } from '../../shared/errors';
import {
  booleanValue,
  check,
  expectArray,
  fields,
  instant,
  intValue,
  longValue,
  required,
  text,
  textOrNull,
  unexpectedToken,
} from '../../shared/xcontent';
import { checkSupportedAggregations, parseAggregations } from './aggregations';
import type { Dimension, TransformJob } from './model';
import { renderQuery } from './query';
import { parseJobSchedule, type JobSchedule } from './schedule';

/**
 * Transform.parse (Transform.kt) with its init checks, in the plugin's order: unknown fields as
 * they come, then the required fields, then supported aggregations, the schedule interval,
 * groups, source ≠ target and the page size bounds.
 *
 *   parseTransform(body.transform, { id: 'sales', now: Date.now(), create: true })
 */

/** `_meta.schema_version` of the 2.19.6 plugin's config index mapping: what a stored job carries. */
export const TRANSFORM_SCHEMA_VERSION = 21;

export const MAX_PAGE_SIZE = 10_000;
export const MAX_PAGE_SIZE_CONTINUOUS = 1_000;

export interface ParseContext {
  readonly id: string;
  readonly now: number;
  /** A new job (no if_seq_no/if_primary_term): its metadata_id is cleared, as the plugin does. */
  readonly create: boolean;
}

/**
 * The body of a PUT or a preview: exactly one top-level key (conventionally `transform`; the
 * plugin does not check its name) whose value is the job.
 */
export const unwrapTransformBody = (body: unknown): unknown => {
  const entries = fields(body);
  if (entries.length === 0) throw unexpectedToken('FIELD_NAME', 'END_OBJECT');
  return entries[0][1];
};

/** DateHistogram.toXContent writes `format` (null when unset). */
const withFormat = (d: Dimension): Dimension => {
  if (!('date_histogram' in d)) return d;
  const h = d.date_histogram;
  return {
    date_histogram: {
      ...(h.fixed_interval !== undefined
        ? { fixed_interval: h.fixed_interval }
        : { calendar_interval: h.calendar_interval }),
      source_field: h.source_field,
      target_field: h.target_field,
      timezone: h.timezone,
      format: h.format ?? null,
    },
  };
};

export const parseTransform = (value: unknown, ctx: ParseContext): TransformJob => {
  let schedule: JobSchedule | undefined;
  let updatedAt: number | null = null;
  let enabledAt: number | null = null;
  let enabled = true;
  let description: string | null = null;
  let source: string | null = null;
  let query: TransformJob['data_selection_query'] = { match_all: { boost: 1.0 } };
  let target: string | null = null;
  let metadataId: string | null = null;
  let pageSize: number | null = null;
  const groups: Dimension[] = [];
  let aggregations: TransformJob['aggregations'] = {};
  let continuous = false;
  for (const [field, v] of fields(value)) {
    switch (field) {
      case 'transform_id':
        required(v === null ? null : text(v), 'The transform_id field is null');
        break;
      case 'schedule':
        schedule = parseJobSchedule(v, {
          now: ctx.now,
          intervalMessage: 'Transform job schedule interval must be greater than 0',
          nullMessage: 'Transform schedule is null',
        });
        break;
      case 'schema_version':
        longValue(v);
        break;
      case 'updated_at':
        updatedAt = instant(v);
        break;
      case 'enabled_at':
        enabledAt = instant(v);
        break;
      case 'enabled':
        enabled = booleanValue(v);
        break;
      case 'description':
        description = text(v);
        break;
      case 'source_index':
        source = text(v);
        break;
      case 'data_selection_query':
        query = renderQuery(v);
        break;
      case 'target_index':
        target = text(v);
        break;
      case 'metadata_id':
        metadataId = textOrNull(v);
        break;
      case 'roles':
        // Deprecated: parsed and discarded.
        for (const r of expectArray(v)) text(r);
        break;
      case 'page_size':
        pageSize = intValue(v);
        break;
      case 'groups':
        for (const g of expectArray(v)) groups.push(withFormat(parseDimensionWith(g, { format: true })));
        break;
      case 'aggregations':
        aggregations = parseAggregations(v);
        break;
      case 'continuous':
        continuous = booleanValue(v);
        break;
      case 'user':
        // Server-managed (the security plugin's user): discarded.
        break;
      default:
        throw illegalArgument(`Invalid field [${field}] found in Transforms.`);
    }
  }
  void updatedAt; // updated_at is always the time of the PUT (RestIndexTransformAction)
  const job: TransformJob = {
    transform_id: ctx.id,
    schema_version: TRANSFORM_SCHEMA_VERSION,
    schedule: required(schedule, 'Transform schedule is null'),
    metadata_id: ctx.create ? null : metadataId,
    updated_at: ctx.now,
    enabled,
    enabled_at: enabled ? (enabledAt ?? ctx.now) : null,
    description: required(description, 'Transform description is null'),
    source_index: required(source, 'Transform source index is null'),
    data_selection_query: query,
    target_index: required(target, 'Transform target index is null'),
    page_size: required(pageSize, 'Transform page size is null'),
    groups,
    aggregations,
    continuous,
  };
  checkSupportedAggregations(aggregations);
  check(groups.length > 0, 'Groupings are Empty');
  check(job.source_index !== job.target_index, 'Source and target indices cannot be the same');
  if (continuous) {
    check(
      job.page_size >= 1 && job.page_size <= MAX_PAGE_SIZE_CONTINUOUS,
      'Page size must be between 1 and 1,000',
    );
  } else {
    check(job.page_size >= 1 && job.page_size <= MAX_PAGE_SIZE, 'Page size must be between 1 and 10,000');
  }
  return job;
};

/** TransportIndexTransformAction.modifiedImmutableProperties, in the plugin's order. */
const IMMUTABLE = [
  'source_index',
  'target_index',
  'data_selection_query',
  'groups',
  'aggregations',
  'continuous',
] as const;

export const changedImmutableFields = (before: TransformJob, after: TransformJob): string[] =>
  IMMUTABLE.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
