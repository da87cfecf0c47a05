import { CronExpressionParser } from 'cron-parser';
import { illegalArgument } from '../../shared/errors';
import { parseDimensionWith } from '../../ism/policy/dimensions';
import { parseRollupMetrics } from '../../ism/policy/actions/rollup';
import { ISM_CONFIG_SCHEMA_VERSION } from '../../ism/policy/parse';
import { normalizeZoneId } from '../../ism/policy/timezone';
import {
  booleanValue,
  check,
  expectArray,
  fields,
  instant,
  intValue,
  isObject,
  longValue,
  required,
  text,
  textOrNull,
  tokenOf,
  unexpectedToken,
} from '../../shared/xcontent';
import type { Dimension, IntervalUnit, RollupJob, RollupMetric, RollupSchedule } from './model';
import { checkInterval } from './intervals';
import { normalizeIndexSettings } from './settings';

/**
 * Rollup.parse (Rollup.kt) with its init checks, plus the transport-level rules of
 * TransportIndexRollupAction. Dimensions and metrics are parsed by the same functions the ISM
 * `rollup` action uses, as in the plugin (Dimension.parse, RollupMetrics.parse).
 */

/** IndexUtils.indexManagementConfigSchemaVersion: the one the ISM policies use too. */
export const ROLLUP_SCHEMA_VERSION = ISM_CONFIG_SCHEMA_VERSION;

export interface ParseContext {
  readonly id: string;
  readonly now: number;
  /** A new job: an interval schedule's start_time becomes now, as the plugin does. */
  readonly create: boolean;
}

const UNITS: Record<string, IntervalUnit> = { minutes: 'Minutes', hours: 'Hours', days: 'Days' };

/** job-scheduler's ScheduleParser: `interval` or `cron`. */
const parseSchedule = (value: unknown, ctx: ParseContext): RollupSchedule => {
  let schedule: RollupSchedule | undefined;
  for (const [field, v] of fields(value)) {
    if (field === 'interval') {
      let start: number | null = null;
      let period: number | null = null;
      let unit: string | null = null;
      for (const [f, x] of fields(v)) {
        if (f === 'start_time') start = instant(x);
        else if (f === 'period') period = intValue(x);
        else if (f === 'unit') unit = text(x);
        else if (f === 'schedule_delay') longValue(x);
        else throw illegalArgument(`Unknown field [${f}] in interval schedule`);
      }
      const u = UNITS[required(unit, 'Interval unit is null').toLowerCase()];
      if (!u) throw illegalArgument(`Interval unit [${unit}] is not supported; use Minutes, Hours or Days`);
      const p = required(period, 'Interval period is null');
      check(p >= 1, 'Rollup job schedule interval must be greater than 0');
      schedule = {
        interval: { start_time: ctx.create || start === null ? ctx.now : start, period: p, unit: u },
      };
    } else if (field === 'cron') {
      let expression: string | null = null;
      let timezone: string | null = null;
      for (const [f, x] of fields(v)) {
        if (f === 'expression') expression = text(x);
        else if (f === 'timezone') timezone = text(x);
        else if (f === 'schedule_delay') longValue(x);
        else throw illegalArgument(`Unknown field [${f}] in cron schedule`);
      }
      const expr = required(expression, 'Cron expression is null');
      const zone = normalizeZoneId(required(timezone, 'Cron timezone is null'));
      try {
        CronExpressionParser.parse(expr, { tz: zone });
      } catch (e) {
        throw illegalArgument(`Invalid cron expression [${expr}]: ${(e as Error).message}`);
      }
      schedule = { cron: { expression: expr, timezone: zone } };
    } else {
      throw illegalArgument(`Unknown schedule type [${field}]`);
    }
  }
  return required(schedule, 'Rollup schedule is null');
};

/**
 * The body of a PUT: exactly one top-level key (conventionally `rollup`; the plugin does not
 * check its name) whose value is the job.
 */
export const unwrapRollupBody = (body: unknown): unknown => {
  const entries = fields(body);
  if (entries.length === 0) throw unexpectedToken('FIELD_NAME', 'END_OBJECT');
  return entries[0][1];
};

