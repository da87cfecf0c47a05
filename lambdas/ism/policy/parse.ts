import { OpenSearchError } from '../../shared/errors';
import { parseAction } from './actions';
import { parseIsmTemplates, validateIndexPatterns } from './ism-template';
import {
  type Action,
  type ErrorNotification,
  type ISMTemplate,
  type Policy,
  type State,
  type Transition,
  actionTypeOf,
} from './model';
import { parseErrorNotification } from './notification';
import { parseTransition } from './transition';
import {
  check,
  expectArray,
  fields,
  instant,
  invalidField,
  isObject,
  longValue,
  required,
  text,
  tokenOf,
  unexpectedToken,
} from '../../shared/xcontent';

/**
 * The body of `PUT _plugins/_ism/policies/<id>`, validated as the plugin validates it
 * (RestIndexPolicyAction → Policy.parse → TransportIndexPolicyAction) and normalized to the shape
 * OpenSearch renders back. Errors come in the plugin's order: field by field as the document is
 * read, then required fields, then the policy-wide rules, then the envelope, then ISM-template
 * patterns. Template overlap needs the other policies: see findTemplateConflict.
 */

/**
 * `_meta.schema_version` of the 2.19.6 plugin's `.opendistro-ism-config` mapping, which is what
 * the plugin stores as a policy's schema_version (the PUT response echoes the body's instead).
 */
export const ISM_CONFIG_SCHEMA_VERSION = 21;

/** IndexUtils.DEFAULT_SCHEMA_VERSION: what a body without schema_version parses to. */
const DEFAULT_SCHEMA_VERSION = 1;

export interface ParsePolicyOptions {
  policyId: string;
  /** Epoch millis: the policy's last_updated_time and the default for templates without one. */
  now: number;
}

export function parsePolicy(body: unknown, opts: ParsePolicyOptions): Policy {
  if (body === undefined) throw new OpenSearchError(400, 'parse_exception', 'request body is required');
  // parseWithType: one top-level key, whose name is never looked at.
  if (!isObject(body)) throw unexpectedToken('START_OBJECT', tokenOf(body), { value: body });
  const entries = Object.entries(body);
  if (entries.length === 0) throw unexpectedToken('FIELD_NAME', 'END_OBJECT', { end: body });
  const inner = entries[0][1];
  if (!isObject(inner)) throw unexpectedToken('START_OBJECT', tokenOf(inner), { value: inner });
  const policy = parsePolicyObject(inner, opts);
  if (entries.length > 1)
    throw unexpectedToken('END_OBJECT', 'FIELD_NAME', { name: entries[1][0], in: body });

  // TransportIndexPolicyAction: patterns of all templates, validated together.
  if (policy.ism_template) {
    const invalid = validateIndexPatterns(policy.ism_template.flatMap((t) => t.index_patterns));
    if (invalid) throw invalid;
  }
  return policy;
}

const parsePolicyObject = (value: unknown, opts: ParsePolicyOptions): Policy => {
  let description: string | null = null;
  let defaultState: string | null = null;
  let errorNotification: ErrorNotification | null = null;
  let schemaVersion = DEFAULT_SCHEMA_VERSION;
  const states: State[] = [];
  let ismTemplate: ISMTemplate[] | null = null;

  for (const [field, v] of fields(value)) {
    switch (field) {
      case 'schema_version':
        schemaVersion = longValue(v);
        break;
      case 'last_updated_time':
        instant(v); // validated, then replaced by the time of this PUT
        break;
      case 'policy_id':
        break; // internal: the document id wins
      case 'description':
        description = text(v);
        break;
      case 'error_notification':
        errorNotification = v === null ? null : parseErrorNotification(v);
        break;
      case 'default_state':
        defaultState = text(v);
        break;
      case 'states':
        for (const s of expectArray(v)) states.push(parseState(s));
        break;
      case 'ism_template':
        ismTemplate = parseIsmTemplates(v, opts.now);
        break;
      case 'user':
        // Filled from the security context by the server; a sent one is read and dropped.
        if (v !== null && !isObject(v)) throw unexpectedToken('START_OBJECT', tokenOf(v), { value: v });
        break;
      default:
        throw invalidField(field, 'Policy');
    }
  }

  const policy: Policy = {
    policy_id: opts.policyId,
    description: required(description, 'description is null'),
    last_updated_time: opts.now,
    schema_version: schemaVersion,
    error_notification: errorNotification,
    default_state: required(defaultState, 'default_state is null'),
    states,
    ism_template: ismTemplate,
  };
  checkPolicy(policy);
  return policy;
};

/** Policy's init block, in its order. */
const checkPolicy = (policy: Policy): void => {
  const names = new Set(policy.states.map((s) => s.name));
  for (const state of policy.states) {
    for (const t of state.transitions) {
      check(
        names.has(t.state_name),
        `Policy contains a transition in state=${state.name} pointing to a nonexistent state=${t.state_name}`,
      );
    }
  }
  check(names.size === policy.states.length, 'Policy cannot have duplicate state names');
  check(policy.states.length > 0, 'Policy must contain at least one State');
  check(names.has(policy.default_state), 'Policy must have a valid default state');
};

const parseState = (value: unknown): State => {
  let name: string | null = null;
  const actions: Action[] = [];
  const transitions: Transition[] = [];
  for (const [field, v] of fields(value)) {
    switch (field) {
      case 'name':
        name = text(v);
        break;
      case 'actions':
        for (const a of expectArray(v)) actions.push(parseAction(a));
        break;
      case 'transitions':
        for (const t of expectArray(v)) transitions.push(parseTransition(t));
        break;
      default:
        throw invalidField(field, 'State');
    }
  }
  const stateName = required(name, 'State name is null');
  check(stateName.trim() !== '', 'State must contain a valid name');
  // Nothing can run after a delete, and a deleted index has nowhere to transition to.
  let hasDelete = false;
  for (const action of actions) {
    check(!hasDelete, `State=${stateName} must not contain an action after a delete action`);
    hasDelete = actionTypeOf(action) === 'delete';
  }
  if (hasDelete)
    check(transitions.length === 0, `State=${stateName} cannot contain transitions if using delete action`);
  return { name: stateName, actions, transitions };
};
