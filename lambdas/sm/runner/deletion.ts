import { compileQueryString } from '../../ism/query-string';
import type { SMPolicy } from '../policy/model';
import { timeValueToMillis } from '../policy/time-value';
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
import { advanceTrigger } from './creation';
import { SnapshotError, type SnapshotInfo } from './snapshots';

/**
 * The deletion workflow's states: DELETION_START → DELETION_CONDITION_MET → DELETING →
 * DELETION_FINISHED → DELETION_START. Only snapshots this policy made (or that match its
 * `snapshot_pattern`) are candidates; never one in progress, never below min_count.
 */

const listPattern = (policy: SMPolicy): string =>
  [`${policy.name}*`, policy.deletion?.snapshot_pattern].filter(Boolean).join(',');

/** This policy's snapshots (metadata tag) plus those matching snapshot_pattern, oldest first. */
export const deletionCandidates = (policy: SMPolicy, all: SnapshotInfo[]): SnapshotInfo[] => {
  const patterns = (policy.deletion?.snapshot_pattern ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map(compileQueryString);
  const byName = new Map<string, SnapshotInfo>();
  for (const s of all) {
    if (s.metadata?.sm_policy === policy.name || patterns.some((p) => p(s.snapshot)))
      byName.set(s.snapshot, s);
  }
  return [...byName.values()].sort((a, b) => a.start_time_in_millis - b.start_time_in_millis);
};

/**
 * Which snapshots go: the oldest older than max_age (as long as min_count remain), and the
 * oldest beyond max_count. `snapshots` is sorted oldest first and holds no snapshot in progress.
 */
export const selectForDeletion = (
  policy: SMPolicy,
  snapshots: SnapshotInfo[],
  now: number,
): SnapshotInfo[] => {
  const condition = policy.deletion?.condition;
  if (!condition) return [];
  const total = snapshots.length;
  let k = 0;
  if (condition.max_age) {
    const threshold = Math.floor((now - timeValueToMillis(condition.max_age, 'max_age')) / 1000) * 1000;
    k = snapshots.filter((s) => s.start_time_in_millis < threshold).length;
    if (total - k < condition.min_count) k = Math.max(0, total - condition.min_count);
  }
  if (condition.max_count !== undefined && total - k > condition.max_count) k = total - condition.max_count;
  return snapshots.slice(0, k);
};

const deletionSchedule = (ctx: StateContext) => ctx.policy.deletion?.schedule;

const inProgress = (ctx: StateContext, names: string[]): StateResult => {
  // A new execution (fresh start_time), recorded before `started` marks it in flight.
  setLatestExecution(ctx, 'IN_PROGRESS', {
    message: `Snapshots [${names.join(', ')}] deletion has been started and waiting for completion.`,
  });
  ctx.workflow.started = names;
  delete ctx.workflow.pending;
  return NEXT;
};

export const deleting = async (ctx: StateContext): Promise<StateResult> => {
  const { policy, workflow: wf, snapshots } = ctx;
  const repo = policy.snapshot_config.repository;
  let listed: SnapshotInfo[];
  try {
    listed = await snapshots.list(repo, listPattern(policy));
  } catch (e) {
    if (!(e instanceof SnapshotError)) throw e;
    return clusterCallFailed(
      ctx,
      'Caught exception while getting snapshots to decide which snapshots to delete.',
      e,
    );
  }

  let names: string[];
  if (wf.pending && wf.pending.length > 0) {
    // A previous run saved "deleting [..]" and died before saving the outcome: finish the job.
    const remaining = new Set(listed.map((s) => s.snapshot));
    names = wf.pending;
    const left = names.filter((n) => remaining.has(n));
    if (left.length === 0) return inProgress(ctx, names);
    names = left;
  } else {
    const candidates = deletionCandidates(policy, listed).filter((s) => s.state !== 'IN_PROGRESS');
    names = selectForDeletion(policy, candidates, ctx.now()).map((s) => s.snapshot);
    if (names.length === 0) return NEXT;
  }

  wf.pending = names;
  await ctx.checkpoint();
  try {
    await snapshots.delete(repo, names);
  } catch (e) {
    if (!(e instanceof SnapshotError)) throw e;
    if (!e.retryable) delete wf.pending;
    if (e.kind === 'concurrent') {
      setLatestExecution(ctx, 'RETRYING', { message: 'Concurrent snapshot exception happened, retrying...' });
      return STAY;
    }
    return clusterCallFailed(ctx, `Caught exception while deleting snapshot [${names.join(', ')}].`, e);
  }
  return inProgress(ctx, names);
};

export const deletionFinished = async (ctx: StateContext): Promise<StateResult> => {
  const { policy, workflow: wf } = ctx;
  let result: StateResult | undefined;
  const startedNames = wf.started ?? [];
  if (startedNames.length > 0) {
    let listed: SnapshotInfo[];
    try {
      listed = await ctx.snapshots.list(policy.snapshot_config.repository, listPattern(policy));
    } catch (e) {
      if (!(e instanceof SnapshotError)) throw e;
      return clusterCallFailed(
        ctx,
        `Caught exception while getting snapshots to decide if snapshots [${startedNames.join(', ')}] has been deleted.`,
        e,
      );
    }
    const remaining = new Set(listed.map((s) => s.snapshot));
    const now = ctx.now();
    if (!startedNames.some((n) => remaining.has(n))) {
      const message = `Snapshot(s) [${startedNames.join(', ')}] deletion has finished.`;
      setLatestExecution(ctx, 'SUCCESS', { message }, now);
      delete wf.started;
      ctx.notify({
        condition: 'deletion',
        subject: 'Snapshot Management - Snapshot Deletion Notification',
        text: wf.latest_execution?.info?.message ?? message,
      });
    } else {
      if (timeLimitExceeded(ctx, 'deletion', now)) result = RESET;
    }
    // Only after a deletion does the plugin move the trigger on (DeletionFinishedState): a run
    // that found nothing to delete looks again at the next run.
    if (!result) advanceTrigger(ctx, deletionSchedule(ctx));
  }
  if (result) return result;
  return wf.started && wf.started.length > 0 ? STAY : NEXT;
};
