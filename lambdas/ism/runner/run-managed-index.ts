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
  type ChangePolicy,
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
 * is the plugin's job run: initialize; or disable a completed or failed index; or check the
 * policy version, resolve the state/action/step from the metadata, check the timeout,
 * change_policy, the retry back-off, the interrupted step and the allow list; then save the step
 * as `starting`, execute it and save its result. Each of these is what one plugin job run does.
 *
 * Pacing: with `maxStepsPerRun` (ISM_STEPS_PER_RUN) at 1, an invocation does exactly what one
 * plugin job run does, so explain shows every stage the plugin shows. Unlimited (the default),
 * an invocation goes on with the next job run at once while the last one moved on (initialized,
 * changed policy, completed a step, or finished the policy), instead of waiting a job interval
 * for each; a step that waits or is to be retried ends it. That is safe because every step still
 * gets its own `starting` checkpoint and result save, exactly as if it ran in its own invocation.
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
  /**
   * Most plugin job runs one invocation does for an index (ISM_STEPS_PER_RUN); 1 is the plugin's
   * pace. Undefined: as many as follow at once (at most {@link CHAINED_RUNS}).
   */
  readonly maxStepsPerRun?: number;
  /** Back-off while the cluster is unavailable (the workers' shared policy by default). */
  readonly unavailableBackoff?: BackoffPolicy;
  /** The deployment's allowed action types (policy/allow-list.ts); undefined allows all. */
  readonly allowList?: AllowList;
}

const TRANSITION = 'transition';

/** The most job runs an unlimited invocation chains for one index (a guard against cycles). */
export const CHAINED_RUNS = 25;

/** ISM_STEPS_PER_RUN: a whole number ≥ 1; unset, empty or `unlimited` is unlimited. */
export const stepsPerRunFromEnv = (env: NodeJS.ProcessEnv = process.env): number | undefined => {
  const text = env.ISM_STEPS_PER_RUN?.trim();
  if (!text || text === 'unlimited') return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 ? n : undefined;
};

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

/**
 * What one job run left: `next` (saved; the next job run may follow at once), `wait` (nothing
 * more until the next job run, or `dueAt`), `disable` (the plugin's disableManagedIndexConfig:
 * the job stops being scheduled).
 */
interface JobRun {
  managed: ManagedIndex;
  next: 'next' | 'wait' | 'disable';
  dueAt?: number;
}

const runManagedIndex = (deps: RunnerDeps) => {
  const random = deps.random ?? Math.random;
  const limit = Math.max(1, deps.maxStepsPerRun ?? CHAINED_RUNS);
  return async (ctx: JobContext<ManagedIndex>, cluster: WatchedCluster) => {
    let managed: ManagedIndex = structuredClone(ctx.record.state);
    const nextRun = (): number =>
      ctx.now() + deps.jobIntervalMs + Math.floor(random() * deps.jitter * deps.jobIntervalMs);
    const save = async (state: ManagedIndex): Promise<ManagedIndex> =>
      structuredClone((await ctx.checkpoint(state)).state);

    for (let n = 0; ; n++) {
      const index = await indexInfo(cluster, managed.index);
      // Deleted behind our back (or re-created under the same name): forget it.
      if (!index || index.uuid !== managed.index_uuid) return 'delete';
      if (!managed.enabled) return { state: managed, dueAt: null };
      const run = await jobRun(deps, managed, index, ctx.now(), cluster, save);
      managed = run.managed;
      if (run.next === 'disable') {
        return { state: { ...managed, enabled: false, enabled_time: null }, dueAt: null };
      }
      if (run.next === 'wait') return { state: managed, dueAt: run.dueAt ?? nextRun() };
      if (n + 1 >= limit || ctx.remainingMs() < 5_000) return { state: managed, dueAt: nextRun() };
      managed = await save(managed);
    }
  };
};

/** Action.getUpdatedActionMetadata: a new action starts afresh, the current one goes on. */
const actionToRun = (r: Resolved, m: ManagedIndexMetaData, now: number): ActionMetaData => {
  const action = m.action;
  if (m.state?.name !== r.state.name || !action || action.index !== r.actionIndex) {
    return newActionMetadata(r.actionName, r.actionIndex, now);
  }
  return { ...action, start_time: action.start_time ?? now };
};

export const newActionMetadata = (name: string, index: number, now: number): ActionMetaData => ({
  name,
  start_time: now,
  index,
  failed: false,
  consumed_retries: 0,
  last_retry_time: 0,
});

/** ManagedIndexConfig.shouldChangePolicy: when safe, or at (or right after) a transition. */
const shouldChangePolicy = (
  managed: ManagedIndex,
  m: ManagedIndexMetaData,
  actionToExecute: string | undefined,
): boolean =>
  !!managed.change_policy &&
  (managed.change_policy.is_safe || actionToExecute === TRANSITION || m.action?.name === TRANSITION);

