import type { RolloverRecord, RolloverRequest } from './model';

/**
 * Rollover hooks: other features act around every rollover the control plane performs (API and
 * ISM alike). Pull-based ingestion uses them to hand an index's stream position to its successor.
 *
 * Register at module load, in a module that `registered-hooks.ts` imports (so that the rollover
 * Lambda bundle, and every other caller of the rollover service, contains the registration):
 *
 *   registerRolloverHook({
 *     name: 'ingestion-handover',
 *     beforeRollover: async ({ oldIndex }) => { ...refuse by throwing an OpenSearchError... },
 *     afterRollover: async (outcome) => { if (outcome.rolledOver) ... },
 *   });
 *
 * or, when only a completed rollover matters: `onRolledOver('name', async (record) => ...)`.
 *
 * Hooks must be safe to repeat: the rollover is done on the cluster before `afterRollover` runs,
 * so a hook that fails is logged and the caller still gets the cluster's success (answering an
 * error would make clients roll over again). A hook that must not lose the event should keep its
 * own progress and pick it up again, e.g. from {@link RolloverRecord}s in the history.
 */
export interface RolloverPlan {
  readonly alias: string;
  /** The current write index (or data stream's write backing index). */
  readonly oldIndex: string;
  /** The name the cluster will give the new index. */
  readonly newIndex: string;
  readonly request: RolloverRequest;
}

export interface RolloverOutcome {
  readonly plan: RolloverPlan;
  readonly rolledOver: boolean;
  /** Present when the rollover happened. */
  readonly record?: RolloverRecord;
  /** Present when the cluster refused or failed the rollover after `beforeRollover` ran. */
  readonly error?: unknown;
}

export interface RolloverHook {
  readonly name: string;
  /**
   * Runs before a rollover that the cluster said (in a dry run) it would perform. Throwing
   * stops the rollover (every hook's `afterRollover` then runs with `rolledOver: false`); the
   * error is what the caller gets, so throw an OpenSearchError with a 4xx that says why.
   */
  readonly beforeRollover?: (plan: RolloverPlan) => Promise<void>;
  /**
   * Runs after every real (not dry-run) rollover the cluster answered, `rolledOver` telling
   * whether it happened (conditions not met: false), and after a failed attempt for which
   * `beforeRollover` ran (with `error`). It can see a rollover that `beforeRollover` did not
   * (a condition became true between the dry run and the rollover), so act on `rolledOver`.
   */
  readonly afterRollover?: (outcome: RolloverOutcome) => Promise<void>;
}

const hooks = new Map<string, RolloverHook>();

/** Adds a hook; registering the same name again replaces it (module reloads stay harmless). */
export const registerRolloverHook = (hook: RolloverHook): void => {
  hooks.set(hook.name, hook);
};

export const unregisterRolloverHook = (name: string): void => {
  hooks.delete(name);
};

/** Shorthand for a hook that runs after each completed rollover only. */
export const onRolledOver = (
  name: string,
  fn: (record: RolloverRecord, plan: RolloverPlan) => Promise<void>,
): void =>
  registerRolloverHook({
    name,
    afterRollover: async (outcome) => {
      if (outcome.rolledOver && outcome.record) await fn(outcome.record, outcome.plan);
    },
  });

export const rolloverHooks = (): RolloverHook[] => [...hooks.values()];
