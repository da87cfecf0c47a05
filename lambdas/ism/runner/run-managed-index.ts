import { backoffDelayMs, CLUSTER_BACKOFF, type BackoffPolicy } from '../../shared/backoff';
import type { AllowList } from '../policy/allow-list';
import type { StoredDocument } from '../../shared/document-store';
import type { JobContext, JobFunction } from '../../shared/jobs/run-due';
import {
  errorMessage,
  isClusterUnavailable,
  WatchedCluster,
  type ClusterApi,
  type ClusterCallError,
} from '../cluster-api';
import { indexInfo, type IndexInfo } from '../managed-index/cluster-indices';
import {
  isFailed,
  templateContext,
  type ActionMetaData,
  type ManagedIndex,
  type ManagedIndexMetaData,
} from '../managed-index/model';
import { DEFAULT_RETRY } from '../policy/actions';
import { actionTypeOf, type Action, type ActionRetry, type Policy, type State } from '../policy/model';
import { ACTIONS } from './actions';
import { millisOf } from './format';
import type {
  Notifier,
  RolloverFoundPort,
  RolloverPort,
  RollupPort,
  Step,
  StepContext,
  StepResult,
} from './step';
import { transitionStep, type TransitionResult } from './transition-step';

/**
 * One run of one managed index (ManagedIndexRunner.kt), as a job function for runDue. The shape
 * is the plugin's: initialize, resolve the state/action/step from the metadata, check timeout,
 * change_policy and retry back-off, save the step as `starting`, execute it, save the result.
 *
 * Where we are faster than the plugin: when a step completes, the run goes on with the next one
 * (next step, next action, the transition and the move to the next state) instead of waiting a
 * job interval for each. That is safe because every step still gets its own `starting`
 * checkpoint and result save, exactly as if it ran in its own invocation. A step that waits
 * (condition_not_met), fails, or the invocation's budget ends the run.
 */
export interface PolicyReader {
  get(id: string): Promise<StoredDocument<Policy> | undefined>;
}

export interface RunnerDeps {
  readonly cluster: ClusterApi;
  readonly policies: PolicyReader;
  readonly notifier?: Notifier;
  readonly rollover?: RolloverPort;
  readonly rolloverFound?: RolloverFoundPort;
  readonly rollups?: RollupPort;
  /** Job interval (ms) between runs of an index that waits. */
  readonly jobIntervalMs: number;
  /** Fraction (0..1) of the interval added at random to each next run. */
  readonly jitter: number;
  readonly random?: () => number;
  /** Most steps one run chains (completed steps only). */
  readonly maxStepsPerRun?: number;
  /** Back-off while the cluster is unavailable (the workers' shared policy by default). */
  readonly unavailableBackoff?: BackoffPolicy;
  /** The deployment's allowed action types (policy/allow-list.ts); undefined allows all. */
  readonly allowList?: AllowList;
}

const TRANSITION = 'transition';

interface Resolved {
  state: State;
  /** The action to run; undefined for the implicit transition. */
  action?: Action;
  actionIndex: number;
  actionName: string;
  step: Step<unknown>;
  /** Whether this is a different action from the one in the metadata (a fresh start). */
  newAction: boolean;
}

export const backoffMs = (retry: ActionRetry, consumed: number): number => {
  const delay = millisOf(retry.delay);
  if (consumed <= 0) return 0;
  if (retry.backoff === 'constant') return delay;
  if (retry.backoff === 'linear') return consumed * delay;
  return 2 ** (consumed - 1) * delay;
};

const definitionOf = (action: Action) =>
  ACTIONS[actionTypeOf(action)] as unknown as {
    steps(c: unknown): Step<unknown>[];
    retryFromFirstStep?: boolean;
  };

const stepsOf = (action: Action): Step<unknown>[] =>
  definitionOf(action).steps((action as unknown as Record<string, unknown>)[actionTypeOf(action)]);

type Resolution = { ok: Resolved } | { error: string };

