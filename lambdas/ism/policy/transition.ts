import { CronExpressionParser } from 'cron-parser';
import { checkUnixCron } from '../../shared/cron';
import { illegalArgument } from '../../shared/errors';
import type { Conditions, CronCondition, Transition } from './model';
import { normalizeZoneId } from './timezone';
import { byteSizeBytes, normalizeTimeValue, parseByteSizeValue, formatByteSizeValue } from './units';
import {
  booleanValue,
  check,
  expectObject,
  fields,
  invalidField,
  longValue,
  required,
  text,
  textOrNull,
  unexpectedToken,
  tokenOf,
} from '../../shared/xcontent';

/** Transition.kt: `state_name` and at most one condition. */
export const parseTransition = (value: unknown): Transition => {
  let stateName: string | null = null;
  let conditions: Conditions | undefined;
  for (const [field, v] of fields(value)) {
    switch (field) {
      case 'state_name':
        stateName = text(v);
        break;
      case 'conditions':
        conditions = parseConditions(v);
        break;
      default:
        throw invalidField(field, 'Transition');
    }
  }
  const transition: Transition = { state_name: required(stateName, 'Transition state name is null') };
  if (conditions) transition.conditions = conditions;
  return transition;
};

const parseConditions = (value: unknown): Conditions => {
  const out: Conditions = {};
  let sizeBytes: number | undefined;
  // The plugin keeps the last value per key and then counts the non-null ones; an interval
  // schedule under `cron` is parsed but is not a cron, so it counts as no condition.
  let count = 0;
  const set = <K extends keyof Conditions>(key: K, v: Conditions[K] | undefined): void => {
    if (!(key in out) && v !== undefined) count++;
    if (v === undefined) {
      if (key in out) count--;
      delete out[key];
    } else {
      out[key] = v;
    }
  };
  for (const [field, v] of fields(value)) {
    switch (field) {
      case 'min_index_age':
        set('min_index_age', normalizeTimeValue(text(v), field));
        break;
      case 'min_doc_count':
        set('min_doc_count', longValue(v));
        break;
      case 'min_size': {
        const size = parseByteSizeValue(text(v), field);
        sizeBytes = byteSizeBytes(size);
        set('min_size', formatByteSizeValue(size));
        break;
      }
      case 'cron':
        set('cron', parseSchedule(v));
        break;
      case 'min_rollover_age':
        set('min_rollover_age', normalizeTimeValue(text(v), field));
        break;
      // Newer than 2.19 (3.2): rejected there as unknown fields.
      case 'min_state_age':
        set('min_state_age', normalizeTimeValue(text(v), field));
        break;
      case 'no_alias':
        set('no_alias', booleanValue(v));
        break;
      default:
        throw invalidField(field, 'Conditions');
    }
  }
  // Quirk kept: an empty `conditions: {}` fails with the same message as two conditions.
  check(count === 1, 'Cannot provide more than one Transition condition');
  if (out.min_doc_count !== undefined)
    check(out.min_doc_count > 0, 'Transition doc count condition must be greater than 0');
  if (out.min_size !== undefined)
    check((sizeBytes ?? 0) > 0, 'Transition size condition must be greater than 0');
  return out;
};

// ---- cron (job-scheduler's ScheduleParser) --------------------------------------------------

/** `{"cron": {"expression", "timezone"}}`; undefined for an interval schedule (not a cron). */
const parseSchedule = (value: unknown): CronCondition | undefined => {
  const entries = fields(value);
  if (entries.length === 0) throw illegalArgument('Invalid schedule document object.');
  // ScheduleParser returns on the first schedule it reads.
  const [type, body] = entries[0];
  if (type === 'interval') {
    expectObject(body);
    return undefined;
  }
  if (type !== 'cron') throw illegalArgument(`Unknown schedule type ${type}`);
  let expression: string | null = null;
  let timezone: string | null = null;
  let delay: number | undefined;
  if (tokenOf(body) !== 'START_OBJECT') throw unexpectedToken('START_OBJECT', tokenOf(body), { value: body });
  for (const [field, v] of fields(body)) {
    switch (field) {
      case 'expression':
        expression = textOrNull(v);
        break;
      case 'timezone':
        // ZoneId.of runs as the field is read, before the expression is looked at.
        timezone = textOrNull(v);
        if (timezone !== null) timezone = normalizeZoneId(timezone);
        break;
      case 'schedule_delay':
        delay = longValue(v);
        break;
      default:
        throw illegalArgument(`Unknown cron field ${field}`);
    }
  }
  // CronSchedule's constructor: the expression first, then the zone. The plugin fails with a
  // 500 (NullPointerException) on a missing one; a 400 that names the missing field here.
  const cron: CronCondition['cron'] = {
    expression: validateCronExpression(required(expression, 'Cron expression is null')),
    timezone: required(timezone, 'Cron timezone is null'),
  };
  if (delay !== undefined) cron.schedule_delay = delay;
  return { cron };
};

/**
 * A 5-field Unix cron expression, checked as job-scheduler checks it (cron-utils, with its
 * messages), then by cron-parser, which computes when it fires: what cron-parser alone refuses
 * (a date no month has, such as Feb 30) is `Invalid cron expression [<expression>]: <why>`.
 */
export const validateCronExpression = (expression: string): string => {
  checkUnixCron(expression);
  try {
    CronExpressionParser.parse(expression, { strict: false });
  } catch (e) {
    throw illegalArgument(
      `Invalid cron expression [${expression}]: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return expression;
};
