import { OpenSearchError, illegalArgument } from '../../shared/errors';
import { normalizeZoneId } from '../../ism/policy/timezone';
import {
  booleanValue,
  fields,
  instant,
  intValue,
  isObject,
  mapOrdered,
  required,
  text,
  textOrNull,
  tokenOf,
  unexpectedToken,
} from '../../shared/xcontent';
import { DateFormatError, compileDateFormat } from './date-format';
import type {
  Creation,
  DeleteCondition,
  Deletion,
  IntervalSchedule,
  NotificationConditions,
  NotificationConfig,
  SMPolicy,
  Schedule,
  SnapshotConfig,
} from './model';
import { nextFireTime, parseInterval, parseSchedule } from './schedule';
import { normalizeSmTimeValue } from './time-value';

/**
 * The body of `POST/PUT _plugins/_sm/policies/<name>`, validated as the plugin validates it
 * (SMPolicy.parse and its model checks) and normalised to the stored form, with the fields the
 * server fills (schema_version, schedule, enabled_time, last_updated_time).
 */

/** IndexUtils.indexManagementConfigSchemaVersion: `_meta.schema_version` of the 2.19.6 config-index mapping. */
export const SM_SCHEMA_VERSION = 21;

const CREATION_NEXT_NULL =
  'Next execution time from the creation schedule is null, please provide a valid cron expression.';
const DELETION_NEXT_NULL =
  'Next execution time from the deletion schedule is null, please provide a valid cron expression.';

/** Policy names become snapshot-name prefixes, so they follow snapshot-name rules (validateSMPolicyName). */
const INVALID_FILENAME_CHARS = ['\\', '/', '*', '?', '"', '<', '>', '|', ' ', ','];

export const validatePolicyName = (name: string): void => {
  const errors: string[] = [];
  if (name === '') errors.push('Policy name cannot be empty.');
  if (name.includes(' ')) errors.push('Policy name must not contain whitespace.');
  if (name.includes(',')) errors.push("Policy name must not contain ','.");
  if (name.includes('#')) errors.push("Policy name must not contain '#'.");
  if (name.startsWith('_')) errors.push("Policy name must not start with '_'.");
  if (name.toLowerCase() !== name) errors.push('Policy name must be lowercase.');
  if (INVALID_FILENAME_CHARS.some((c) => name.includes(c))) {
    errors.push(
      `Policy name must not contain the following characters [${INVALID_FILENAME_CHARS.join(', ')}].`,
    );
  }
  if (errors.length > 0) throw illegalArgument(errors.join('\n'));
};

export interface ParseOptions {
  name: string;
  now: number;
}

/**
 * SMPolicy.parse and SMPolicy's init, in their order: every field as it comes (unknown ones
 * ignored), then the defaults (enabled_time, the job schedule), then `creation` required, the
 * deletion schedule defaulting to the creation one, `snapshot_config` required with a valid
 * date_format, its repository, and last the schedules' next execution times.
 */
export const parsePolicy = (body: unknown, { name, now }: ParseOptions): SMPolicy => {
  if (body === undefined) throw new OpenSearchError(400, 'parse_exception', 'request body is required');
  if (!isObject(body)) throw unexpectedToken('START_OBJECT', tokenOf(body));
  let description: string | undefined;
  let creation: Creation | undefined;
  let deletion: PartialDeletion | undefined;
  let snapshotConfig: SnapshotConfig | undefined;
  let enabledTime: number | null = null;
  let schedule: IntervalSchedule | undefined;
  let enabled = true;
  let notification: NotificationConfig | undefined;

  for (const [field, value] of Object.entries(body)) {
    switch (field) {
      case 'description':
        description = textOrNull(value) ?? undefined;
        break;
      case 'creation':
        creation = parseCreation(value, now);
        break;
      case 'deletion':
        deletion = parseDeletion(value, now);
        break;
      case 'snapshot_config':
        snapshotConfig = mapOrdered(value) as SnapshotConfig;
        break;
      case 'enabled_time':
        enabledTime = instant(value);
        break;
      case 'schedule': {
        const entries = fields(value);
        if (entries.length === 0 || entries[0][0] !== 'interval') {
          throw illegalArgument('The policy schedule must be an interval schedule');
        }
        schedule = parseInterval(entries[0][1], now) as IntervalSchedule;
        break;
      }
      case 'enabled':
        enabled = booleanValue(value);
        break;
      case 'notification':
        notification = value === null ? undefined : parseNotification(value);
        break;
      default:
        // name, schema_version, last_updated_time, user and unknown keys are ignored, as in the plugin.
        break;
    }
  }

  if (!creation) throw illegalArgument('Must provide the creation configuration.');
  // Key order as the plugin renders it: schedule, condition, time_limit (snapshot_pattern after).
  const fullDeletion: Deletion | undefined = deletion && {
    schedule: deletion.schedule ?? creation.schedule,
    condition: deletion.condition,
    ...(deletion.time_limit !== undefined ? { time_limit: deletion.time_limit } : {}),
    ...(deletion.snapshot_pattern !== undefined ? { snapshot_pattern: deletion.snapshot_pattern } : {}),
  };
  const config = validateSnapshotConfig(snapshotConfig);
  if (nextFireTime(creation.schedule, now) === undefined) throw illegalArgument(CREATION_NEXT_NULL);
  if (fullDeletion && nextFireTime(fullDeletion.schedule, now) === undefined) {
    throw illegalArgument(DELETION_NEXT_NULL);
  }

  return {
    name,
    ...(description !== undefined ? { description } : {}),
    schema_version: SM_SCHEMA_VERSION,
    creation,
    ...(fullDeletion ? { deletion: fullDeletion } : {}),
    snapshot_config: config,
    schedule: schedule ?? { interval: { start_time: now, period: 1, unit: 'Minutes' } },
    enabled,
    last_updated_time: now,
    enabled_time: enabled ? (enabledTime ?? now) : null,
    ...(notification ? { notification } : {}),
  };
};

