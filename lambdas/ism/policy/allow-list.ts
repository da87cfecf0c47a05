import { ACTION_TYPES, actionTypeOf, type Policy } from './model';

/**
 * The deployment's allow list of ISM action types, the plugin's
 * `plugins.index_state_management.allow_list` (default: every type). A policy that uses another
 * type cannot be put; an index whose stored policy uses one fails when it reaches that action
 * (an action already under way finishes).
 *
 * Set by the `ismAllowList` CDK context, which the stack passes to the functions as
 * `ISM_ALLOW_LIST` (comma-separated); locally, set `ISM_ALLOW_LIST` before `npm start`.
 */
export type AllowList = readonly string[];

/** The allow list in force, or undefined when every action type is allowed. */
export const allowListFromEnv = (env: NodeJS.ProcessEnv = process.env): AllowList | undefined => {
  const text = env.ISM_ALLOW_LIST?.trim();
  if (!text) return undefined;
  return text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
};

/** The action types of the policy not on the allow list, each once, in order of appearance. */
export const disallowedActions = (policy: Policy, allowList: AllowList | undefined): string[] => {
  if (!allowList) return [];
  const types = policy.states.flatMap((s) => s.actions.map(actionTypeOf));
  return [...new Set(types)].filter((t) => !allowList.includes(t));
};

/** Names in an allow list that are no ISM action type (a typo in the deployment's setting). */
export const unknownActionTypes = (allowList: AllowList): string[] =>
  allowList.filter((t) => !(ACTION_TYPES as readonly string[]).includes(t));
