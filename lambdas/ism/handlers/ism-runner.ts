import { systemClock } from '../../shared/clock';
import { runDue } from '../../shared/jobs/run-due';
import { logger } from '../../shared/logger';
import { workerHandler } from '../../shared/worker';
import { clusterApi } from '../cluster-deps';
import { ismRolloverPorts } from '../rollover-deps';
import { controlStore, historyStore, managedStore, optOutStore, policyStore } from '../managed-deps';
import { autoManage } from '../managed-index/templates';
import { allowListFromEnv } from '../policy/allow-list';
import { IsmHistory, withHistory } from '../history/ism-history';
import { maintainHistory } from '../history/maintenance';
import { historySettingsFrom } from '../history/settings';
import { ISM_ENABLED, ISM_JITTER, ISM_JOB_INTERVAL } from '../../shared/plugin-settings';
import { pluginSettings } from '../../shared/plugin-settings-store';
import { clusterIsRed } from '../runner/cluster-health';
import { ismNotifier } from '../runner/notify';
import { notifier } from '../../notifications/notifier';
import { ismRollupJobId, ismRollupProgress, startIsmRollup } from '../../rollup/ism-rollup';
import { rollupService } from '../../rollup/deps';
import { ismWork, stepsPerRunFromEnv } from '../runner/run-managed-index';

/**
 * The ism-runner worker: every due managed index, one lease each (see runner/run-managed-index.ts).
 * The plugin's cluster settings (enabled, job_interval, jitter, history.*) are read on each run.
 */
const historyFailed = (error: unknown): void =>
  logger.warn('ISM history could not be written', { error: String(error) });

/** The summary of a run that ran nothing. */
const IDLE = { kind: 'ism', found: 0, ran: 0, failed: 0, skipped: 0, stale: 0, more: false, tookMs: 0 };

export const handler = workerHandler('ism-runner', async (invocation) => {
  const settings = await pluginSettings();
  if (!settings.get(ISM_ENABLED)) {
    return { ...IDLE, stopped: true };
  }
  const historySettings = historySettingsFrom(settings);
  const cluster = clusterApi();
  const jobIntervalMs = settings.get(ISM_JOB_INTERVAL) * 60_000;
  const stepsPerRun = stepsPerRunFromEnv();
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
        // At the plugin's pace the new job's first run is one interval on, as its schedule's.
        firstRunDelayMs: stepsPerRun ? jobIntervalMs : 0,
      }).catch((error: unknown) => {
        logger.warn('ism_template discovery failed', { error: String(error) });
        return 0;
      });
  const history = new IsmHistory(cluster, historySettings, () => systemClock.now());
  const summary = await runDue({
    store: managedStore(),
    clock: systemClock,
    owner: invocation.invocationId,
    budgetMs: invocation.budgetMs(),
    fanOut: invocation.fanOut,
    // Longer than the Lambda timeout: a live run never loses its lease.
    leaseMs: 6 * 60_000,
    work: withHistory(
      ismWork({
        cluster,
        policies: policyStore(),
        notifier: ismNotifier(notifier()),
        rollups: {
          id: ismRollupJobId,
          start: (index, rollup, now) => startIsmRollup(rollupService(), index, rollup, now),
          progress: (id) => ismRollupProgress(rollupService(), id),
        },
        ...ismRolloverPorts(),
        jobIntervalMs,
        jitter: settings.get(ISM_JITTER),
        maxStepsPerRun: stepsPerRun,
        allowList: allowListFromEnv(),
      }),
      history,
      historyFailed,
    ),
    onError: (id, error) => logger.warn('managed index run failed', { id, error: String(error) }),
  });
  const historyWritten = await history.flush().catch((error: unknown) => {
    historyFailed(error);
    return 0;
  });
  // Rollover and retention of the history indices, when due (the run that started a fan-out).
  const historyMaintenance = invocation.fanOut.partition
    ? undefined
    : await maintainHistory(historyStore(), history, historySettings, systemClock).catch((error: unknown) => {
        logger.warn('ISM history rollover or retention failed', { error: String(error) });
        return undefined;
      });
  return { ...summary, autoManaged, historyWritten, ...(historyMaintenance ? { historyMaintenance } : {}) };
});
