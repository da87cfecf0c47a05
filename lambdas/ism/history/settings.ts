import {
  ISM_HISTORY_ENABLED,
  ISM_HISTORY_MAX_AGE,
  ISM_HISTORY_MAX_DOCS,
  ISM_HISTORY_NUMBER_OF_REPLICAS,
  ISM_HISTORY_NUMBER_OF_SHARDS,
  ISM_HISTORY_RETENTION_PERIOD,
  ISM_HISTORY_ROLLOVER_CHECK_PERIOD,
  type PluginSettingsView,
} from '../../shared/plugin-settings';

/**
 * The plugin's `plugins.index_state_management.history.*` settings, from the environment the
 * stack gives the ism-runner (CDK context `ismHistory*`, see infra/config.ts). Defaults are the
 * plugin's.
 */
export interface HistorySettings {
  readonly enabled: boolean;
  /** Roll the history index over at this many documents... */
  readonly maxDocs: number;
  /** ...or at this age (ms). */
  readonly maxAgeMs: number;
  /** How often rollover and retention are checked (ms). */
  readonly checkPeriodMs: number;
  /** History indices older than this are deleted (ms), except the one being written. */
  readonly retentionMs: number;
  readonly shards: number;
  readonly replicas: number;
}

const HOUR = 3_600_000;

export const DEFAULT_HISTORY_SETTINGS: HistorySettings = {
  enabled: true,
  maxDocs: 2_500_000,
  maxAgeMs: 24 * HOUR,
  checkPeriodMs: 8 * HOUR,
  retentionMs: 30 * 24 * HOUR,
  shards: 1,
  replicas: 1,
};

const positive = (text: string | undefined, fallback: number, min = 1): number => {
  const n = Number(text);
  return text !== undefined && text.trim() !== '' && Number.isFinite(n) && n >= min ? n : fallback;
};

export const historySettingsFromEnv = (env: NodeJS.ProcessEnv = process.env): HistorySettings => {
  const d = DEFAULT_HISTORY_SETTINGS;
  return {
    enabled: env.ISM_HISTORY_ENABLED === undefined ? d.enabled : env.ISM_HISTORY_ENABLED !== 'false',
    maxDocs: positive(env.ISM_HISTORY_MAX_DOCS, d.maxDocs),
    maxAgeMs: positive(env.ISM_HISTORY_MAX_AGE_HOURS, d.maxAgeMs / HOUR) * HOUR,
    checkPeriodMs: positive(env.ISM_HISTORY_CHECK_HOURS, d.checkPeriodMs / HOUR) * HOUR,
    retentionMs: positive(env.ISM_HISTORY_RETENTION_DAYS, d.retentionMs / (24 * HOUR)) * 24 * HOUR,
    shards: positive(env.ISM_HISTORY_SHARDS, d.shards),
    replicas: positive(env.ISM_HISTORY_REPLICAS, d.replicas, 0),
  };
};

/** The history settings in force: the cluster settings' values (PUT _cluster/settings) over the environment's. */
export const historySettingsFrom = (settings: PluginSettingsView): HistorySettings => ({
  enabled: settings.get(ISM_HISTORY_ENABLED),
  maxDocs: settings.get(ISM_HISTORY_MAX_DOCS),
  maxAgeMs: settings.get(ISM_HISTORY_MAX_AGE),
  checkPeriodMs: settings.get(ISM_HISTORY_ROLLOVER_CHECK_PERIOD),
  retentionMs: settings.get(ISM_HISTORY_RETENTION_PERIOD),
  shards: settings.get(ISM_HISTORY_NUMBER_OF_SHARDS),
  replicas: settings.get(ISM_HISTORY_NUMBER_OF_REPLICAS),
});