/** Policy.isSafeToChange: the current state has the same action types, in order, in both. */
export const isSafeToChange = (
  current: Policy,
  stateName: string | undefined,
  next: Policy,
  change: Pick<ChangePolicy, 'state'>,
): boolean => {
  if (stateName === undefined) return true;
  if (change.state !== null) return false;
  return sameActions(
    current.states.find((s) => s.name === stateName),
    next.states.find((s) => s.name === stateName),
  );
};

const failPolicy = (m: ManagedIndexMetaData, message: string): ManagedIndexMetaData => ({
  ...m,
  retry_info: { failed: true, consumed_retries: 0 },
  info: { message },
});

/** One plugin job run (ManagedIndexRunner.runManagedIndexConfig), in the plugin's order. */
const jobRun = async (
  deps: RunnerDeps,
  managed: ManagedIndex,
  index: IndexInfo,
  now: number,
  cluster: WatchedCluster,
  save: (state: ManagedIndex) => Promise<ManagedIndex>,
): Promise<JobRun> => {
  if (!managed.metadata) return { managed: await initialize(deps, managed, index, now), next: 'next' };
  const m = managed.metadata;
  if (m.policy_completed || isFailed(m)) return { managed, next: 'disable' };

  // Each of these fails the index, disables it and notifies (the metadata as it was).
  const failNow = async (metadata: ManagedIndexMetaData): Promise<JobRun> => {
    await sendErrorNotification(deps, managed, m);
    return { managed: { ...managed, metadata }, next: 'disable' };
  };

  if (m.policy_seq_no !== managed.policy_seq_no || m.policy_primary_term !== managed.policy_primary_term) {
    return failNow(
      failPolicy(m, 'There is a version conflict between your previous execution and your managed index'),
    );
  }

  const resolution = resolve(managed.policy, m);
  const r = 'ok' in resolution ? resolution.ok : undefined;
  const current = r ? actionToRun(r, m, now) : undefined;

  const timeout = r?.action?.timeout !== undefined ? millisOf(r.action.timeout) : undefined;
  if (
    r &&
    current &&
    timeout !== undefined &&
    current.start_time !== null &&
    now - current.start_time > timeout
  ) {
    return failNow({
      ...m,
      action: { ...current, failed: true },
      step: { name: r.step.name, start_time: now, step_status: 'timed_out' },
      info: { message: 'Action timed out' },
    });
  }

  if (shouldChangePolicy(managed, m, r?.actionName)) {
    return { managed: await changePolicy(deps, managed, r?.actionName === TRANSITION, now), next: 'next' };
  }

  const retry = r?.action?.retry ?? DEFAULT_RETRY;
  if (current && current.consumed_retries > 0 && current.last_retry_time !== null) {
    const until = current.last_retry_time + backoffMs(retry, current.consumed_retries);
    if (now < until) return { managed, next: 'wait', dueAt: until };
  }

  const resumed = !!r && !r.newAction && m.step?.step_status === 'starting' && m.step.name === r.step.name;
  if (r && resumed && r.step.resumable === false) {
    return failNow(failPolicy(m, 'Previous action was not able to update IndexMetaData.'));
  }

  // An action taken off the allow list fails before it starts; one under way finishes.
  if (
    deps.allowList &&
    r?.action &&
    !deps.allowList.includes(r.actionName) &&
    stepsOf(r.action)[0].name === r.step.name
  ) {
    return failNow(failPolicy(m, `Attempted to execute action=${r.actionName} which is not allowed.`));
  }

  // State, action or step not found: the failure is saved; the next run disables the index.
  if (!r || !current) {
    return {
      managed: { ...managed, metadata: failPolicy(m, (resolution as { error: string }).error) },
      next: 'next',
    };
  }
  return runStep(deps, managed, index, now, cluster, save, r, current, resumed, retry, timeout);
};

