import { systemClock } from '../../shared/clock';
import { clusterClient } from '../../shared/cluster';
import { runDue } from '../../shared/jobs/run-due';
import { logger } from '../../shared/logger';
import { workerHandler } from '../../shared/worker';
import { rollupService } from '../deps';
import { rollupWork } from '../runner/runner';

/** The rollup-runner worker: runs every due rollup job, a page at a time, checkpointed. */
export const handler = workerHandler('rollup-runner', async (invocation) => {
  const service = rollupService();
  return runDue({
    store: service.runs,
    clock: systemClock,
    work: rollupWork({ service, client: clusterClient }),
    owner: invocation.invocationId,
    budgetMs: invocation.budgetMs(),
    fanOut: invocation.fanOut,
    // A job's lease outlives one page by far; pages checkpoint and extend it.
    leaseMs: 5 * 60_000,
    concurrency: 4,
    onError: (id, error) => logger.error('rollup job run failed', { id, error: error as Error }),
  });
});
