import type { LatestExecution, SMMetadata, SMPolicy, WorkflowMetadata, WorkflowType } from '../policy/model';
import { timeValueToMillis } from '../policy/time-value';
import type { SnapshotClient, SnapshotError } from './snapshots';

/**
 * What a state sees and changes during one run of one workflow. States change `workflow` (the
 * policy's metadata for that workflow) in place and report an outcome; the engine saves.
 */
export interface SMEvent {
  /** Which notification condition this is. */
  readonly condition: 'creation' | 'deletion' | 'failure' | 'time_limit_exceeded';
  readonly subject: string;
  readonly text: string;
}

export interface StateContext {
  readonly type: WorkflowType;
  readonly policy: SMPolicy;
  readonly metadata: SMMetadata;
  readonly workflow: WorkflowMetadata;
  readonly snapshots: SnapshotClient;
  now(): number;
  /** Saves the metadata as it is now before a cluster call, so a crash after the call is recoverable. */
  checkpoint(): Promise<void>;
  /** Queues a notification, sent if the policy's conditions ask for it once the run is saved. */
  notify(event: SMEvent): void;
  random(): string;
}

export type StateResult =
  /** Done: record this state and, if it is continuous, go on with the next one in this run. */
  | { kind: 'next' }
  /** Not yet: keep the previous state, try again next run. */
  | { kind: 'stay' }
  /** Failed: retry the step next run (3 times, then FAILED), or go back to _START at once. */
  | { kind: 'fail'; forceReset: boolean }
  /** The cluster did not answer (or was overloaded): keep the state, back off, no retry consumed. */
  | { kind: 'unavailable' };

export const NEXT: StateResult = { kind: 'next' };
export const STAY: StateResult = { kind: 'stay' };
export const RETRY: StateResult = { kind: 'fail', forceReset: false };
export const RESET: StateResult = { kind: 'fail', forceReset: true };
export const UNAVAILABLE: StateResult = { kind: 'unavailable' };

/**
 * A cluster call failed: `RETRYING` with the plugin's message and the error as cause. An
 * unreachable or overloaded cluster (connection refused or lost, timeouts, 429, 502-504) backs
 * off and retries without end; any other error is the step's failure (three retries, then FAILED).
 */
export const clusterCallFailed = (ctx: StateContext, message: string, error: SnapshotError): StateResult => {
  setLatestExecution(ctx, 'RETRYING', { message, cause: error.message });
  return error.retryable ? UNAVAILABLE : RETRY;
};

/** `[2022-06-28T08:00:01Z]: `: every message and cause carries the UTC second it was written. */
export const stamp = (now: number, text: string): string =>
  `[${new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z')}]: ${text}`;

/**
 * Records a status in `latest_execution`: a new execution when nothing is in flight, else the
 * one in flight is updated (its start_time kept).
 */
export const setLatestExecution = (
  ctx: StateContext,
  status: LatestExecution['status'],
  info: { message?: string; cause?: string },
  endTime: number | null = null,
): void => {
  const now = ctx.now();
  const wf = ctx.workflow;
  const stampedInfo = {
    ...(info.message !== undefined ? { message: stamp(now, info.message) } : {}),
    ...(info.cause !== undefined ? { cause: stamp(now, info.cause) } : {}),
  };
  const inFlight = (wf.started?.length ?? 0) > 0 && wf.latest_execution;
  wf.latest_execution = {
    status,
    start_time: inFlight ? (wf.latest_execution as LatestExecution).start_time : now,
    end_time: endTime,
    ...(Object.keys(stampedInfo).length > 0 ? { info: stampedInfo } : {}),
  };
};

/**
 * The in-flight step has run past its workflow's `time_limit`: records TIME_LIMIT_EXCEEDED and
 * sends the time-limit notification. The caller resets the workflow when this is true.
 */
export const timeLimitExceeded = (
  ctx: StateContext,
  workflow: 'creation' | 'deletion',
  now: number,
): boolean => {
  const limit = ctx.policy[workflow]?.time_limit;
  const startTime = ctx.workflow.latest_execution?.start_time;
  if (!limit || startTime === undefined || now - startTime <= timeValueToMillis(limit, 'time_limit'))
    return false;
  const text = `Time limit ${limit} exceeded during snapshot ${workflow} step`;
  setLatestExecution(ctx, 'TIME_LIMIT_EXCEEDED', { cause: text }, now);
  ctx.notify({
    condition: 'time_limit_exceeded',
    subject: 'Snapshot Management - Snapshot Time Limit Notification',
    text: ctx.workflow.latest_execution?.info?.cause ?? text,
  });
  return true;
};
