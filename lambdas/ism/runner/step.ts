import type { ClusterApi } from '../cluster-api';
import type { IndexInfo } from '../managed-index/cluster-indices';
import type { Info, ManagedIndex, ManagedIndexMetaData, StepStatus } from '../managed-index/model';
import type { Action, ActionConfigs, ActionType, ISMRollup } from '../policy/model';

/**
 * The plugin's action/step shape: an action is an ordered list of steps; each step does one
 * thing against the cluster and reports a status and an info message. The runner
 * (runner/run-managed-index.ts) knows nothing of any particular action.
 *
 * Crash safety: before a step executes, the runner saves the metadata with the step `starting`
 * and whatever {@link Step.intent} returns in `action_properties` (e.g. the snapshot name, the
 * rollover alias). If the invocation dies before the result is saved, the next run finds the
 * step still `starting` and calls {@link Step.execute} again with `resumed: true`; every step
 * that changes the cluster first checks whether its change is already there (rollover_info,
 * the snapshot by its recorded name, …), so nothing is done twice.
 */
export interface Notifier {
  /** Sends a rendered message to a channel id or a destination; throws on failure. */
  send(target: unknown, subject: string, message: string): Promise<void>;
  /** Renders a mustache template with `ctx`. */
  render(template: string, ctx: Record<string, unknown>): string;
}

/** Rolls an alias over; the control plane's rollover service (history, hooks) in production. */
export type RolloverPort = (alias: string) => Promise<{ acknowledged?: boolean; new_index?: string }>;

/**
 * Records in the control plane's rollover history a rollover that a resumed run found already
 * done (the run that made it died before it was recorded); does nothing when it is recorded.
 */
export type RolloverFoundPort = (found: {
  alias: string;
  oldIndex: string;
  newIndex: string;
}) => Promise<void>;

/** The control plane's rollup jobs, as the ISM rollup action needs them (lambdas/rollup/ism-rollup.ts). */
export interface RollupPort {
  /** The job id the action uses for this index (the plugin's hash of the index and the rollup). */
  id(index: string, rollup: ISMRollup): string;
  /** Creates the job, or (re)starts it when it exists. */
  start(index: string, rollup: ISMRollup, now: number): Promise<{ rollupId: string; created: boolean }>;
  progress(
    rollupId: string,
  ): Promise<{ status: string | null; failureReason: string | null; exists: boolean }>;
}

export interface StepContext<C = unknown> {
  readonly cluster: ClusterApi;
  readonly now: number;
  /** The index as the cluster sees it at the start of this run. */
  readonly index: IndexInfo;
  readonly managed: ManagedIndex;
  readonly metadata: ManagedIndexMetaData;
  readonly action: Action;
  readonly config: C;
  /** action_properties as saved with the `starting` checkpoint (intent included). */
  readonly properties: Record<string, unknown>;
  /** True when the previous run died after `starting` was saved: check before changing anything. */
  readonly resumed: boolean;
  readonly notifier?: Notifier;
  /** How rollover rolls over; a plain `POST /<alias>/_rollover` when absent. */
  readonly rollover?: RolloverPort;
  /** Where a resumed rollover records a rollover it found done; nothing is recorded when absent. */
  readonly rolloverFound?: RolloverFoundPort;
  /** Rollup jobs of this control plane; without it the cluster's `_plugins/_rollup` API is used. */
  readonly rollups?: RollupPort;
  /** Action timeout in ms (wait steps use it as their limit; 12 h when unset). */
  readonly timeoutMs?: number;
}

export interface StepResult {
  status: Exclude<StepStatus, 'starting' | 'timed_out'>;
  info: Info;
  /** Replaces action_properties; undefined keeps them. */
  properties?: Record<string, unknown>;
  rolledOver?: boolean;
  rolledOverIndexName?: string;
  /** Records the result under a later step of the action (shrink's "nothing to do" skips to its end). */
  stepName?: string;
}

export interface Step<C = unknown> {
  readonly name: string;
  /** What to record before executing, so a resumed run can find the work (action_properties). */
  intent?(ctx: StepContext<C>): Promise<Record<string, unknown>> | Record<string, unknown>;
  execute(ctx: StepContext<C>): Promise<StepResult>;
  /**
   * False when a resumed run cannot tell whether the step's effect happened (a sent message):
   * the index then fails with the plugin's message instead of acting twice.
   */
  readonly resumable?: boolean;
}

export interface ActionDefinition<K extends ActionType = ActionType> {
  readonly type: K;
  steps(config: ActionConfigs[K]): Step<ActionConfigs[K]>[];
  /** A failed step is retried from the action's first step (shrink), not on its own. */
  readonly retryFromFirstStep?: boolean;
}

export const completed = (message: string, extra: Info = {}): StepResult => ({
  status: 'completed',
  info: { message, ...extra },
});
export const waiting = (message: string, extra: Info = {}): StepResult => ({
  status: 'condition_not_met',
  info: { message, ...extra },
});
export const failed = (message: string, cause?: unknown, extra: Info = {}): StepResult => ({
  status: 'failed',
  info: {
    message,
    ...(cause === undefined ? {} : { cause: cause instanceof Error ? cause.message : String(cause) }),
    ...extra,
  },
});

/** A step that is one settings update, as read_only, replica_count and friends are. */
export const settingsStep = <C>(
  name: string,
  settings: (config: C) => Record<string, unknown>,
  ok: (index: string, config: C) => string,
  ko: (index: string, config: C) => string,
): Step<C> => ({
  name,
  async execute(ctx) {
    try {
      await ctx.cluster.request('PUT', `/${encodeURIComponent(ctx.index.name)}/_settings`, {
        body: settings(ctx.config),
      });
      return completed(ok(ctx.index.name, ctx.config));
    } catch (e) {
      return failed(ko(ctx.index.name, ctx.config), e);
    }
  },
});
