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
import { parseInterval, parseSchedule } from './schedule';
import { normalizeSmTimeValue } from './time-value';

/**
 * The body of `POST/PUT _plugins/_sm/policies/<name>`, validated as the plugin validates it
 * (SMPolicy.parse and its model checks) and normalised to the stored form, with the fields the
 * server fills (schema_version, schedule, enabled_time, last_updated_time).
 */

/** `_meta.schema_version` of the plugin's config-index mapping (HEAD). */
export const SM_SCHEMA_VERSION = 30;

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

export const parsePolicy = (body: unknown, { name, now }: ParseOptions): SMPolicy => {
  if (body === undefined) throw new OpenSearchError(400, 'parse_exception', 'request body is required');
  if (!isObject(body)) throw unexpectedToken('START_OBJECT', tokenOf(body));
  let description: string | undefined;
  let creationRaw: unknown;
  let deletionRaw: unknown;
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
        creationRaw = value;
        break;
      case 'deletion':
        deletionRaw = value;
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

  const creation =
    creationRaw === undefined || creationRaw === null ? undefined : parseCreation(creationRaw, now);
  let deletion =
    deletionRaw === undefined || deletionRaw === null ? undefined : parseDeletion(deletionRaw, creation, now);
  if (!creation && !deletion)
    throw illegalArgument('Must provide either creation or deletion configuration.');
  if (deletion && !deletion.schedule) {
    if (!creation) {
      throw illegalArgument('Schedule not provided for neither deletion policy nor creation policy');
    }
    deletion = { ...deletion, schedule: creation.schedule };
  }
  // Key order as the plugin renders it: schedule, condition, time_limit (snapshot_pattern after).
  if (deletion) {
    const { schedule: deletionSchedule, condition, time_limit, snapshot_pattern } = deletion;
    deletion = {
      schedule: deletionSchedule,
      condition,
      ...(time_limit !== undefined ? { time_limit } : {}),
      ...(snapshot_pattern !== undefined ? { snapshot_pattern } : {}),
    };
  }
  const config = validateSnapshotConfig(snapshotConfig);

  const policy: SMPolicy = {
    name,
    ...(description !== undefined ? { description } : {}),
    schema_version: SM_SCHEMA_VERSION,
    ...(creation ? { creation } : {}),
    ...(deletion ? { deletion: deletion as Deletion } : {}),
    snapshot_config: config,
    schedule: schedule ?? { interval: { start_time: now, period: 1, unit: 'Minutes' } },
    enabled,
    last_updated_time: now,
    enabled_time: enabled ? (enabledTime ?? now) : null,
    ...(notification ? { notification } : {}),
  };
  return policy;
};

const parseCreation = (value: unknown, now: number): Creation => {
  let schedule: Schedule | undefined;
  let timeLimit: string | undefined;
  for (const [field, v] of fields(value)) {
    if (field === 'schedule') schedule = parseSchedule(v, CREATION_NEXT_NULL, now);
    else if (field === 'time_limit') timeLimit = normalizeSmTimeValue(text(v), 'time_limit');
  }
  return {
    schedule: required(schedule, 'schedule field must not be null'),
    ...(timeLimit !== undefined ? { time_limit: timeLimit } : {}),
  };
};

type PartialDeletion = Omit<Deletion, 'schedule'> & { schedule?: Schedule };

const parseDeletion = (value: unknown, _creation: Creation | undefined, now: number): PartialDeletion => {
  let schedule: Schedule | undefined;
  let timeLimit: string | undefined;
  let condition: DeleteCondition | undefined;
  let pattern: string | undefined;
  for (const [field, v] of fields(value)) {
    if (field === 'schedule') schedule = parseSchedule(v, DELETION_NEXT_NULL, now);
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

const validateSnapshotConfig = (config: SnapshotConfig | undefined): SnapshotConfig => {
  const c = required(config, 'snapshot_config field must not be null');
  if (c.repository === undefined || c.repository === null || c.repository === '') {
    throw illegalArgument('Must provide the repository in snapshot config.');
  }
  if (typeof c.repository !== 'string')
    throw illegalArgument('The repository in snapshot config must be a string.');
  // The plugin reads date_format_timezone only and checks it when a snapshot is due; we check
  // both zone keys up front so a bad zone is a 400 now, not a failed snapshot at 3 am.
  for (const key of ['date_format_timezone', 'timezone'] as const) {
    const zone = c[key];
    if (zone !== undefined && zone !== null) normalizeZoneId(String(zone));
  }
  if (c.date_format !== undefined && c.date_format !== null) {
    let sample: string;
    try {
      sample = compileDateFormat(String(c.date_format)).format(SAMPLE_INSTANT, snapshotNameZone(c));
    } catch (e) {
      const message = e instanceof DateFormatError ? e.message : 'Invalid date format.';
      throw illegalArgument(`Please provide a valid date format. ${message}`);
    }
    // Not checked by the plugin, whose snapshots then fail at create time, three times, every day.
    const bad = INVALID_NAME_CHARS.exec(sample);
    if (bad) {
      throw illegalArgument(
        `Please provide a valid date format. It renders as [${sample}], and snapshot names must not contain [${bad[0]}].`,
      );
    }
  }
  return c;
};

/** The zone snapshot names are formatted in (as Java names it): date_format_timezone, else timezone, else UTC. */
export const snapshotNameZone = (config: SnapshotConfig): string =>
  normalizeZoneId(String(config.date_format_timezone ?? config.timezone ?? 'UTC'));

/** Any instant will do to see what a date_format prints: one with every field two digits wide. */
const SAMPLE_INSTANT = Date.UTC(2022, 10, 28, 13, 45, 56, 789);

/** What OpenSearch refuses in a snapshot name (Strings.INVALID_FILENAME_CHARS, '#', whitespace). */
const INVALID_NAME_CHARS = /[\\/*?"<>|,#\s]/;
