import type { RolloverConditionGroup, RolloverConfig } from '../model';
import { byteSizeBytes, formatByteSizeValue, normalizeTimeValue, parseByteSizeValue } from '../units';
import {
  booleanValue,
  check,
  expectArray,
  fields,
  invalidField,
  longValue,
  text,
} from '../../../shared/xcontent';

/**
 * RolloverActionParser.kt. 2.19 knows min_size, min_doc_count, min_index_age,
 * min_primary_shard_size and copy_alias; prevent_empty_rollover (3.4) and any_of (newer) are
 * accepted too. Rendered: the flat conditions, any_of, copy_alias (always),
 * prevent_empty_rollover (only when true).
 */

interface Condition {
  min_size?: { text: string; bytes: number };
  min_doc_count?: number;
  min_index_age?: string;
  min_primary_shard_size?: { text: string; bytes: number };
}

const readSize = (v: unknown, field: string) => {
  const size = parseByteSizeValue(text(v), field);
  return { text: formatByteSizeValue(size), bytes: byteSizeBytes(size) };
};

/** One of the four condition keys into `c`; false when `field` is not a condition. */
const readCondition = (c: Condition, field: string, v: unknown): boolean => {
  switch (field) {
    case 'min_size':
      c.min_size = readSize(v, field);
      return true;
    case 'min_doc_count':
      c.min_doc_count = longValue(v);
      return true;
    case 'min_index_age':
      c.min_index_age = normalizeTimeValue(text(v), field);
      return true;
    case 'min_primary_shard_size':
      c.min_primary_shard_size = readSize(v, field);
      return true;
    default:
      return false;
  }
};

const render = (c: Condition): RolloverConditionGroup => {
  const out: RolloverConditionGroup = {};
  if (c.min_size) out.min_size = c.min_size.text;
  if (c.min_doc_count !== undefined) out.min_doc_count = c.min_doc_count;
  if (c.min_index_age !== undefined) out.min_index_age = c.min_index_age;
  if (c.min_primary_shard_size) out.min_primary_shard_size = c.min_primary_shard_size.text;
  return out;
};

const isEmpty = (c: Condition): boolean => Object.keys(c).length === 0;

const parseGroup = (value: unknown): RolloverConditionGroup => {
  const c: Condition = {};
  for (const [field, v] of fields(value)) {
    if (!readCondition(c, field, v)) throw invalidField(field, 'rollover condition group');
  }
  check(!isEmpty(c), 'A rollover condition group must contain at least one condition');
  if (c.min_size) check(c.min_size.bytes > 0, 'RolloverConditionGroup minSize value must be greater than 0');
  if (c.min_primary_shard_size) {
    check(
      c.min_primary_shard_size.bytes > 0,
      'RolloverConditionGroup minPrimaryShardSize value must be greater than 0',
    );
  }
  if (c.min_doc_count !== undefined)
    check(c.min_doc_count > 0, 'RolloverConditionGroup minDocs value must be greater than 0');
  return render(c);
};

export const parseRollover = (value: unknown): RolloverConfig => {
  const flat: Condition = {};
  let anyOf: RolloverConditionGroup[] | undefined;
  let copyAlias = false;
  let preventEmpty = false;
  for (const [field, v] of fields(value)) {
    if (readCondition(flat, field, v)) continue;
    switch (field) {
      case 'copy_alias':
        copyAlias = booleanValue(v);
        break;
      case 'prevent_empty_rollover':
        preventEmpty = booleanValue(v);
        break;
      case 'any_of':
        anyOf = expectArray(v).map(parseGroup);
        break;
      default:
        throw invalidField(field, 'RolloverAction');
    }
  }
  if (flat.min_size) check(flat.min_size.bytes > 0, 'RolloverAction minSize value must be greater than 0');
  if (flat.min_primary_shard_size) {
    check(
      flat.min_primary_shard_size.bytes > 0,
      'RolloverActionConfig minPrimaryShardSize value must be greater than 0',
    );
  }
  if (flat.min_doc_count !== undefined)
    check(flat.min_doc_count > 0, 'RolloverAction minDocs value must be greater than 0');
  if (anyOf !== undefined) {
    check(isEmpty(flat), 'RolloverAction cannot specify both flat conditions and [any_of] groups');
    check(anyOf.length > 0, 'RolloverAction [any_of] must contain at least one condition group');
  }

  const config: RolloverConfig = { ...render(flat), copy_alias: copyAlias };
  if (anyOf !== undefined) {
    // any_of sits before copy_alias in the rendering.
    const { copy_alias, ...conditions } = config;
    return withPreventEmpty({ ...conditions, any_of: anyOf, copy_alias }, preventEmpty);
  }
  return withPreventEmpty(config, preventEmpty);
};

const withPreventEmpty = (config: RolloverConfig, preventEmpty: boolean): RolloverConfig =>
  preventEmpty ? { ...config, prevent_empty_rollover: true } : config;
