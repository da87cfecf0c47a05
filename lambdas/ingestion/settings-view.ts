import type { IngestionSource, Position } from './model';

/**
 * `GET /<index>/_settings` for indices we ingest: the cluster never saw their
 * `index.ingestion_source.*` settings (create-index strips them), so they are added to the
 * cluster's answer as OpenSearch renders index settings (GetSettingsResponse): string values,
 * nested under `index` or flat with `flat_settings`, filtered by the `{name}` patterns, an index
 * whose filtered settings are empty left out unless `include_defaults` is set.
 */
export const INGESTION_PREFIX = 'index.ingestion_source.';

/** A setting's value as OpenSearch keeps it: a string, or a list of strings. */
export type SettingValue = string | string[];
export type FlatSettings = Record<string, SettingValue>;

/** The user's `index.ingestion_source.*` (keys without the prefix) as stored: strings, nulls dropped. */
export const storedSettings = (raw: Record<string, unknown>): Record<string, SettingValue> => {
  const out: Record<string, SettingValue> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === null || v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map((x) => String(x)) : String(v);
  }
  return out;
};

const RESET_NAMES: Record<Position['at'], string> = {
  earliest: 'earliest',
  latest: 'latest',
  offset: 'reset_by_offset',
  after: 'reset_by_offset',
  timestamp: 'reset_by_timestamp',
};

/**
 * The source's settings with the full `index.ingestion_source.` keys. Items registered before
 * the settings were kept have only the parsed source: its values stand in for what was set.
 */
export const ingestionSettings = (source: IngestionSource): FlatSettings => {
  let raw: Record<string, SettingValue> | undefined = source.settings;
  if (!raw) {
    const reset = source.pointerInitReset;
    raw = {
      type: source.type,
      'pointer.init.reset': RESET_NAMES[reset.at],
      ...('value' in reset ? { 'pointer.init.reset.value': String(reset.value) } : {}),
      error_strategy: source.errorStrategy,
      'poll.max_batch_size': String(source.maxBatchSize),
      'poll.timeout': String(source.pollTimeoutMs),
      ...Object.fromEntries(Object.entries(source.params).map(([k, v]) => [`param.${k}`, v])),
    };
  }
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [`${INGESTION_PREFIX}${k}`, v]));
};

