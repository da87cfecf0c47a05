import { compileDateFormat, DEFAULT_DATE_FORMAT } from '../policy/date-format';
import { snapshotNameZone } from '../policy/parse';
import { nextFireTime, previousFireTime } from '../policy/schedule';
import type { SMPolicy } from '../policy/model';
import {
  NEXT,
  RESET,
  STAY,
  clusterCallFailed,
  setLatestExecution,
  timeLimitExceeded,
  type StateContext,
  type StateResult,
} from './context';
import { SnapshotError, type CreateSnapshotBody, type SnapshotInfo } from './snapshots';

/**
 * The creation workflow's states: CREATION_START → CREATION_CONDITION_MET → CREATING →
 * CREATION_FINISHED → CREATION_START, as the plugin's creation states behave.
 */

/**
 * `<policy>-<date in date_format, lowercased>-<8 random [a-z0-9]>`; the date is that of the
 * current second, as the plugin formats "now/s" (fractions of a second print zeros).
 */
export const snapshotName = (policy: SMPolicy, now: number, random: string): string => {
  const format = String(policy.snapshot_config.date_format ?? DEFAULT_DATE_FORMAT);
  const second = Math.floor(now / 1000) * 1000;
  const date = compileDateFormat(format).format(second, snapshotNameZone(policy.snapshot_config));
  return `${policy.name}-${date.toLowerCase()}-${random}`;
};

/** The create-snapshot body: the snapshot API's own keys of snapshot_config, tagged with the policy. */
export const createBody = (policy: SMPolicy): CreateSnapshotBody => {
  const c = policy.snapshot_config;
  return {
    ...(c.indices !== undefined ? { indices: c.indices } : {}),
    ...(c.ignore_unavailable !== undefined ? { ignore_unavailable: c.ignore_unavailable } : {}),
    ...(c.include_global_state !== undefined ? { include_global_state: c.include_global_state } : {}),
    ...(c.partial !== undefined ? { partial: c.partial } : {}),
    metadata: { ...(c.metadata ?? {}), sm_policy: policy.name },
  };
};

/** Snapshots this policy made (tagged `sm_policy: <name>`), oldest first. */
export const policySnapshots = (policy: SMPolicy, all: SnapshotInfo[]): SnapshotInfo[] =>
  all
    .filter((s) => s.metadata?.sm_policy === policy.name)
    .sort((a, b) => a.start_time_in_millis - b.start_time_in_millis);

const creationSchedule = (ctx: StateContext) => ctx.policy.creation?.schedule;

/** Moves trigger.time on to the next fire time once it has passed: missed fire times are skipped. */
export const advanceTrigger = (ctx: StateContext, schedule = creationSchedule(ctx)): void => {
  const now = ctx.now();
  if (!schedule || now < ctx.workflow.trigger.time) return;
  ctx.workflow.trigger = { time: nextFireTime(schedule, now) ?? Number.MAX_SAFE_INTEGER };
};

export const conditionMet = (ctx: StateContext, schedule = creationSchedule(ctx)): StateResult => {
  if (!schedule || ctx.now() < ctx.workflow.trigger.time) return STAY;
  advanceTrigger(ctx, schedule);
  return NEXT;
};

const started = (ctx: StateContext, name: string): StateResult => {
  // A new execution (fresh start_time), recorded before `started` marks it in flight.
  setLatestExecution(ctx, 'IN_PROGRESS', {
    message: `Snapshot ${name} creation has been started and waiting for completion.`,
  });
  ctx.workflow.started = [name];
  delete ctx.workflow.pending;
  return NEXT;
};

export const creating = async (ctx: StateContext): Promise<StateResult> => {
  const { policy, workflow: wf, snapshots } = ctx;
  const repo = policy.snapshot_config.repository;
  let name: string | undefined;

  if (wf.pending && wf.pending.length > 0) {
    // A previous run saved "creating <name>" and died before saving the outcome: look it up.
    name = wf.pending[0];
    try {
      if (await snapshots.get(repo, name)) return started(ctx, name);
    } catch (e) {
      if (!(e instanceof SnapshotError)) throw e;
      return clusterCallFailed(ctx, `Caught exception while getting started creation snapshot [${name}].`, e);
    }
    // Not on the cluster: the call never got there. Create it now, under the same name.
  } else if (!wf.started || wf.started.length === 0) {
    // The plugin's own idempotency check: a snapshot of this policy started in this period counts.
    try {
      const mine = policySnapshots(policy, await snapshots.list(repo, `${policy.name}*`));
      const latest = mine[mine.length - 1];
      const periodStart = policy.creation ? previousFireTime(policy.creation.schedule, ctx.now()) : undefined;
      if (latest && periodStart !== undefined && latest.start_time_in_millis >= periodStart) {
        return started(ctx, latest.snapshot);
      }
    } catch (e) {
      if (!(e instanceof SnapshotError)) throw e;
      return clusterCallFailed(
        ctx,
        'Caught exception while getting snapshots to decide if snapshot has been created in previous execution period.',
        e,
      );
    }
  }

  name ??= snapshotName(policy, ctx.now(), ctx.random());
  wf.pending = [name];
  await ctx.checkpoint();
  try {
    await snapshots.create(repo, name, createBody(policy));
  } catch (e) {
    if (!(e instanceof SnapshotError)) throw e;
    // A request that may have reached the cluster keeps `pending`: the next attempt looks first.
    if (!e.retryable) delete wf.pending;
    if (e.kind === 'concurrent') {
      setLatestExecution(ctx, 'RETRYING', { message: 'Concurrent snapshot exception happened, retrying...' });
      return STAY;
    }
    return clusterCallFailed(ctx, `Caught exception while creating snapshot ${name}.`, e);
  }
  return started(ctx, name);
};

export const creationFinished = async (ctx: StateContext): Promise<StateResult> => {
  const { policy, workflow: wf } = ctx;
  let result: StateResult | undefined;
  const name = wf.started?.[0];
  if (name !== undefined) {
    let info: SnapshotInfo | undefined;
    try {
      info = await ctx.snapshots.get(policy.snapshot_config.repository, name);
    } catch (e) {
      if (!(e instanceof SnapshotError)) throw e;
      return clusterCallFailed(ctx, `Caught exception while getting started creation snapshot [${name}].`, e);
    }
    const now = ctx.now();
    if (!info) {
      setLatestExecution(
        ctx,
        'SUCCESS',
        { message: `Snapshot ${name} not found while checking if it has been created.` },
        now,
      );
      delete wf.started;
      // The plugin leaves the trigger alone here.
      return NEXT;
    } else if (info.state === 'SUCCESS') {
      const message = `Snapshot ${name} creation has finished successfully.`;
      setLatestExecution(ctx, 'SUCCESS', { message }, now);
      delete wf.started;
      ctx.notify({
        condition: 'creation',
        subject: 'Snapshot Management - Snapshot Creation Notification',
        text: wf.latest_execution?.info?.message ?? message,
      });
    } else if (info.state === 'IN_PROGRESS') {
      if (timeLimitExceeded(ctx, 'creation', now)) result = RESET;
    } else {
      setLatestExecution(
        ctx,
        'FAILED',
        {
          message: `Snapshot ${name} creation failed as the snapshot is in the ${info.state} state.`,
          ...(info.reason ? { cause: info.reason } : {}),
        },
        now,
      );
      result = RESET;
    }
    // Only with a snapshot to look at does the plugin move the trigger on (CreationFinishedState).
    if (!result) advanceTrigger(ctx);
  }
  if (result) return result;
  return wf.started && wf.started.length > 0 ? STAY : NEXT;
};
