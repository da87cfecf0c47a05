import { illegalArgument } from '../../../shared/errors';
import type { Action, ActionConfigs, ActionRetry, ActionType, Backoff } from '../model';
import { normalizeTimeValue } from '../units';
import {
  check,
  expectObject,
  fields,
  invalidField,
  isObject,
  longValue,
  required,
  text,
  tokenOf,
  unexpectedToken,
} from '../../../shared/xcontent';
import { parseAlias } from './alias';
import {
  parseAllocation,
  parseConvertIndexToRemote,
  parseEmpty,
  parseForceMerge,
  parseIndexPriority,
  parseReplicaCount,
  parseSnapshot,
} from './basic';
import { parseNotificationAction } from './notification';
import { parseRollover } from './rollover';
import { parseRollup } from './rollup';
import { parseShrink } from './shrink';
import { parseTransform } from './transform';

/**
 * ISMActionsParser.kt: one action object is optional `timeout` and `retry` plus an action-type
 * key (or `custom: {"<type>": {...}}`, which the plugin also accepts for built-in types and
 * renders without the wrapper). Adding an action = one parser module + one line here.
 */
const PARSERS: { [K in ActionType]: (value: unknown) => ActionConfigs[K] } = {
  alias: parseAlias,
  allocation: parseAllocation,
  close: parseEmpty,
  delete: parseEmpty,
  force_merge: parseForceMerge,
  index_priority: parseIndexPriority,
  notification: parseNotificationAction,
  open: parseEmpty,
  read_only: parseEmpty,
  read_write: parseEmpty,
  replica_count: parseReplicaCount,
  rollup: parseRollup,
  rollover: parseRollover,
  shrink: parseShrink,
  snapshot: parseSnapshot,
  transform: parseTransform,
  // Newer than 2.19 (3.x); 2.19 answers `Invalid field: [x] found in Actions.`
  search_only: parseEmpty,
  stop_replication: parseEmpty,
  convert_index_to_remote: parseConvertIndexToRemote,
};

export const DEFAULT_RETRY: Readonly<ActionRetry> = { count: 3, backoff: 'exponential', delay: '1m' };

const BACKOFFS: readonly Backoff[] = ['exponential', 'constant', 'linear'];

/** ActionRetry.parse: count is required; unknown keys are ignored, as in the plugin. */
const parseRetry = (value: unknown): ActionRetry => {
  let count: number | null = null;
  let backoff: Backoff = DEFAULT_RETRY.backoff;
  let delay = DEFAULT_RETRY.delay;
  for (const [field, v] of fields(value)) {
    if (field === 'count') count = longValue(v);
    else if (field === 'backoff') {
      const name = text(v).toUpperCase();
      const found = BACKOFFS.find((b) => b.toUpperCase() === name);
      if (!found) {
        throw illegalArgument(
          `No enum constant org.opensearch.indexmanagement.spi.indexstatemanagement.model.ActionRetry.Backoff.${name}`,
        );
      }
      backoff = found;
    } else if (field === 'delay') delay = normalizeTimeValue(text(v), 'delay');
  }
  const c = required(count, 'ActionRetry count is null');
  check(c >= 0, 'Count for ActionRetry must be a non-negative number');
  return { count: c, backoff, delay };
};

const isActionType = (name: string): name is ActionType =>
  Object.prototype.hasOwnProperty.call(PARSERS, name);

type Parsed = { type: ActionType; config: unknown };

const parseTyped = (name: string, value: unknown): Parsed => {
  expectObject(value);
  if (!isActionType(name)) throw invalidField(name, 'Actions');
  return { type: name, config: PARSERS[name](value) };
};

const parseCustom = (value: unknown): Parsed => {
  if (!isObject(value)) throw unexpectedToken('FIELD_NAME', tokenOf(value), { value });
  const entries = Object.entries(value);
  if (entries.length === 0) throw unexpectedToken('FIELD_NAME', 'END_OBJECT', { end: value });
  const [name, body] = entries[0];
  if (!isObject(body)) throw unexpectedToken('START_OBJECT', tokenOf(body), { value: body });
  const parsed = parseTyped(name, body);
  if (entries.length > 1)
    throw unexpectedToken('END_OBJECT', 'FIELD_NAME', { name: entries[1][0], in: value });
  return parsed;
};

export const parseAction = (value: unknown): Action => {
  let timeout: string | undefined;
  let retry: ActionRetry = { ...DEFAULT_RETRY };
  // Several type keys in one action: the plugin keeps the last one, and so do we.
  let parsed: Parsed | undefined;
  for (const [field, v] of fields(value)) {
    if (field === 'timeout') {
      if (typeof v !== 'string') throw illegalArgument(`Invalid token: [${tokenOf(v)}] for ActionTimeout`);
      timeout = normalizeTimeValue(v, 'timeout');
    } else if (field === 'retry') {
      retry = parseRetry(v);
    } else if (field === 'custom') {
      parsed = parseCustom(v);
    } else {
      parsed = parseTyped(field, v);
    }
  }
  const { type, config } = required(parsed, 'Action inside state is null');
  // Rendered as Action.toXContent: timeout (when set), retry, then the type object.
  return { ...(timeout !== undefined ? { timeout } : {}), retry, [type]: config } as Action;
};
