import { illegalArgument } from '../../../shared/errors';
import type { ShrinkAlias, ShrinkConfig } from '../model';
import { isMustache, parseScript, renderMustache } from '../script';
import { byteSizeBytes, formatByteSizeValue, parseByteSizeValue } from '../units';
import {
  type Json,
  booleanValue,
  check,
  doubleValue,
  expectArray,
  fields,
  intValue,
  invalidField,
  isObject,
  mapOrdered,
  text,
  tokenOf,
  unexpectedToken,
} from '../../../shared/xcontent';

/**
 * ShrinkActionParser.kt. Exactly one of num_new_shards | max_shard_size |
 * percentage_of_source_shards. `switch_aliases` (2.12+) is always rendered.
 */

/** OpenSearch's Alias.fromXContent for one `{"<alias>": {...}}` entry, rendered as Alias.toXContent. */
const parseShrinkAlias = (value: Json): ShrinkAlias => {
  if (!isObject(value)) throw unexpectedToken('FIELD_NAME', tokenOf(value), { value });
  const entries = Object.entries(value);
  if (entries.length === 0) throw unexpectedToken('FIELD_NAME', 'END_OBJECT', { end: value });
  if (entries.length > 1)
    throw unexpectedToken('END_OBJECT', 'FIELD_NAME', { name: entries[1][0], in: value });
  const [name, body] = entries[0];
  if (!isObject(body)) throw unexpectedToken('START_OBJECT', tokenOf(body), { value: body });

  let filter: Record<string, Json> | undefined;
  let indexRouting: string | undefined;
  let searchRouting: string | undefined;
  let writeIndex: boolean | null = null;
  let hidden: boolean | undefined;
  for (const [field, v] of Object.entries(body)) {
    if (isObject(v)) {
      if (field === 'filter') filter = mapOrdered(v);
    } else if (typeof v === 'string') {
      if (field === 'routing') indexRouting = searchRouting = v;
      else if (field === 'index_routing') indexRouting = v;
      else if (field === 'search_routing') searchRouting = v;
      else
        throw illegalArgument(`Unsupported String type value [${v}] for field [${field}] in alias [${name}]`);
    } else if (typeof v === 'boolean') {
      if (field === 'is_write_index') writeIndex = booleanValue(v);
      else if (field === 'is_hidden') hidden = booleanValue(v);
      else throw illegalArgument(`Unsupported boolean value [${v}] for field [${field}] in alias [${name}]`);
    } else {
      throw illegalArgument(`Unknown token [${tokenOf(v)}] in alias [${name}]`);
    }
  }
  const rendered: Record<string, unknown> = {};
  if (filter) rendered.filter = filter;
  if (indexRouting !== undefined && indexRouting === searchRouting) {
    rendered.routing = indexRouting;
  } else {
    if (indexRouting !== undefined) rendered.index_routing = indexRouting;
    if (searchRouting !== undefined) rendered.search_routing = searchRouting;
  }
  // Rendered even when unset (as null), as Alias.toXContent does.
  rendered.is_write_index = writeIndex;
  if (hidden !== undefined) rendered.is_hidden = hidden;
  return { [name]: rendered as ShrinkAlias[string] };
};

export const parseShrink = (value: unknown): ShrinkConfig => {
  let numNewShards: number | undefined;
  let maxShardSize: { text: string; bytes: number } | undefined;
  let percentage: number | undefined;
  let template: ReturnType<typeof parseScript> | undefined;
  let aliases: ShrinkAlias[] | undefined;
  let switchAliases = false;
  let forceUnsafe: boolean | undefined;
  for (const [field, v] of fields(value)) {
    switch (field) {
      case 'num_new_shards':
        numNewShards = intValue(v);
        break;
      case 'max_shard_size': {
        const size = parseByteSizeValue(text(v), field);
        maxShardSize = { text: formatByteSizeValue(size), bytes: byteSizeBytes(size) };
        break;
      }
      case 'percentage_of_source_shards':
        percentage = doubleValue(v);
        break;
      case 'target_index_name_template':
        template = parseScript(v);
        break;
      case 'aliases':
        aliases = v === null ? undefined : expectArray(v).map(parseShrinkAlias);
        break;
      case 'switch_aliases':
        switchAliases = booleanValue(v);
        break;
      case 'force_unsafe':
        forceUnsafe = booleanValue(v);
        break;
      default:
        throw invalidField(field, 'ShrinkAction');
    }
  }
  const set = [maxShardSize, percentage, numNewShards].filter((x) => x !== undefined).length;
  check(set === 1, 'Exactly one option specifying the number of shards to shrink to must be used.');
  if (maxShardSize) check(maxShardSize.bytes > 0, 'Shrink action maxShardSize must be greater than 0.');
  if (percentage !== undefined) {
    check(
      percentage > 0 && percentage < 1,
      'Percentage of source shards must be between 0.0 and 1.0 exclusively',
    );
  }
  if (numNewShards !== undefined)
    check(numNewShards > 0, 'Shrink action numNewShards must be greater than 0.');
  if (template) check(isMustache(template), 'Target index name template must be a mustache script');

  const config: Partial<ShrinkConfig> = {};
  if (numNewShards !== undefined) config.num_new_shards = numNewShards;
  if (maxShardSize) config.max_shard_size = maxShardSize.text;
  if (percentage !== undefined) config.percentage_of_source_shards = percentage;
  if (template) config.target_index_name_template = renderMustache(template);
  if (aliases) config.aliases = aliases;
  config.switch_aliases = switchAliases;
  if (forceUnsafe !== undefined) config.force_unsafe = forceUnsafe;
  return config as ShrinkConfig;
};