const resolve = (policy: Policy, m: ManagedIndexMetaData): Resolution => {
  const stateName = m.transition_to ?? m.state?.name ?? policy.default_state;
  const state = policy.states.find((s) => s.name === stateName);
  if (!state) return { error: `Failed to find state=${stateName} in policy=${policy.policy_id}` };
  const transition = (newAction: boolean): Resolution => ({
    ok: {
      state,
      actionIndex: -1,
      actionName: TRANSITION,
      step: transitionStep(state.transitions) as Step<unknown>,
      newAction,
    },
  });
  const start = (ai: number): Resolution => {
    if (ai >= state.actions.length) return transition(true);
    const action = state.actions[ai];
    return {
      ok: {
        state,
        action,
        actionIndex: ai,
        actionName: actionTypeOf(action),
        step: stepsOf(action)[0],
        newAction: true,
      },
    };
  };
  if (m.transition_to !== undefined || !m.action) return start(0);
  if (m.action.name === TRANSITION) return transition(false);
  const action = state.actions[m.action.index];
  if (!action || actionTypeOf(action) !== m.action.name) {
    return { error: `Failed to find action=${m.action.name} in state=${stateName}` };
  }
  const steps = stepsOf(action);
  const restart = m.step?.step_status === 'failed' && definitionOf(action).retryFromFirstStep === true;
  const at = m.step && !restart ? steps.findIndex((s) => s.name === m.step?.name) : 0;
  if (at < 0) return { error: `Failed to find action=${m.action.name} in state=${stateName}` };
  if (m.step?.step_status === 'completed') {
    if (at === steps.length - 1) return start(m.action.index + 1);
    return {
      ok: {
        state,
        action,
        actionIndex: m.action.index,
        actionName: m.action.name,
        step: steps[at + 1],
        newAction: false,
      },
    };
  }
  return {
    ok: {
      state,
      action,
      actionIndex: m.action.index,
      actionName: m.action.name,
      step: steps[at],
      newAction: false,
    },
  };
};

/** Whether two states have the same action types in the same order (change_policy is_safe). */
export const sameActions = (a: State | undefined, b: State | undefined): boolean =>
  !!a &&
  !!b &&
  a.actions.length === b.actions.length &&
  a.actions.every((x, i) => actionTypeOf(x) === actionTypeOf(b.actions[i]));

/**
 * The cluster could not be reached (or answered 429, 502-504) during a run. Nothing of the policy
 * failed: the metadata stays as last saved (a step already `starting` is resumed, and checks its
 * effect, when the cluster is back), its info says what happened, and the index is due again
 * after an exponential, capped back-off of its own.
 */
export const clusterUnavailable = (
  deps: RunnerDeps,
  saved: ManagedIndex,
  cause: ClusterCallError,
  now: number,
): { state: ManagedIndex; dueAt: number } => {
  const attempts = (saved.cluster_unavailable?.attempts ?? 0) + 1;
  const dueAt = now + backoffDelayMs(attempts, deps.unavailableBackoff ?? CLUSTER_BACKOFF);
  const what =
    cause.status === 0
      ? 'could not be reached'
      : cause.status === 429
        ? 'is overloaded (429 Too Many Requests)'
        : `answered ${cause.status}`;
  const state: ManagedIndex = {
    ...structuredClone(saved),
    cluster_unavailable: { since: saved.cluster_unavailable?.since ?? now, attempts },
  };
  if (state.metadata) {
    state.metadata.info = {
      message: `The cluster ${what}; retrying with back-off, this is not counted as a failure of the policy [index=${saved.index}]`,
      cause: errorMessage(cause),
      attempts,
      next_attempt_time: dueAt,
    };
  }
  return { state, dueAt };
};

export const ismWork = (deps: RunnerDeps): JobFunction<ManagedIndex> => {
  const run = runManagedIndex(deps);
  return async (ctx: JobContext<ManagedIndex>) => {
    const cluster = new WatchedCluster(deps.cluster);
    try {
      const outcome = await run(ctx, cluster);
      if (outcome === 'delete' || !outcome.state.cluster_unavailable) return outcome;
      const state = { ...outcome.state };
      delete state.cluster_unavailable;
      return { ...outcome, state };
    } catch (e) {
      if (!isClusterUnavailable(e)) throw e;
      // The last saved state: a `starting` checkpoint stays as it is, to be resumed.
      return clusterUnavailable(deps, ctx.record.state, e, ctx.now());
    }
  };
};

