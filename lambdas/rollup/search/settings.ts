import {
  ROLLUP_SEARCH_ALL_JOBS,
  ROLLUP_SEARCH_ENABLED,
  ROLLUP_SEARCH_SOURCE_INDICES,
  type PluginSettingsView,
} from '../../shared/plugin-settings';

/**
 * The plugin's search-interceptor cluster settings (RollupSettings), set with
 * `PUT _cluster/settings` (kept by the control plane: lambdas/shared/plugin-settings.ts), over the
 * deployment's own values (CDK context `rollupSearch*`, see infra/config.ts, passed to the search
 * functions as ROLLUP_SEARCH_*; locally, set them before `npm start`). Read on every search (the
 * stored values at most a few seconds old), so a changed value applies to the next searches, as a
 * dynamic setting does. Defaults are the plugin's.
 *
 * - `plugins.rollup.search.enabled` (true): false leaves every search unrewritten.
 * - `plugins.rollup.search.search_all_jobs` (false): true accepts the documents of every job that
 *   can answer, instead of the one with the coarsest date histogram.
 * - `plugins.rollup.search.search_source_indices` (false): true lets a search mix rollup and plain
 *   indices instead of failing the rollup shards with `Not all indices have rollup job`.
 */
export interface RollupSearchSettings {
  readonly enabled: boolean;
  readonly allJobs: boolean;
  readonly sourceIndices: boolean;
}

export const DEFAULT_ROLLUP_SEARCH_SETTINGS: RollupSearchSettings = {
  enabled: true,
  allJobs: false,
  sourceIndices: false,
};

/** The environment variable of each setting. */
export const ROLLUP_SEARCH_ENV = {
  enabled: 'ROLLUP_SEARCH_ENABLED',
  allJobs: 'ROLLUP_SEARCH_ALL_JOBS',
  sourceIndices: 'ROLLUP_SEARCH_SOURCE_INDICES',
} as const satisfies Record<keyof RollupSearchSettings, string>;

/** OpenSearch booleans are `true` or `false` only; anything else keeps the default. */
const flag = (text: string | undefined, fallback: boolean): boolean => {
  const t = text?.trim();
  return t === 'true' ? true : t === 'false' ? false : fallback;
};

export const rollupSearchSettingsFromEnv = (env: NodeJS.ProcessEnv = process.env): RollupSearchSettings => {
  const d = DEFAULT_ROLLUP_SEARCH_SETTINGS;
  return {
    enabled: flag(env[ROLLUP_SEARCH_ENV.enabled], d.enabled),
    allJobs: flag(env[ROLLUP_SEARCH_ENV.allJobs], d.allJobs),
    sourceIndices: flag(env[ROLLUP_SEARCH_ENV.sourceIndices], d.sourceIndices),
  };
};

/** The settings in force (`PUT _cluster/settings` values over the environment's). */
export const rollupSearchSettingsFrom = (settings: PluginSettingsView): RollupSearchSettings => ({
  enabled: settings.get(ROLLUP_SEARCH_ENABLED),
  allJobs: settings.get(ROLLUP_SEARCH_ALL_JOBS),
  sourceIndices: settings.get(ROLLUP_SEARCH_SOURCE_INDICES),
});
