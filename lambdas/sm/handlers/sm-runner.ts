import { systemClock } from '../../shared/clock';
import { clusterClient } from '../../shared/cluster';
import { documentClient, tableName } from '../../shared/dynamo';
import { logger } from '../../shared/logger';
import { runDue } from '../../shared/jobs/run-due';
import { workerHandler } from '../../shared/worker';
import { notifier } from '../../notifications/notifier';
import { SMPolicyService } from '../policy-service';
import { smRunner } from '../runner/sm-runner';
import { ClusterSnapshots } from '../runner/snapshots';

/**
 * The sm-runner worker: every minute (EventBridge), runs the SM policies that are due: a
 * trigger time has come, or a snapshot or deletion is in flight, or a step is being retried.
 */
export const handler = workerHandler('sm-runner', async (invocation) => {
  const { policies, jobs } = SMPolicyService.stores(documentClient(), tableName());
  return runDue({
    store: jobs,
    clock: systemClock,
    owner: invocation.invocationId,
    budgetMs: invocation.budgetMs(),
    fanOut: invocation.fanOut,
    // The plugin holds its job lock for 30 minutes; a lost run is taken again after 5.
    leaseMs: 5 * 60_000,
    retryDelayMs: 60_000,
    work: smRunner({ policies, snapshots: new ClusterSnapshots(clusterClient), notifier: notifier() }),
    onError: (id, error) => logger.error(`SM policy [${id}] failed; retried in a minute`, error as Error),
  });
});