const runManagedIndex = (deps: RunnerDeps) => {
  const random = deps.random ?? Math.random;
  const maxSteps = deps.maxStepsPerRun ?? 10;
  return async (ctx: JobContext<ManagedIndex>, cluster: WatchedCluster) => {
    let managed: ManagedIndex = structuredClone(ctx.record.state);
    const nextRun = (): number =>
      ctx.now() + deps.jobIntervalMs + Math.floor(random() * deps.jitter * deps.jobIntervalMs);

    let index = await indexInfo(cluster, managed.index);
    // Deleted behind our back (or re-created under the same name): forget it.
    if (!index || index.uuid !== managed.index_uuid) return 'delete';
    if (!managed.enabled) return { state: managed, dueAt: null };

    const save = async (): Promise<void> => {
      managed = structuredClone((await ctx.checkpoint(managed)).state);
    };

    if (!managed.metadata) {
      managed = await initialize(deps, managed, index, ctx.now());
      if (isFailed(managed.metadata)) return finishFailed(deps, managed);
      await save();
    }

    for (let n = 0; n < maxSteps; n++) {
      const now = ctx.now();
      if (n > 0) {
        const fresh = await indexInfo(cluster, managed.index);
        if (!fresh || fresh.uuid !== managed.index_uuid) return 'delete';
        index = fresh;
      }
      const m = managed.metadata as ManagedIndexMetaData;
      if (m.policy_completed || isFailed(m)) {
        return { state: { ...managed, enabled: false, enabled_time: null }, dueAt: null };
      }
      if (
        m.policy_seq_no !== managed.policy_seq_no ||
        m.policy_primary_term !== managed.policy_primary_term
      ) {
        managed.metadata = {
          ...m,
          retry_info: { failed: true, consumed_retries: m.retry_info?.consumed_retries ?? 0 },
          info: {
            message: 'There is a version conflict between your previous execution and your managed index',
          },
        };
        return finishFailed(deps, managed);
      }
      const resolution = resolve(managed.policy, m);
      if ('error' in resolution) {
        managed.metadata = {
          ...m,
          retry_info: { failed: true, consumed_retries: m.retry_info?.consumed_retries ?? 0 },
          info: { message: resolution.error },
        };
        return finishFailed(deps, managed);
      }
      const r = resolution.ok;

      // change_policy: at once when structurally safe, else at the safe point (the transition).
      if (managed.change_policy && (managed.change_policy.is_safe || r.actionName === TRANSITION)) {
        managed = await applyChangePolicy(deps, managed, r.actionName === TRANSITION, now);
        if (isFailed(managed.metadata)) return finishFailed(deps, managed);
        await save();
        continue;
      }

      const action = r.newAction ? undefined : m.action;
      const timeout = r.action?.timeout !== undefined ? millisOf(r.action.timeout) : undefined;
      if (
        action &&
        timeout !== undefined &&
        action.start_time !== null &&
        now - action.start_time > timeout
      ) {
        managed.metadata = {
          ...m,
          action: { ...action, failed: true },
          step: { name: r.step.name, start_time: m.step?.start_time ?? now, step_status: 'timed_out' },
          info: { message: 'Action timed out' },
        };
        return finishFailed(deps, managed);
      }

      const retry = r.action?.retry ?? DEFAULT_RETRY;
      if (action && m.step?.step_status === 'failed' && action.last_retry_time !== null) {
        const until = action.last_retry_time + backoffMs(retry, action.consumed_retries);
        if (now < until) return { state: managed, dueAt: until };
      }

      const resumed = !r.newAction && m.step?.step_status === 'starting' && m.step.name === r.step.name;
      if (resumed && r.step.resumable === false) {
        managed.metadata = {
          ...m,
          action: { ...(m.action as ActionMetaData), failed: true },
          info: { message: 'Previous action was not able to update IndexMetaData.' },
        };
        return finishFailed(deps, managed);
      }

      // An action taken off the allow list fails before it starts; one under way finishes.
      if (
        deps.allowList &&
        r.action &&
        !deps.allowList.includes(r.actionName) &&
        stepsOf(r.action)[0].name === r.step.name
      ) {
        managed.metadata = {
          ...m,
          retry_info: { failed: true, consumed_retries: m.retry_info?.consumed_retries ?? 0 },
          info: { message: `Attempted to execute action=${r.actionName} which is not allowed.` },
        };
        // Disabled as the plugin does; a retry (once the allow list has it) starts it again.
        return { state: { ...managed, enabled: false, enabled_time: null }, dueAt: null };
      }

      // ---- starting: saved before the cluster is touched -------------------------------------
      const stateChanged = m.transition_to !== undefined && m.transition_to !== m.state?.name;
      const newAction: ActionMetaData = action
        ? { ...action, start_time: action.start_time ?? now }
        : {
            name: r.actionName,
            start_time: now,
            index: r.actionIndex,
            failed: false,
            consumed_retries: 0,
            last_retry_time: null,
          };
      const sameStep = !r.newAction && m.step?.name === r.step.name && m.step.step_status !== 'completed';
      const properties = { ...(action?.action_properties ?? {}) };
      const stepCtx = (props: Record<string, unknown>, meta: ManagedIndexMetaData): StepContext => ({
        cluster,
        now,
        index: index as IndexInfo,
        managed,
        metadata: meta,
        action: r.action as Action,
        config: r.action ? (r.action as unknown as Record<string, unknown>)[r.actionName] : undefined,
        properties: props,
        resumed,
        notifier: deps.notifier,
        rollover: deps.rollover,
        rolloverFound: deps.rolloverFound,
        rollups: deps.rollups,
        timeoutMs: timeout,
      });
      const starting: ManagedIndexMetaData = {
        ...m,
        state: stateChanged || !m.state ? { name: r.state.name, start_time: now } : m.state,
        action: newAction,
        step: {
          name: r.step.name,
          start_time: sameStep ? (m.step?.start_time ?? now) : now,
          step_status: 'starting',
        },
        info: { message: `Starting action ${r.actionName} and working on ${r.step.name}` },
      };
      delete starting.transition_to;
      const intent = r.step.intent ? await r.step.intent(stepCtx(properties, starting)) : {};
      Object.assign(properties, intent);
      if (Object.keys(properties).length > 0)
        starting.action = { ...newAction, action_properties: properties };
      managed.metadata = starting;
      await save();

      // ---- execute and save the result -------------------------------------------------------
      let result: StepResult & Partial<TransitionResult>;
      cluster.unavailable = undefined;
      try {
        result = await r.step.execute(stepCtx(properties, starting));
      } catch (e) {
        result = {
          status: 'failed',
          info: { message: `Failed to execute ${r.step.name} [index=${index.name}]`, cause: errorMessage(e) },
        };
      }
      // A step that failed because the cluster was away has not failed: back off and resume it.
      if (result.status === 'failed' && cluster.unavailable) throw cluster.unavailable;
      const done: ManagedIndexMetaData = {
        ...starting,
        step: {
          ...(starting.step as ManagedIndexMetaData['step'] & object),
          ...(result.stepName ? { name: result.stepName } : {}),
          step_status: result.status,
        },
        info: result.info,
      };
      const act: ActionMetaData = { ...(starting.action as ActionMetaData) };
      if (result.properties !== undefined) {
        if (Object.keys(result.properties).length > 0) act.action_properties = result.properties;
        else delete act.action_properties;
      }
      if (result.rolledOver) {
        done.rolled_over = true;
        if (result.rolledOverIndexName) done.rolled_over_index_name = result.rolledOverIndexName;
      }
      if (result.transitionTo !== undefined) done.transition_to = result.transitionTo;
      if (result.policyCompleted) {
        done.policy_completed = true;
        delete done.info;
      }
      if (result.status === 'failed') {
        if (act.consumed_retries >= retry.count) act.failed = true;
        else {
          act.consumed_retries += 1;
          act.last_retry_time = now;
        }
      }
      done.action = act;
      managed.metadata = done;
      if (act.failed) return finishFailed(deps, managed);
      if (done.policy_completed)
        return { state: { ...managed, enabled: false, enabled_time: null }, dueAt: null };
      if (result.status !== 'completed' || ctx.remainingMs() < 5_000)
        return { state: managed, dueAt: nextRun() };
      await save();
    }
    return { state: managed, dueAt: nextRun() };
  };
};

