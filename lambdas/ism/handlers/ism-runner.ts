import { systemClock } from '../../shared/clock';
import { runDue } from '../../shared/jobs/run-due';
import { logger } from '../../shared/logger';
import { workerHandler } from '../../shared/worker';
import { rolloverService } from '../../rollover/deps';
import { clusterApi } from '../cluster-deps';
import { controlStore, ismSwitch, managedStore, optOutStore, policyStore } from '../managed-deps';
import { autoManage } from '../managed-index/templates';
import { allowListFromEnv } from '../policy/allow-list';
import { clusterIsRed } from '../runner/cluster-health';
import { ismNotifier } from '../runner/notify';
import { notifier } from '../../notifications/notifier';
import { ismRollupProgress, startIsmRollup } from '../../rollup/ism-rollup';
import { rollupService } from '../../rollup/deps';
import { ismWork } from '../runner/run-managed-index';

/** The ism-runner worker: every due managed index, one lease each (see runner/run-managed-index.ts). */
const minutes = Math.max(1, Number(process.env.ISM_JOB_INTERVAL_MINUTES ?? 5) || 5);
const jitter = Math.min(1, Math.max(0, Number(process.env.ISM_JITTER ?? 0.6)));

/** The summary of a run that ran nothing. */
const IDLE = { kind: 'ism', found: 0, ran: 0, failed: 0, skipped: 0, stale: 0, more: false, tookMs: 0 };

export const handler = workerHandler('ism-runner', async (invocation) => {
  if (!(await ismSwitch().enabled())) {
    return { ...IDLE, stopped: true };
  }
  const cluster = clusterApi();
  if (await clusterIsRed(cluster)) {
    logger.info('ism-runner skips this run: the cluster health is red');
    return { ...IDLE, clusterRed: true };
  }
  // New indices matching an ism_template become managed (and due) before the run; a copy
  // started by a fan-out leaves that to the run that started it.
  const autoManaged = invocation.fanOut.partition
    ? 0
    : await autoManage({
        cluster,
        policies: policyStore(),
        managed: managedStore(),
        optOut: optOutStore(),
        control: controlStore(),
        now: systemClock.now(),
      }).catch((error: unknown) => {
        logger.warn('ism_template discovery failed', { error: String(error) });
        return 0;
      });
  const summary = await runDue({
    store: managedStore(),
    clock: systemClock,
    owner: invocation.invocationId,
    budgetMs: invocation.budgetMs(),
    fanOut: invocation.fanOut,
    // Longer than the Lambda timeout: a live run never loses its lease.
    leaseMs: 6 * 60_000,
    work: ismWork({
      cluster,
      policies: policyStore(),
      notifier: ismNotifier(notifier()),
      rollups: {
        start: (index, rollup, now) => startIsmRollup(rollupService(), index, rollup, now),
        progress: (id) => ismRollupProgress(rollupService(), id),
      },
      // Through the control plane's rollover service: ISM rollovers get its history and hooks.
      rollover: (alias) => rolloverService().rollover({ alias, source: 'ism' }),
      jobIntervalMs: minutes * 60_000,
      jitter,
      allowList: allowListFromEnv(),
    }),
    onError: (id, error) => logger.warn('managed index run failed', { id, error: String(error) }),
  });
  return { ...summary, autoManaged };
});
