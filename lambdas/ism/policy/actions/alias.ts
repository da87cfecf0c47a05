import { illegalArgument } from '../../../shared/errors';
import type { AliasActionBody, AliasActionSpec, AliasConfig } from '../model';
import {
  type Json,
  booleanValue,
  check,
  expectArray,
  fields,
  invalidField,
  isObject,
  mapOrdered,
  text,
  tokenOf,
  xContentParseException,
} from '../../../shared/xcontent';

/**
 * AliasActionParser.kt over OpenSearch's `_aliases` action objects (IndicesAliasesRequest.AliasActions),
 * then the plugin's rules: at least one action, only add/remove, no index/indices, at least one
 * alias. Rendered as AliasActions renders: `alias` becomes `aliases: [..]`.
 */

type Op = 'add' | 'remove' | 'remove_index';

interface ParsedAliasAction {
  op: Op;
  body: AliasActionBody;
  indices: string[];
}

const stringOnly = (op: Op, field: string, v: Json): string => {
  if (typeof v !== 'string')
    throw xContentParseException(`[${op}] ${field} doesn't support values of type: ${tokenOf(v)}`);
  return v;
};

const stringArray = (op: Op, field: string, v: Json): string[] =>
  typeof v === 'string' ? [v] : expectArray(v).map((item) => stringOnly(op, field, item));

const parseOp = (op: Op, value: Json): ParsedAliasAction => {
  if (!isObject(value))
    throw xContentParseException(`[${op}] Expected START_OBJECT but was: ${tokenOf(value)}`);
  const body: AliasActionBody = { aliases: [] };
  let indices: string[] = [];
  let aliasSet = false;
  let indexSet = false;
  for (const [field, v] of fields(value)) {
    switch (field) {
      case 'index':
      case 'indices':
        if (indexSet) throw illegalArgument('Only one of [index] and [indices] is supported');
        indexSet = true;
        indices = field === 'index' ? [stringOnly(op, field, v)] : stringArray(op, field, v);
        break;
      case 'alias':
      case 'aliases':
        if (aliasSet) throw illegalArgument('Only one of [alias] and [aliases] is supported');
        aliasSet = true;
        body.aliases = field === 'alias' ? [stringOnly(op, field, v)] : stringArray(op, field, v);
        break;
      case 'filter':
        if (op !== 'add') throw xContentParseException(`[${op}] unknown field [${field}]`);
        body.filter = mapOrdered(v);
        break;
      case 'routing':
      case 'index_routing':
      case 'search_routing':
        if (op !== 'add') throw xContentParseException(`[${op}] unknown field [${field}]`);
        body[field] = text(v);
        break;
      case 'is_write_index':
      case 'is_hidden':
        if (op !== 'add') throw xContentParseException(`[${op}] unknown field [${field}]`);
        body[field] = booleanValue(v);
        break;
      case 'must_exist':
        if (op !== 'remove') throw xContentParseException(`[${op}] unknown field [${field}]`);
        body.must_exist = booleanValue(v);
        break;
      default:
        throw xContentParseException(`[${op}] unknown field [${field}]`);
    }
  }
  return { op, body, indices };
};

const parseAliasAction = (value: Json): ParsedAliasAction => {
  if (!isObject(value))
    throw xContentParseException(`[alias_action] Expected START_OBJECT but was: ${tokenOf(value)}`);
  const ops = fields(value);
  for (const [op] of ops) {
    if (op !== 'add' && op !== 'remove' && op !== 'remove_index') {
      throw xContentParseException(`[alias_action] unknown field [${op}]`);
    }
  }
  if (ops.length > 1) throw illegalArgument('Too many operations declared on operation entry');
  // An empty entry is a NullPointerException (500) in the plugin.
  if (ops.length === 0) throw illegalArgument('Only ADD and REMOVE actions are allowed.');
  const [op, body] = ops[0];
  return parseOp(op as Op, body);
};

/** AliasActions.toXContent key order. */
const render = ({ op, body }: ParsedAliasAction): AliasActionSpec => {
  const out: AliasActionBody = { aliases: body.aliases };
  for (const key of [
    'filter',
    'routing',
    'index_routing',
    'search_routing',
    'is_write_index',
    'is_hidden',
    'must_exist',
  ] as const) {
    if (body[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = body[key];
  }
  return op === 'add' ? { add: out } : { remove: out };
};

export const parseAlias = (value: unknown): AliasConfig => {
  let actions: ParsedAliasAction[] = [];
  for (const [field, v] of fields(value)) {
    if (field !== 'actions') throw invalidField(field, 'AliasAction');
    actions = [...actions, ...expectArray(v).map(parseAliasAction)];
  }
  check(actions.length > 0, 'At least one alias action needs to be specified.');
  check(
    actions.every((a) => a.op !== 'remove_index'),
    'Only ADD and REMOVE actions are allowed.',
  );
  check(
    actions.every((a) => a.indices.length === 0),
    "Alias action can only work on its applied index so don't accept index/indices parameter.",
  );
  check(
    actions.every((a) => a.body.aliases.length > 0),
    'At least one alias needs to be specified.',
  );
  return { actions: actions.map(render) };
};
