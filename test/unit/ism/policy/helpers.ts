import { OpenSearchError } from '../../../../lambdas/shared/errors';
import { parsePolicy } from '../../../../lambdas/ism/policy/parse';
import type { Policy } from '../../../../lambdas/ism/policy/model';

export const NOW = 1_712_345_678_901;

export const parse = (body: unknown, policyId = 'test-policy'): Policy =>
  parsePolicy(body, { policyId, now: NOW });

/** The error a call throws, which must be an OpenSearchError. */
export const errorOf = (fn: () => unknown): OpenSearchError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof OpenSearchError) return e;
    throw new Error(`expected an OpenSearchError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected an error, none was thrown');
};

export const expectRejected = (fn: () => unknown, type: string, reason: string, status = 400): void => {
  const e = errorOf(fn);
  expect({ status: e.status, type: e.type, reason: e.reason }).toEqual({ status, type, reason });
};

/** A valid one-state policy; `policy` fields are merged over it. */
export const policyBody = (policy: Record<string, unknown> = {}): Record<string, unknown> => {
  const merged: Record<string, unknown> = {
    description: 'test',
    default_state: 'hot',
    states: [{ name: 'hot', actions: [], transitions: [] }],
    ...policy,
  };
  // `undefined` removes a field, as it would be absent from a JSON body.
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return { policy: merged };
};

/** A policy whose only state has these actions. */
export const withActions = (...actions: unknown[]) =>
  policyBody({ states: [{ name: 'hot', actions, transitions: [] }] });

/** A policy with a transition from hot to warm carrying these conditions. */
export const withConditions = (conditions: unknown) =>
  policyBody({
    states: [
      { name: 'hot', actions: [], transitions: [{ state_name: 'warm', conditions }] },
      { name: 'warm', actions: [], transitions: [] },
    ],
  });

/** The first action of the first state, as normalized. */
export const firstAction = (body: unknown) => parse(body).states[0].actions[0];