const initialize = async (
  deps: RunnerDeps,
  managed: ManagedIndex,
  index: IndexInfo,
  now: number,
): Promise<ManagedIndex> => {
  let next = managed;
  let startState = managed.policy.default_state;
  const base = (): ManagedIndexMetaData => ({
    index: next.index,
    index_uuid: next.index_uuid,
    policy_id: next.policy_id,
    policy_seq_no: next.policy_seq_no,
    policy_primary_term: next.policy_primary_term,
    policy_completed: false,
    rolled_over: false,
    index_creation_date: index.creationDate,
    state: { name: startState, start_time: now },
    retry_info: { failed: false, consumed_retries: 0 },
  });
  if (managed.change_policy) {
    const doc = await deps.policies.get(managed.change_policy.policy_id);
    if (!doc) {
      return {
        ...managed,
        metadata: {
          ...base(),
          retry_info: { failed: true, consumed_retries: 0 },
          info: { message: `Fail to load policy: ${managed.change_policy.policy_id}` },
        },
      };
    }
    startState = managed.change_policy.state ?? doc.source.default_state;
    next = withPolicy(managed, doc);
  }
  return {
    ...next,
    metadata: { ...base(), info: { message: `Successfully initialized policy: ${next.policy_id}` } },
  };
};

const withPolicy = (managed: ManagedIndex, doc: StoredDocument<Policy>): ManagedIndex => ({
  ...managed,
  policy: { ...doc.source, policy_id: doc.id },
  policy_id: doc.id,
  policy_seq_no: doc.seqNo,
  policy_primary_term: doc.primaryTerm,
  change_policy: null,
});