/** OpenSearch's Regex.simpleMatch: `*` matches any run of characters, nothing else is special. */
export const simpleMatch = (pattern: string, value: string): boolean => {
  const re = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${re}$`).test(value);
};

/** The `{name}` path parameter: a comma list of patterns; none (or `_all`) means every setting. */
export const parseNames = (raw: string | undefined): string[] => {
  const names = (raw ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  return names.length === 1 && names[0] === '_all' ? [] : names;
};

export const matchesNames = (names: readonly string[], key: string): boolean =>
  names.length === 0 || names.some((n) => simpleMatch(n, key));

type Tree = Record<string, unknown>;

/**
 * Nests flat keys as OpenSearch's Settings.getAsStructuredMap does: keys in sorted order, and a
 * key that is both a value and a prefix (`pointer.init.reset` and `pointer.init.reset.value`)
 * keeps the rest dotted (`"reset": "...", "reset.value": "..."`).
 */
export const nestSettings = (flat: FlatSettings): Tree => {
  const map: Tree = {};
  const put = (m: Tree, prefix: string, setting: string, value: SettingValue): void => {
    const dot = setting.indexOf('.');
    if (dot === -1) {
      const inner = m[prefix + setting];
      if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) {
        for (const [k, v] of Object.entries(inner as Tree)) m[`${prefix}${setting}.${k}`] = v;
      }
      m[prefix + setting] = value;
      return;
    }
    const key = setting.slice(0, dot);
    const rest = setting.slice(dot + 1);
    const existing = m[prefix + key];
    if (existing === undefined) {
      const fresh: Tree = {};
      put(fresh, '', rest, value);
      m[prefix + key] = fresh;
    } else if (typeof existing === 'object' && !Array.isArray(existing)) {
      put(existing as Tree, '', rest, value);
    } else put(m, `${prefix}${key}.`, rest, value);
  };
  for (const key of Object.keys(flat).sort()) put(map, '', key, flat[key]);
  return map;
};

/** Flattens a nested settings subtree back to dotted keys (the inverse of {@link nestSettings}). */
export const flattenTree = (tree: Tree, prefix = ''): FlatSettings => {
  const out: FlatSettings = {};
  for (const [k, v] of Object.entries(tree)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      Object.assign(out, flattenTree(v as Tree, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v as SettingValue;
  }
  return out;
};

const isTree = (v: unknown): v is Tree => v !== null && typeof v === 'object' && !Array.isArray(v);

const sortKeys = (tree: Tree): Tree =>
  Object.fromEntries(
    Object.keys(tree)
      .sort()
      .map((k) => [k, tree[k]]),
  );

/** A registered index's settings, and its `index.uuid` when registered (older items have none). */
export interface Registered {
  readonly settings: FlatSettings;
  readonly uuid?: string;
}

export interface ViewOptions {
  readonly flat: boolean;
  readonly names: readonly string[];
  readonly includeDefaults: boolean;
  /**
   * A setting the request asked the cluster for beside the user's names, so that every index
   * comes back even when the names filter empties its settings; removed again here.
   */
  readonly probe?: string;
}

/** Removes `key` (a full dotted key) from a settings object in either rendering. */
const removeKey = (settings: Tree, key: string, flat: boolean): void => {
  if (flat) {
    delete settings[key];
    return;
  }
  const parts = key.split('.');
  const path: Tree[] = [settings];
  let node: Tree = settings;
  for (const p of parts.slice(0, -1)) {
    const next = node[p];
    if (!isTree(next)) return;
    path.push(next);
    node = next;
  }
  delete node[parts[parts.length - 1]];
  for (let i = path.length - 1; i > 0; i--) {
    if (Object.keys(path[i]).length === 0) delete path[i - 1][parts[i - 1]];
  }
};

/** Whether a settings object of the cluster's already holds `index.ingestion_source.*` (the cluster's own). */
const hasIngestionSettings = (settings: Tree, flat: boolean): boolean =>
  flat
    ? Object.keys(settings).some((k) => k.startsWith(INGESTION_PREFIX))
    : isTree(settings.index) && settings.index.ingestion_source !== undefined;

const dropFromDefaults = (defaults: Tree, given: FlatSettings, flat: boolean): void => {
  if (flat) {
    for (const k of Object.keys(given)) delete defaults[k];
    return;
  }
  const index = defaults.index;
  if (!isTree(index) || !isTree(index.ingestion_source)) return;
  const rest = Object.entries(flattenTree(index.ingestion_source, 'ingestion_source.')).filter(
    ([k]) => given[`index.${k}`] === undefined,
  );
  if (rest.length > 0) index.ingestion_source = nestSettings(Object.fromEntries(rest)).ingestion_source;
  else delete index.ingestion_source;
  if (Object.keys(index).length === 0) delete defaults.index;
};

/**
 * Adds each registered index's ingestion settings to the cluster's 200 answer of GET _settings
 * (`{<index>: {settings, defaults?}}`) and removes the probe setting. Indices not in `ours`
 * (or whose `index.uuid` is not the registered one) keep their entry as the cluster gave it
 * (except for the probe).
 */
export const addIngestionSettings = (
  answer: Record<string, unknown>,
  ours: ReadonlyMap<string, Registered>,
  options: ViewOptions,
): Record<string, unknown> => {
  const { flat, names, includeDefaults, probe } = options;
  const out: Record<string, unknown> = {};
  for (const [index, entry] of Object.entries(answer)) {
    if (!isTree(entry) || !isTree(entry.settings)) {
      out[index] = entry;
      continue;
    }
    const settings: Tree = structuredClone(entry.settings);
    const defaults: Tree | undefined = isTree(entry.defaults) ? structuredClone(entry.defaults) : undefined;
    const uuid = flat ? settings['index.uuid'] : isTree(settings.index) ? settings.index.uuid : undefined;
    if (probe && !matchesNames(names, probe)) removeKey(settings, probe, flat);
    const registered = ours.get(index);
    // Registered for an earlier index of that name (deleted and created again behind our back).
    const stale = registered?.uuid !== undefined && uuid !== undefined && uuid !== registered.uuid;
    const given = stale ? undefined : registered?.settings;
    if (given && !hasIngestionSettings(entry.settings, flat)) {
      const shown: FlatSettings = Object.fromEntries(
        Object.entries(given).filter(([k]) => matchesNames(names, k)),
      );
      if (Object.keys(shown).length > 0) {
        if (flat) Object.assign(settings, shown);
        else {
          const tree = nestSettings(
            Object.fromEntries(Object.entries(shown).map(([k, v]) => [k.slice('index.'.length), v])),
          );
          const indexTree = isTree(settings.index) ? settings.index : {};
          settings.index = sortKeys({ ...indexTree, ingestion_source: tree.ingestion_source });
        }
      }
      // A setting that is set is not a default (a 3.x cluster lists the ingestion defaults).
      if (defaults) dropFromDefaults(defaults, given, flat);
    }
    if (Object.keys(settings).length === 0 && !includeDefaults) continue;
    out[index] = {
      ...entry,
      settings: flat ? sortKeys(settings) : settings,
      ...(defaults ? { defaults } : {}),
    };
  }
  return out;
};