/** Saves the step as `starting`, executes it and records its result (the rest of a job run). */
const runStep = async (
  deps: RunnerDeps,
  managed: ManagedIndex,
  index: IndexInfo,
  now: number,
  cluster: WatchedCluster,
  save: (state: ManagedIndex) => Promise<ManagedIndex>,
  r: Resolved,
  current: ActionMetaData,
  resumed: boolean,
  retry: ActionRetry,
  timeout: number | undefined,
): Promise<JobRun> => {
  const m = managed.metadata as ManagedIndexMetaData;
  const properties = { ...(current.action_properties ?? {}) };
  const stepCtx = (props: Record<string, unknown>, meta: ManagedIndexMetaData): StepContext => ({
    cluster,
    now,
    index,
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
  // Step.getStartingStepMetaData: a new step (or one after a completed one) starts now.
  const stepStart =
    !m.step || m.step.name !== r.step.name || m.step.step_status === 'completed' ? now : m.step.start_time;
  // transition_to stays until the step's result clears it, as in the plugin.
  const starting: ManagedIndexMetaData = {
    ...m,
    state: !m.state || m.state.name !== r.state.name ? { name: r.state.name, start_time: now } : m.state,
    action: current,
    step: { name: r.step.name, start_time: stepStart, step_status: 'starting' },
    info: { message: `Starting action ${r.actionName} and working on ${r.step.name}` },
  };
  const intent = r.step.intent ? await r.step.intent(stepCtx(properties, starting)) : {};
  Object.assign(properties, intent);
  if (Object.keys(properties).length > 0) starting.action = { ...current, action_properties: properties };
  managed = await save({ ...managed, metadata: starting });

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
      ...(starting.step as NonNullable<ManagedIndexMetaData['step']>),
      ...(result.stepName ? { name: result.stepName } : {}),
      step_status: result.status,
    },
    info: result.info,
  };
  if (result.transitionTo !== undefined) done.transition_to = result.transitionTo;
  else delete done.transition_to;
  const act: ActionMetaData = { ...(starting.action as ActionMetaData) };
  if (result.properties !== undefined) {
    if (Object.keys(result.properties).length > 0) act.action_properties = result.properties;
    else delete act.action_properties;
  }
  if (result.rolledOver) {
    done.rolled_over = true;
    if (result.rolledOverIndexName) done.rolled_over_index_name = result.rolledOverIndexName;
  }
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
  if (isFailed(done)) {
    const outcome = await sendErrorNotification(deps, managed, done);
    if (outcome !== undefined) done.info = { ...(done.info ?? {}), error_notification: outcome };
  }
  managed = { ...managed, metadata: done };
  // Failed for good or completed: saved as it is; the next job run disables the index.
  const movedOn = result.status === 'completed' || isFailed(done);
  return { managed, next: movedOn ? 'next' : 'wait' };
};

/** initManagedIndex: the first job run saves the metadata (from a pending change_policy too). */
const initialize = async (
  deps: RunnerDeps,
  managed: ManagedIndex,
  index: IndexInfo,
  now: number,
): Promise<ManagedIndex> => {
  let next = managed;
  if (managed.change_policy) {
    const policyId = managed.change_policy.policy_id;
    const doc = await deps.policies.get(policyId);
    if (!doc) {
      // getFailedInitializedManagedIndexMetaData: no policy version, no state.
      return {
        ...managed,
        metadata: {
          index: managed.index,
          index_uuid: managed.index_uuid,
          policy_id: policyId,
          policy_completed: false,
          rolled_over: false,
          index_creation_date: index.creationDate,
          retry_info: { failed: true, consumed_retries: 0 },
          info: { message: `Fail to load policy: ${policyId}` },
        },
      };
    }
    next = withPolicy(managed, doc);
  }
  return {
    ...next,
    metadata: {
      index: next.index,
      index_uuid: next.index_uuid,
      policy_id: next.policy_id,
      policy_seq_no: next.policy_seq_no,
      policy_primary_term: next.policy_primary_term,
      policy_completed: false,
      rolled_over: false,
      index_creation_date: index.creationDate,
      state: { name: managed.change_policy?.state ?? next.policy.default_state, start_time: now },
      retry_info: { failed: false, consumed_retries: 0 },
      info: { message: `Successfully initialized policy: ${next.policy_id}` },
    },
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

/**
 * initChangePolicy: the metadata moves to the new policy (to `state` when the change names one,
 * through a fresh transition when the change happens at one) and the index takes the new policy.
 * A change the API found safe is checked again; no longer safe, it waits for the transition.
 */
const changePolicy = async (
  deps: RunnerDeps,
  managed: ManagedIndex,
  atTransition: boolean,
  now: number,
): Promise<ManagedIndex> => {
  const change = managed.change_policy as ChangePolicy;
  const m = managed.metadata as ManagedIndexMetaData;
  const doc = await deps.policies.get(change.policy_id);
  if (!doc) {
    return { ...managed, metadata: failPolicy(m, `Failed to load change policy: ${change.policy_id}`) };
  }
  if (change.is_safe && !isSafeToChange(managed.policy, m.state?.name, doc.source, change)) {
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
  if (atTransition) metadata.action = newActionMetadata(TRANSITION, -1, now);
  return { ...next, metadata };
};

/**
 * publishErrorNotification: sends the policy's error_notification, if it has one, with the
 * metadata as the template's `ctx`. Returns what the plugin records in `info.error_notification`
 * (undefined when there is nothing to send).
 */
const sendErrorNotification = async (
  deps: RunnerDeps,
  managed: ManagedIndex,
  m: ManagedIndexMetaData,
): Promise<string | undefined> => {
  const notification = managed.policy.error_notification;
  if (!notification || !deps.notifier) return undefined;
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
    return `Successfully published error notification [index = ${m.index}]`;
  } catch (e) {
    return errorMessage(e);
  }
};