const parseCreation = (value: unknown, now: number): Creation => {
  let schedule: Schedule | undefined;
  let timeLimit: string | undefined;
  for (const [field, v] of fields(value)) {
    if (field === 'schedule') schedule = parseSchedule(v, now);
    else if (field === 'time_limit') timeLimit = normalizeSmTimeValue(text(v), 'time_limit');
  }
  return {
    schedule: required(schedule, 'schedule field must not be null'),
    ...(timeLimit !== undefined ? { time_limit: timeLimit } : {}),
  };
};

type PartialDeletion = Omit<Deletion, 'schedule'> & { schedule?: Schedule };

const parseDeletion = (value: unknown, now: number): PartialDeletion => {
  let schedule: Schedule | undefined;
  let timeLimit: string | undefined;
  let condition: DeleteCondition | undefined;
  let pattern: string | undefined;
  for (const [field, v] of fields(value)) {
    if (field === 'schedule') schedule = parseSchedule(v, now);
    else if (field === 'time_limit') timeLimit = normalizeSmTimeValue(text(v), 'time_limit');
    else if (field === 'condition') condition = parseCondition(v);
    else if (field === 'snapshot_pattern') pattern = textOrNull(v) ?? undefined;
  }
  return {
    ...(schedule ? { schedule } : {}),
    condition: required(condition, 'condition must not be null.'),
    ...(timeLimit !== undefined ? { time_limit: timeLimit } : {}),
    ...(pattern !== undefined ? { snapshot_pattern: pattern } : {}),
  };
};

const parseCondition = (value: unknown): DeleteCondition => {
  let maxAge: string | undefined;
  let maxCount: number | undefined;
  let minCount = 1;
  for (const [field, v] of fields(value)) {
    if (field === 'max_age') maxAge = normalizeSmTimeValue(text(v), 'max_age');
    else if (field === 'max_count') maxCount = intValue(v);
    else if (field === 'min_count') minCount = intValue(v);
  }
  if (maxAge === undefined && maxCount === undefined)
    throw illegalArgument('Please provide max_age or max_count.');
  if (minCount <= 0) throw illegalArgument('min_count should be bigger than 0.');
  if (maxCount !== undefined && maxCount - minCount <= 0) {
    throw illegalArgument('max_count should be bigger than min_count.');
  }
  // Field order as the plugin renders it: max_age, min_count, max_count.
  return {
    ...(maxAge !== undefined ? { max_age: maxAge } : {}),
    min_count: minCount,
    ...(maxCount !== undefined ? { max_count: maxCount } : {}),
  };
};

const CONDITION_KEYS = ['creation', 'deletion', 'failure', 'time_limit_exceeded'] as const;

const parseNotification = (value: unknown): NotificationConfig => {
  let channel: { id: string } | undefined;
  const conditions: NotificationConditions = {
    creation: true,
    deletion: false,
    failure: false,
    time_limit_exceeded: false,
  };
  for (const [field, v] of fields(value)) {
    if (field === 'channel') {
      let id: string | null = null;
      for (const [f, cv] of fields(v)) {
        if (f === 'id') id = textOrNull(cv);
        else throw illegalArgument(`Invalid field: [${f}] found in Channel.`);
      }
      channel = { id: required(id, 'Channel id must not be null') };
    } else if (field === 'conditions') {
      for (const [c, cv] of fields(v)) {
        if (!(CONDITION_KEYS as readonly string[]).includes(c)) {
          throw illegalArgument(`Invalid field: [${c}] found in conditions.`);
        }
        conditions[c as (typeof CONDITION_KEYS)[number]] = booleanValue(cv);
      }
    } else {
      throw illegalArgument(`Invalid field: [${field}] found in Snapshot Management notification config.`);
    }
  }
  return {
    channel: required(channel, 'Snapshot Management notification channel must not be null'),
    conditions,
  };
};

/** `snapshot_config` required, its date_format valid (validateDateFormat), then its repository. */
const validateSnapshotConfig = (config: SnapshotConfig | undefined): SnapshotConfig => {
  const c = required(config, 'snapshot_config field must not be null');
  if (c.date_format !== undefined && c.date_format !== null) {
    try {
      compileDateFormat(String(c.date_format)).format(SAMPLE_INSTANT, 'UTC');
    } catch (e) {
      const message = e instanceof DateFormatError ? e.message : 'Invalid date format.';
      throw illegalArgument(`Please provide a valid date format. ${message}`);
    }
  }
  if (c.repository === undefined || c.repository === null || c.repository === '') {
    throw illegalArgument('Must provide the repository in snapshot config.');
  }
  return c;
};

/**
 * The zone snapshot names are formatted in (as Java names it): date_format_timezone, else the
 * node's default zone (UTC here). `timezone` is not read for names.
 * @throws OpenSearchError for a zone Java does not know (the snapshot's creation then fails)
 */
export const snapshotNameZone = (config: SnapshotConfig): string =>
  normalizeZoneId(String(config.date_format_timezone ?? 'UTC'));

/** Any instant will do to see what a date_format prints: one with every field two digits wide. */
const SAMPLE_INSTANT = Date.UTC(2022, 10, 28, 13, 45, 56, 789);
