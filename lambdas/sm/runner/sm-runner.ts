import { randomInt } from 'node:crypto';
import type { DocumentStore, StoredDocument } from '../../shared/document-store';
import { logger } from '../../shared/logger';
import { StaleJobError } from '../../shared/jobs/job-store';
import type { JobContext, JobFunction, JobOutcome } from '../../shared/jobs/run-due';
import type { NotificationMessage, NotificationTarget, DeliveryResult } from '../../notifications/notifier';
import { initialMetadata, nextRunAt, startWorkflow } from '../metadata';
import { policyDocId, type SMMetadata, type SMPolicy, type WorkflowType } from '../policy/model';
import { nextFireTime } from '../policy/schedule';
import type { SMEvent, StateContext } from './context';
import { runWorkflow } from './engine';
import type { SnapshotClient } from './snapshots';

/**
 * One run of one SM policy (the job function the sm-runner hands to runDue): load the policy,
 * bring the metadata up to date with it, run the creation workflow and then the deletion
 * workflow, save, then send the notifications the policy asks for. Knows nothing of Lambda.
 */
export interface SMNotifier {
  deliver(target: NotificationTarget, message: NotificationMessage): Promise<DeliveryResult>;
}

export interface SMRunnerDeps {
  readonly policies: Pick<DocumentStore<SMPolicy>, 'get'>;
  readonly snapshots: SnapshotClient;
  readonly notifier?: SMNotifier;
  /** The 8 random characters of snapshot names (injectable for tests). */
  readonly random?: () => string;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const randomSuffix = (): string =>
  Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

/**
 * A changed policy (higher seq_no or primary term): new trigger times from now, states kept;
 * a workflow the policy gained starts in its _START state, one it lost is dropped.
 */
export const syncWithPolicy = (
  metadata: SMMetadata,
  doc: StoredDocument<SMPolicy>,
  now: number,
): SMMetadata => {
  const changed = doc.seqNo > metadata.policy_seq_no || doc.primaryTerm > metadata.policy_primary_term;
  if (!changed) return metadata;
  const policy = doc.source;
  const next: SMMetadata = {
    name: metadata.name,
    policy_seq_no: doc.seqNo,
    policy_primary_term: doc.primaryTerm,
  };
  const sync = (type: WorkflowType, start: 'CREATION_START' | 'DELETION_START') => {
    const config = policy[type];
    if (!config) return undefined;
    const existing = metadata[type];
    if (!existing) return startWorkflow(start, config.schedule, now);
    return { ...existing, trigger: { time: nextFireTime(config.schedule, now) ?? Number.MAX_SAFE_INTEGER } };
  };
  const creation = sync('creation', 'CREATION_START');
  const deletion = sync('deletion', 'DELETION_START');
  if (creation) next.creation = creation;
  if (deletion) next.deletion = deletion;
  return next;
};

export const smRunner = (deps: SMRunnerDeps): JobFunction<SMMetadata> => {
  return async (job: JobContext<SMMetadata>) => {
    const name = job.record.id;
    const doc = await deps.policies.get(policyDocId(name));
    // The policy is gone: its metadata stays (as the plugin's document does), unscheduled.
    if (!doc) return { state: job.record.state, dueAt: null };
    const policy = doc.source;
    if (!policy.enabled) return { state: job.record.state, dueAt: null };

    // The policy's first job run starts its metadata afresh (SMRunner.initMetadata).
    const current = job.record.state.awaiting_first_run
      ? initialMetadata(policy, doc.seqNo, doc.primaryTerm, job.now())
      : syncWithPolicy(job.record.state, doc, job.now());
    // Work on a copy: a run that throws leaves the stored metadata (or the last checkpoint) as it was.
    const metadata: SMMetadata = structuredClone(current);
    const events: SMEvent[] = [];
    try {
      for (const type of ['creation', 'deletion'] as const) {
        const workflow = metadata[type];
        if (!workflow || !policy[type]) continue;
        // Backing off from an unavailable cluster (the policy may be due for its other workflow).
        if (workflow.unavailable && job.now() < workflow.unavailable.next_attempt_time) continue;
        const ctx: StateContext = {
          type,
          policy,
          metadata,
          workflow,
          snapshots: deps.snapshots,
          now: () => job.now(),
          checkpoint: async () => {
            await job.checkpoint(structuredClone(metadata));
          },
          notify: (event) => events.push(event),
          random: deps.random ?? randomSuffix,
        };
        await runWorkflow(ctx);
      }
    } catch (error) {
      if (error instanceof StaleJobError) throw error; // someone else changed the policy's metadata: not a failure
      logger.error(`SM policy [${name}] run failed`, error as Error);
      await sendAll(deps, policy, [
        {
          condition: 'failure',
          subject: 'Snapshot Management - Snapshot Failure Notification',
          text: `There was an exception at ${new Date(job.now()).toISOString()} while executing Snapshot Management policy ${name}, please check logs.`,
        },
      ]);
      throw error;
    }
    // Sent before runDue saves the outcome: a crash in between sends again on the next run
    // (at least once), which beats a notification that is never sent.
    await sendAll(deps, policy, events);
    const outcome: JobOutcome<SMMetadata> = { state: metadata, dueAt: nextRunAt(metadata, job.now()) };
    return outcome;
  };
};

const sendAll = async (deps: SMRunnerDeps, policy: SMPolicy, events: SMEvent[]): Promise<void> => {
  const notification = policy.notification;
  if (!notification || !deps.notifier) return;
  for (const event of events) {
    if (!notification.conditions[event.condition]) continue;
    const result = await deps.notifier.deliver(
      { channelId: notification.channel.id },
      { subject: event.subject, text: event.text },
    );
    if (!result.delivered) {
      logger.warn(`SM policy [${policy.name}]: notification not delivered`, { reason: result.reason });
    }
  }
};