const applyChangePolicy = async (
  deps: RunnerDeps,
  managed: ManagedIndex,
  atSafePoint: boolean,
  now: number,
): Promise<ManagedIndex> => {
  const change = managed.change_policy as NonNullable<ManagedIndex['change_policy']>;
  const m = managed.metadata as ManagedIndexMetaData;
  const doc = await deps.policies.get(change.policy_id);
  if (!doc) {
    return {
      ...managed,
      metadata: {
        ...m,
        retry_info: { failed: true, consumed_retries: 0 },
        info: { message: `Failed to load change policy: ${change.policy_id}` },
      },
    };
  }
  const current = m.state?.name;
  if (
    !atSafePoint &&
    (change.state !== null ||
      !sameActions(
        managed.policy.states.find((s) => s.name === current),
        doc.source.states.find((s) => s.name === current),
      ))
  ) {
    // No longer structurally safe: wait for the safe point.
    return { ...managed, change_policy: { ...change, is_safe: false } };
  }
  const next = withPolicy(managed, doc);
  const metadata: ManagedIndexMetaData = {
    ...m,
    policy_id: next.policy_id,
    policy_seq_no: next.policy_seq_no,
    policy_primary_term: next.policy_primary_term,
    policy_completed: false,
    info: { message: `Attempting to change policy to ${doc.id}` },
  };
  delete metadata.step;
  if (change.state !== null) metadata.transition_to = change.state;
  else delete metadata.transition_to;
  if (atSafePoint) {
    metadata.action = {
      name: TRANSITION,
      start_time: now,
      index: -1,
      failed: false,
      consumed_retries: 0,
      last_retry_time: null,
    };
  }
  return { ...next, metadata };
};

/** The index is failed: disable it, unschedule it, and send the policy's error notification. */
const finishFailed = async (deps: RunnerDeps, managed: ManagedIndex) => {
  const m = managed.metadata as ManagedIndexMetaData;
  const notification = managed.policy.error_notification;
  if (notification && deps.notifier) {
    const i = m.index;
    let outcome: string;
    try {
      const source =
        typeof notification.message_template.source === 'string'
          ? notification.message_template.source
          : JSON.stringify(notification.message_template.source);
      let text: string;
      try {
        text = deps.notifier.render(source, templateContext(m));
      } catch (e) {
        text = errorMessage(e);
      }
      await deps.notifier.send(
        notification.channel ?? notification.destination,
        'Index Management-ISM-Error Notification',
        text,
      );
      outcome = `Successfully published error notification [index = ${i}]`;
    } catch (e) {
      outcome = errorMessage(e);
    }
    m.info = { ...(m.info ?? {}), error_notification: outcome };
  }
  return { state: { ...managed, enabled: false, enabled_time: null }, dueAt: null };
};
