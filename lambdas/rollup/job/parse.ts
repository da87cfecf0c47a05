import { checkUnixCron } from '../../shared/cron';
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
  /** A new job (no if_seq_no/if_primary_term): its interval schedule gets a delay, as the plugin's does. */
  readonly create: boolean;
  /** An update's interval schedule without a start time keeps the stored job's. */
  readonly storedStartTime?: number;
}

/**
 * ChronoUnit.valueOf(unit.toUpperCase()) as job-scheduler reads an interval's unit, rendered as
 * ChronoUnit.toString() names it. Units of an estimated length (weeks and longer) cannot make an
 * interval (Duration.of refuses them).
 */
const CHRONO_UNITS: Record<string, IntervalUnit | undefined> = {
  NANOS: 'Nanos',
  MICROS: 'Micros',
  MILLIS: 'Millis',
  SECONDS: 'Seconds',
  MINUTES: 'Minutes',
  HOURS: 'Hours',
  HALF_DAYS: 'HalfDays',
  DAYS: 'Days',
  WEEKS: undefined,
  MONTHS: undefined,
  YEARS: undefined,
  DECADES: undefined,
  CENTURIES: undefined,
  MILLENNIA: undefined,
  ERAS: undefined,
  FOREVER: undefined,
};

const intervalUnit = (unit: string): IntervalUnit => {
  const name = unit.toUpperCase();
  if (!(name in CHRONO_UNITS))
    throw illegalArgument(`No enum constant java.time.temporal.ChronoUnit.${name}`);
  const known = CHRONO_UNITS[name];
  if (!known) throw illegalArgument('Unit must not have an estimated duration');
  return known;
};

/**
 * job-scheduler's ScheduleParser: `interval` or `cron`, each with an optional `schedule_delay`
 * (kept as given: rendered only when set), with its messages.
 */
const parseSchedule = (value: unknown, ctx: ParseContext): RollupSchedule => {
  let schedule: RollupSchedule | undefined;
  for (const [field, v] of fields(value)) {
    if (field === 'interval') {
      let start: number | null = null;
      let period = 0;
      let unit: string | null = null;
      let delay: number | undefined;
      for (const [f, x] of fields(v)) {
        if (f === 'start_time') start = instant(x);
        else if (f === 'period') period = intValue(x);
        else if (f === 'unit') unit = text(x);
        else if (f === 'schedule_delay') delay = longValue(x);
        else throw illegalArgument(`Unknown interval field ${f}`);
      }
      // The plugin lets a NullPointerException escape for a missing unit (a 500).
      const u = intervalUnit(required(unit, 'Interval unit is null'));
      check(period >= 1, 'Rollup job schedule interval must be greater than 0');
      schedule = {
        interval: {
          // The plugin needs a start time on an update too; we keep the stored one (ctx.startTime).
          start_time: start ?? ctx.storedStartTime ?? ctx.now,
          period,
          unit: u,
          ...(delay !== undefined ? { schedule_delay: delay } : {}),
        },
      };
    } else if (field === 'cron') {
      let expression: string | null = null;
      let timezone: string | null = null;
      let delay: number | undefined;
      for (const [f, x] of fields(v)) {
        if (f === 'expression') expression = text(x);
        else if (f === 'timezone') timezone = text(x);
        else if (f === 'schedule_delay') delay = longValue(x);
        else throw illegalArgument(`Unknown cron field ${f}`);
      }
      const expr = required(expression, 'Cron expression is null');
      const zone = normalizeZoneId(required(timezone, 'Cron timezone is null'));
      // cron-utils' rules and words, as job-scheduler parses it.
      checkUnixCron(expr);
      schedule = {
        cron: { expression: expr, timezone: zone, ...(delay !== undefined ? { schedule_delay: delay } : {}) },
      };
    } else {
      throw illegalArgument(`Unknown schedule type ${field}`);
    }
  }
  if (schedule) return schedule;
  throw illegalArgument('Invalid schedule document object.');
};

/** job-scheduler's IntervalSchedule.getStartTime: the start time shifted by the schedule's delay. */
const delayedStart = (interval: { start_time: number; schedule_delay?: number }): number =>
  interval.start_time + (interval.schedule_delay ?? 0);

/**
 * The schedule as Rollup.parse and Rollup's init leave it: a new job's interval schedule is
 * rebuilt with its delay (0 when unset), and a continuous job's schedule takes the job's `delay`
 * when it differs. Each rebuild starts at the previous schedule's delayed start, as the plugin's do.
 */
const settleSchedule = (
  schedule: RollupSchedule,
  create: boolean,
  continuous: boolean,
  delay: number | null,
) => {
  if (create && 'interval' in schedule) {
    const i = schedule.interval;
    schedule = { interval: { ...i, start_time: delayedStart(i), schedule_delay: i.schedule_delay ?? 0 } };
  }
  if (!continuous) return schedule;
  if ('interval' in schedule) {
    const i = schedule.interval;
    if (i.schedule_delay === (delay ?? undefined)) return schedule;
    return { interval: { ...i, start_time: delayedStart(i), schedule_delay: delay ?? 0 } };
  }
  if (schedule.cron.schedule_delay === (delay ?? undefined)) return schedule;
  return { cron: { ...schedule.cron, schedule_delay: delay ?? 0 } };
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
    schedule: settleSchedule(required(schedule, 'Rollup schedule is null'), ctx.create, continuous, delay),
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
