import type { SMMetadata, SMPolicy, WorkflowMetadata } from './policy/model';
import { nextFireTime } from './policy/schedule';

/**
 * The SM metadata of a policy (what explain shows), as the runner starts it: each workflow the
 * policy has sits in its `_START` state, triggered at the schedule's next fire time.
 */
export const startWorkflow = (
  state: 'CREATION_START' | 'DELETION_START',
  schedule: Parameters<typeof nextFireTime>[0],
  now: number,
): WorkflowMetadata => ({
  current_state: state,
  trigger: { time: nextFireTime(schedule, now) ?? Number.MAX_SAFE_INTEGER },
});

export const initialMetadata = (
  policy: SMPolicy,
  seqNo: number,
  primaryTerm: number,
  now: number,
): SMMetadata => ({
  name: policy.name,
  policy_seq_no: seqNo,
  policy_primary_term: primaryTerm,
  ...(policy.creation ? { creation: startWorkflow('CREATION_START', policy.creation.schedule, now) } : {}),
  ...(policy.deletion ? { deletion: startWorkflow('DELETION_START', policy.deletion.schedule, now) } : {}),
});

/**
 * The metadata of a policy that has none yet: the runner starts it afresh at the policy's first
 * job run, when the policy's own (interval) schedule next fires.
 */
export const awaitingMetadata = (policy: SMPolicy, seqNo: number, primaryTerm: number, now: number) => ({
  ...initialMetadata(policy, seqNo, primaryTerm, now),
  awaiting_first_run: true as const,
});

export const firstJobRun = (policy: SMPolicy, now: number): number =>
  nextFireTime(policy.schedule, now) ?? now;

/** How often a workflow that waits on the cluster (a snapshot in progress, a retry) is looked at again. */
export const POLL_INTERVAL_MS = 60_000;

/**
 * When the runner should next look at this policy: the earliest trigger, soon if anything is in
 * flight, or when a workflow backing off from an unavailable cluster tries again.
 */
export const nextRunAt = (metadata: SMMetadata, now: number): number => {
  const times: number[] = [];
  for (const wf of [metadata.creation, metadata.deletion]) {
    if (!wf) continue;
    const busy = wf.current_state !== 'CREATION_START' && wf.current_state !== 'DELETION_START';
    if (wf.unavailable) times.push(wf.unavailable.next_attempt_time);
    else times.push(busy || wf.retry || wf.pending ? now + POLL_INTERVAL_MS : wf.trigger.time);
  }
  return times.length === 0 ? now + POLL_INTERVAL_MS : Math.min(...times);
};

/** The explain view of one workflow: the plugin's fields, without our crash-safety bookkeeping. */
const explainWorkflow = (wf: WorkflowMetadata) => ({
  current_state: wf.current_state,
  trigger: wf.trigger,
  ...(wf.started && wf.started.length > 0 ? { started: wf.started } : {}),
  ...(wf.latest_execution
    ? {
        latest_execution: {
          status: wf.latest_execution.status,
          start_time: wf.latest_execution.start_time,
          end_time: wf.latest_execution.end_time ?? null,
          ...(wf.latest_execution.info &&
          (wf.latest_execution.info.message !== undefined || wf.latest_execution.info.cause !== undefined)
            ? { info: wf.latest_execution.info }
            : {}),
        },
      }
    : {}),
  ...(wf.retry ? { retry: wf.retry } : {}),
});

export const explainEntry = (name: string, enabled: boolean, metadata: SMMetadata | undefined) =>
  metadata && !metadata.awaiting_first_run
    ? {
        name,
        ...(metadata.deletion ? { deletion: explainWorkflow(metadata.deletion) } : {}),
        policy_seq_no: metadata.policy_seq_no,
        policy_primary_term: metadata.policy_primary_term,
        ...(metadata.creation ? { creation: explainWorkflow(metadata.creation) } : {}),
        enabled,
      }
    : { name, enabled };
