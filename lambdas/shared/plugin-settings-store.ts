import { isDeepStrictEqual } from 'node:util';
import { documentClient, tableName } from './dynamo';
import { JobStore, StaleJobError } from './jobs/job-store';
import { PluginSettingsView, nodeSettingsFromEnv, type SettingValue } from './plugin-settings';

/**
 * The persistent and transient values of the plugin's cluster settings (plugin-settings.ts), in
 * one DynamoDB item written with a condition on its revision: concurrent updates are applied one
 * after the other (a lost race reads again and re-applies its update), so none is lost.
 *
 * Transient values are kept like persistent ones: there is no full-cluster restart to clear them.
 *
 *   await pluginSettingsStore().update({ persistent: { 'plugins.index_state_management.job_interval': '1' }, transient: {} });
 *   (await pluginSettings()).get(ISM_JOB_INTERVAL); // 1
 */
export interface StoredSettings {
  readonly persistent: Readonly<Record<string, SettingValue>>;
  readonly transient: Readonly<Record<string, SettingValue>>;
}

/** Per section: a value sets the key; null resets it (a key ending in `*` resets every key it matches). */
export interface SettingsUpdate {
  readonly persistent: Readonly<Record<string, SettingValue | null>>;
  readonly transient: Readonly<Record<string, SettingValue | null>>;
}

const EMPTY: StoredSettings = { persistent: {}, transient: {} };
const ID = 'plugin';

/** OpenSearch's Regex.simpleMatch: `*` matches any run of characters. */
const matches = (pattern: string, key: string): boolean =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(key);

/** One section updated as AbstractScopedSettings.updateSettings does: values first, then resets. */
const applySection = (
  current: Readonly<Record<string, SettingValue>>,
  changes: Readonly<Record<string, SettingValue | null>>,
): Record<string, SettingValue> => {
  const next: Record<string, SettingValue> = { ...current };
  const resets: string[] = [];
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) resets.push(key);
    else next[key] = value;
  }
  for (const reset of resets) {
    for (const key of Object.keys(next)) {
      if (key === reset || (reset.endsWith('*') && matches(reset, key))) delete next[key];
    }
  }
  return next;
};

export const applyUpdate = (current: StoredSettings, update: SettingsUpdate): StoredSettings => ({
  persistent: applySection(current.persistent, update.persistent),
  transient: applySection(current.transient, update.transient),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class PluginSettingsStore {
  constructor(
    private readonly items: JobStore<StoredSettings>,
    /** Called with the values after each update (see {@link rememberSettings}). */
    private readonly onWrite: (values: StoredSettings) => void = () => undefined,
    /** Lost races an update retries before it gives up (each retry waits a little longer). */
    private readonly attempts = 50,
  ) {}

  async read(): Promise<StoredSettings> {
    return (await this.items.get(ID))?.state ?? EMPTY;
  }

  /** Applies the update to the latest values; returns the values after it. */
  async update(update: SettingsUpdate): Promise<StoredSettings> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.items.get(ID);
      const next = applyUpdate(current?.state ?? EMPTY, update);
      // Setting what is already set writes nothing: concurrent identical updates (a switch
      // turned by many callers at once) all succeed at once instead of racing each other.
      if (isDeepStrictEqual(next, current?.state ?? EMPTY)) {
        this.onWrite(next);
        return next;
      }
      try {
        const written = !current
          ? (await this.items.create(ID, next, null)) && next
          : (await this.items.update(ID, current.rev, next, null)).state;
        if (written) {
          this.onWrite(written);
          return written;
        }
      } catch (e) {
        if (!(e instanceof StaleJobError)) throw e;
      }
      if (attempt >= this.attempts)
        throw new Error(`cluster settings: ${attempt} updates in a row lost a race`);
      await sleep(Math.random() * Math.min(200, 5 * attempt));
    }
  }
}

/** The store of this deployment; what an update writes applies to this container at once. */
export const pluginSettingsStore = (): PluginSettingsStore =>
  new PluginSettingsStore(
    new JobStore<StoredSettings>(documentClient(), tableName(), 'cluster-settings'),
    (values) => rememberSettings(values),
  );

/** How long a container reuses the values it read: the delay before a change reaches every function. */
export const SETTINGS_CACHE_MS = 5_000;

let cached: { table: string; at: number; values: StoredSettings } | undefined;

/** Remembers values just written or read (an update made here applies here at once). */
export const rememberSettings = (values: StoredSettings, now = Date.now()): void => {
  cached = { table: tableName(), at: now, values };
};

/**
 * The settings in force: the stored values (read again after {@link SETTINGS_CACHE_MS}, or at once
 * with `maxAgeMs: 0`) over the deployment's own (environment, read on each call).
 */
export const pluginSettings = async (options: { maxAgeMs?: number } = {}): Promise<PluginSettingsView> => {
  const maxAgeMs = options.maxAgeMs ?? SETTINGS_CACHE_MS;
  const now = Date.now();
  let values = cached?.table === tableName() && now - cached.at < maxAgeMs ? cached.values : undefined;
  if (!values) {
    values = await pluginSettingsStore().read();
    rememberSettings(values, now);
  }
  return new PluginSettingsView({ ...values, node: nodeSettingsFromEnv() });
};