export const parseRollupJob = (value: unknown, ctx: ParseContext): RollupJob => {
  let schedule: RollupSchedule | undefined;
  let enabled = true;
  let enabledTime: number | null = null;
  let lastUpdated: number | null = null;
  let description: string | null = null;
  let source: string | null = null;
  let target: string | null = null;
  let metadataId: string | null = null;
  let pageSize: number | null = null;
  let delay: number | null = null;
  let continuous = false;
  const dimensions: Dimension[] = [];
  const metrics: RollupMetric[] = [];
  let routingField: string | undefined;
  let settings: Record<string, unknown> | undefined;
  for (const [field, v] of fields(value)) {
    switch (field) {
      case 'rollup_id':
        required(v === null ? null : text(v), 'The rollup_id field is null');
        break;
      case 'enabled':
        enabled = booleanValue(v);
        break;
      case 'schedule':
        schedule = parseSchedule(v, ctx);
        break;
      case 'schema_version':
        longValue(v);
        break;
      case 'enabled_time':
        enabledTime = instant(v);
        break;
      case 'last_updated_time':
        lastUpdated = instant(v);
        break;
      case 'description':
        description = text(v);
        break;
      case 'source_index':
        source = text(v);
        break;
      case 'target_index':
        target = text(v);
        break;
      case 'metadata_id':
        metadataId = textOrNull(v);
        break;
      case 'roles':
      case 'user':
        // Deprecated / server-managed: parsed and discarded.
        break;
      case 'page_size':
        pageSize = intValue(v);
        break;
      case 'delay':
        delay = v === null ? null : longValue(v);
        break;
      case 'continuous':
        continuous = booleanValue(v);
        break;
      case 'dimensions':
        for (const d of expectArray(v)) dimensions.push(parseDimensionWith(d, { format: true }));
        break;
      case 'metrics':
        for (const m of expectArray(v)) metrics.push(parseRollupMetrics(m));
        break;
      case 'routing_field':
        routingField = text(v);
        break;
      case 'target_index_settings':
        if (!isObject(v)) throw unexpectedToken('START_OBJECT', tokenOf(v));
        settings = normalizeIndexSettings(v);
        break;
      default:
        throw illegalArgument(`Invalid field [${field}] found in Rollup.`);
    }
  }
  const job: RollupJob = {
    rollup_id: ctx.id,
    enabled,
    schedule: required(schedule, 'Rollup schedule is null'),
    last_updated_time: ctx.now,
    enabled_time: enabled ? (enabledTime ?? ctx.now) : null,
    description: required(description, 'Rollup description is null'),
    schema_version: ROLLUP_SCHEMA_VERSION,
    source_index: required(source, 'Rollup source index is null'),
    target_index: required(target, 'Rollup target index is null'),
    metadata_id: metadataId,
    page_size: required(pageSize, 'Rollup page size is null'),
    delay,
    continuous,
    dimensions: dimensions.map(withFormat),
    metrics,
    ...(routingField !== undefined ? { routing_field: routingField } : {}),
    ...(settings !== undefined ? { target_index_settings: settings } : {}),
  };
  void lastUpdated; // last_updated_time is always the time of the PUT
  check(job.source_index !== job.target_index, 'Your source and target index cannot be the same');
  check(
    dimensions.filter((d) => 'date_histogram' in d).length === 1,
    'Must specify precisely one date histogram dimension',
  );
  check('date_histogram' in dimensions[0], 'The first dimension must be a date histogram');
  checkInterval(dimensions[0].date_histogram);
  check(job.page_size >= 1 && job.page_size <= 10_000, 'Page size must be between 1 and 10,000');
  if (delay !== null) {
    check(delay >= 0, 'Delay must be non-negative if set');
    check(delay <= ctx.now, 'Delay must be less than the current unix time');
  }
  if (routingField !== undefined) {
    check(
      dimensions.some((d) => 'terms' in d && d.terms.source_field === routingField),
      `Routing field [${routingField}] must match a terms dimension`,
    );
  }
  // The job scheduler shifts a continuous job's runs by its delay (schedule_delay).
  if ('interval' in job.schedule) job.schedule.interval.schedule_delay = continuous ? (delay ?? 0) : 0;
  return job;
};

/** DateHistogram.toXContent: interval, source_field, target_field, timezone, format (null when unset). */
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

/** Fields an update may not change (TransportIndexRollupAction), in the plugin's order. */
const IMMUTABLE = [
  'continuous',
  'dimensions',
  'metrics',
  'source_index',
  'target_index',
  'routing_field',
] as const;

export const changedImmutableFields = (before: RollupJob, after: RollupJob): string[] =>
  IMMUTABLE.filter((f) => JSON.stringify(before[f] ?? null) !== JSON.stringify(after[f] ?? null));
