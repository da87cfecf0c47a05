import { backoffDelayMs } from '../../shared/backoff';
import {
  CREATION_STATES,
  DELETION_STATES,
  type SMState,
  type WorkflowMetadata,
  type WorkflowType,
} from '../policy/model';
import { setLatestExecution, type StateContext, type StateResult } from './context';
import { conditionMet, creating, creationFinished } from './creation';
import { deleting, deletionFinished } from './deletion';

/**
 * The plugin's SM state machine: each workflow is a cycle of four states, and one run walks it
 * from the last state completed (`current_state`) for as long as the states are "continuous".
 * A state answers next / stay / fail; a failing step is retried three times, once a run, and
 * then the execution is FAILED and the workflow starts over. Ours adds a fourth answer,
 * unavailable: the cluster did not answer, which says nothing about the snapshot, so the step is
 * tried again with exponential backoff for as long as the outage lasts (see `backOff`).
 */
interface StateDef {
  readonly continuous: boolean;
  execute(ctx: StateContext): Promise<StateResult> | StateResult;
}

const NEXT_RESULT: StateResult = { kind: 'next' };

const STATES: Record<SMState, StateDef> = {
  CREATION_START: { continuous: true, execute: () => NEXT_RESULT },
  CREATION_CONDITION_MET: { continuous: true, execute: (ctx) => conditionMet(ctx) },
  CREATING: { continuous: false, execute: creating },
  CREATION_FINISHED: { continuous: true, execute: creationFinished },
  DELETION_START: { continuous: true, execute: () => NEXT_RESULT },
  DELETION_CONDITION_MET: {
    continuous: true,
    execute: (ctx) => conditionMet(ctx, ctx.policy.deletion?.schedule),
  },
  DELETING: { continuous: false, execute: deleting },
  DELETION_FINISHED: { continuous: true, execute: deletionFinished },
};

const CYCLE: Record<WorkflowType, readonly SMState[]> = {
  creation: CREATION_STATES,
  deletion: DELETION_STATES,
};

const successor = (type: WorkflowType, state: SMState): SMState => {
  const cycle = CYCLE[type];
  return cycle[(cycle.indexOf(state) + 1) % cycle.length];
};

/** Retries a step gets after its first failure. */
export const MAX_RETRIES = 3;

const reset = (type: WorkflowType, wf: WorkflowMetadata): void => {
  wf.current_state = CYCLE[type][0];
  delete wf.started;
  delete wf.retry;
  delete wf.pending;
};

/**
 * The cluster was unreachable or overloaded: stay in this state, leave the step's retry count
 * alone, and come back after an exponentially growing, jittered delay (persisted in the
 * metadata, so it becomes the job's due time). Explain tells it in the message; the failure
 * notification goes out once per outage, not on every attempt.
 */
const backOff = (ctx: StateContext): void => {
  const wf = ctx.workflow;
  const attempts = (wf.unavailable?.attempts ?? 0) + 1;
  const next = ctx.now() + backoffDelayMs(attempts);
  wf.unavailable = { attempts, next_attempt_time: next };
  const info = wf.latest_execution?.info;
  if (!info?.message) return;
  info.message += ` The cluster is unavailable (attempt ${attempts}); next attempt at ${new Date(next).toISOString()}.`;
  if (attempts === 1) {
    ctx.notify({
      condition: 'failure',
      subject: 'Snapshot Management - Snapshot Failure Notification',
      text: info.message,
    });
  }
};

/** Runs one workflow as far as it goes in this run; changes `ctx.workflow` in place. */
export const runWorkflow = async (ctx: StateContext): Promise<void> => {
  const wf = ctx.workflow;
  // A loop guard only: a full cycle has one non-continuous state, so a run never goes round twice.
  for (let steps = 0; steps < 8; steps++) {
    const next = successor(ctx.type, wf.current_state);
    const result = await STATES[next].execute(ctx);
    if (result.kind === 'unavailable') {
      backOff(ctx);
      return;
    }
    delete wf.unavailable; // the cluster answered
    if (result.kind === 'next') {
      wf.current_state = next;
      delete wf.retry;
      if (!STATES[next].continuous) return;
      continue;
    }
    if (result.kind === 'stay') {
      delete wf.retry;
      return;
    }
    const message = wf.latest_execution?.info?.message;
    if (result.forceReset) {
      reset(ctx.type, wf);
    } else if (!wf.retry) {
      wf.retry = { count: MAX_RETRIES };
    } else if (wf.retry.count - 1 <= 0) {
      // The last attempt's message and cause stay: they say why it failed.
      if (wf.latest_execution)
        wf.latest_execution = { ...wf.latest_execution, status: 'FAILED', end_time: ctx.now() };
      else setLatestExecution(ctx, 'FAILED', {}, ctx.now());
      reset(ctx.type, wf);
    } else {
      wf.retry = { count: wf.retry.count - 1 };
    }
    if (message !== undefined && wf.latest_execution?.status !== 'TIME_LIMIT_EXCEEDED') {
      ctx.notify({
        condition: 'failure',
        subject: 'Snapshot Management - Snapshot Failure Notification',
        text: message,
      });
    }
    return;
  }
};
