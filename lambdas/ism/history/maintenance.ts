import type { Clock } from '../../shared/clock';
import type { JobStore } from '../../shared/jobs/job-store';
import { runDue } from '../../shared/jobs/run-due';
import type { IsmHistory } from './ism-history';
import type { HistorySettings } from './settings';

/**
 * History rollover and retention run every `checkPeriodMs` (the plugin's
 * `history.rollover_check_period`), as one job item of its own: the due index says when, and
 * its lease keeps two runners from doing it at once.
 */
export interface MaintenanceState {
  lastRun?: { at: number; rolledOver: boolean; deleted: string[] };
}

const ITEM = 'history';
let scheduled = false;

export const maintainHistory = async (
  store: JobStore<MaintenanceState>,
  history: IsmHistory,
  settings: HistorySettings,
  clock: Clock,
): Promise<MaintenanceState['lastRun'] | undefined> => {
  if (!scheduled) {
    // Due at once the first time; an existing item keeps its schedule.
    await store.create(ITEM, {}, clock.now());
    scheduled = true;
  }
  let lastRun: MaintenanceState['lastRun'];
  await runDue({
    store,
    clock,
    budgetMs: 60_000,
    leaseMs: 5 * 60_000,
    retryDelayMs: 15 * 60_000,
    work: async (ctx) => {
      lastRun = { at: ctx.now(), ...(await history.maintain()) };
      return { state: { lastRun }, dueAt: ctx.now() + settings.checkPeriodMs };
    },
  });
  return lastRun;
};
