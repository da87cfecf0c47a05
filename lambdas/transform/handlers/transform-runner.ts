import { systemClock } from '../../shared/clock';
import { runDue } from '../../shared/jobs/run-due';
import { logger } from '../../shared/logger';
import { workerHandler } from '../../shared/worker';
import { clusterTransformService as transformService, transformCluster } from '../cluster-deps';
import { transformWork } from '../runner/runner';

/** The transform-runner worker: runs every due transform, a page at a time, checkpointed. */
export const handler = workerHandler('transform-runner', async (invocation) => {
  const service = transformService();
  return runDue({
    store: service.runs,
    clock: systemClock,
    work: transformWork({ service, cluster: transformCluster }),
    owner: invocation.invocationId,
    budgetMs: invocation.budgetMs(),
    fanOut: invocation.fanOut,
    // A job's lease outlives one page by far; pages checkpoint and extend it.
    leaseMs: 5 * 60_000,
    concurrency: 4,
    onError: (id, error) => logger.error('transform run failed', { id, error: error as Error }),
  });
});
