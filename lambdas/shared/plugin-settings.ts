import { OpenSearchError, illegalArgument } from './errors';

/**
 * The index-management plugin's dynamic cluster settings (2.19: ManagedIndexSettings,
 * LegacyOpenDistroManagedIndexSettings, RollupSettings, LegacyOpenDistroRollupSettings,
 * TransformSettings, IndexManagementSettings, SnapshotManagementSettings), which a cluster
 * without the plugin refuses in `_cluster/settings`. We keep their values (see
 * plugin-settings-store.ts) and answer for them as the plugin's cluster does.
 *
 * A value is kept as OpenSearch keeps it: the text (or list of texts) the user sent. It is
 * parsed when written (to refuse what the plugin refuses, with OpenSearch's words) and when
 * read. A `plugins.*` setting with an `opendistro.*` twin falls back to the twin, as the plugin
 * declares it, so a value set under the old name still applies.
 *
 * Beside `persistent` and `transient`, the deployment's own values (CDK context, passed to the
 * functions as environment variables: {@link nodeSettingsFromEnv}) play the part of a node's
 * `opensearch.yml`: they apply while nothing is set, and `include_defaults` shows them.
 *
 *   const view = new PluginSettingsView({ persistent: { 'plugins.index_state_management.job_interval': '1' } });
 *   view.get(ISM_JOB_INTERVAL); // 1
 */
export type SettingValue = string | readonly string[];

export interface PluginSetting<T> {
  readonly key: string;
  /** The setting this one falls back to while unset (its `opendistro.*` twin). */
  readonly fallback?: PluginSetting<T>;
  /** The default's text, as `include_defaults` shows it (unused when there is a fallback). */
  readonly defaultValue: SettingValue;
  /** The value of a text, or OpenSearch's error for it. */
  readonly parse: (raw: SettingValue) => T;
  /** The deployment's value: an environment variable, as the setting's text. */
  readonly env?: { readonly name: string; readonly toRaw: (text: string) => SettingValue };
}

// ---- value parsers (org.opensearch.common.settings.Setting and friends) ---------------------

/** How a list shows where a single value is expected (Java's List.toString). */
const text = (raw: SettingValue): string => (typeof raw === 'string' ? raw : `[${raw.join(', ')}]`);

const numberFormat = (input: string): { type: string; reason: string } => ({
  type: 'number_format_exception',
  reason: `For input string: "${input}"`,
});

const failedToParse = (key: string, s: string, causedBy?: { type: string; reason: string }) =>
  new OpenSearchError(
    400,
    'illegal_argument_exception',
    `Failed to parse value [${s}] for setting [${key}]`,
    {},
    causedBy,
  );

const bool = (_key: string, raw: SettingValue): boolean => {
  const s = text(raw);
  if (s === 'true') return true;
  if (s === 'false') return false;
  throw illegalArgument(`Failed to parse value [${s}] as only [true] or [false] are allowed.`);
};

const INT_RANGE = { int: [-(2n ** 31n), 2n ** 31n - 1n], long: [-(2n ** 63n), 2n ** 63n - 1n] } as const;

/** Integer.parseInt / Long.parseLong, then the setting's bounds. */
const integer =
  (kind: 'int' | 'long', min?: number, max?: number) =>
  (key: string, raw: SettingValue): number => {
    const s = text(raw);
    const [lo, hi] = INT_RANGE[kind];
    if (!/^[+-]?\d+$/.test(s) || BigInt(s) < lo || BigInt(s) > hi) {
      throw failedToParse(key, s, numberFormat(s));
    }
    const n = Number(s);
    if (min !== undefined && n < min)
      throw illegalArgument(`Failed to parse value [${s}] for setting [${key}] must be >= ${min}`);
    if (max !== undefined && n > max)
      throw illegalArgument(`Failed to parse value [${s}] for setting [${key}] must be <= ${max}`);
    return n;
  };

/** Java's Double.toString of a bound: 0.0, 1.0. */
const javaDouble = (n: number): string => (Number.isInteger(n) ? `${n}.0` : String(n));

/** Double.parseDouble (which trims, and takes a trailing d or f), then the bounds. */
const double =
  (min: number, max: number) =>
  (key: string, raw: SettingValue): number => {
    const s = text(raw);
    const t = s.trim();
    const m = /^([+-]?)(NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)[fFdD]?$/.exec(t);
    if (!m)
      throw failedToParse(
        key,
        s,
        t === '' ? { type: 'number_format_exception', reason: 'empty String' } : numberFormat(t),
      );
    const d = Number(`${m[1]}${m[2]}`);
    if (d < min)
      throw illegalArgument(
        `Failed to parse value [${s}] for setting [${key}] must be >= ${javaDouble(min)}`,
      );
    if (d > max)
      throw illegalArgument(
        `Failed to parse value [${s}] for setting [${key}] must be <= ${javaDouble(max)}`,
      );
    return d;
  };

const NANOS: Record<string, number> = {
  nanos: 1,
  micros: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
  d: 86400e9,
};

/** TimeValue.parseTimeValue, in nanoseconds: `30s`, `5m`, `24h`, `-1`, `0`. */
const parseTimeNanos = (key: string, s: string): number => {
  const normalized = s.toLowerCase().trim();
  const unit =
    ['nanos', 'micros', 'ms', 's'].find((u) => normalized.endsWith(u)) ??
    (s.endsWith('m') ? 'm' : ['h', 'd'].find((u) => normalized.endsWith(u)));
  if (unit === undefined) {
    if (/^-0*1$/.test(normalized)) return -1e6;
    if (/^0+$/.test(normalized)) return 0;
    throw illegalArgument(
      `failed to parse setting [${key}] with value [${s}] as a time value: unit is missing or unrecognized`,
    );
  }
  const amount = normalized.slice(0, normalized.length - unit.length).trim();
  if (
    !/^[+-]?\d+$/.test(amount) ||
    BigInt(amount) > INT_RANGE.long[1] ||
    BigInt(amount) < INT_RANGE.long[0]
  ) {
    const fractional = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(amount);
    throw new OpenSearchError(
      400,
      'illegal_argument_exception',
      fractional
        ? `failed to parse [${s}], fractional time values are not supported`
        : `failed to parse [${s}]`,
      {},
      numberFormat(amount),
    );
  }
  const value = Number(amount);
  if (value < -1) {
    throw illegalArgument(
      `failed to parse setting [${key}] with value [${s}] as a time value: negative durations are not supported`,
    );
  }
  return value * NANOS[unit];
};

/** Setting.timeSetting with a minimum (`positiveTimeSetting`: 0ms); the value in milliseconds. */
const time =
  (min?: string) =>
  (key: string, raw: SettingValue): number => {
    const s = text(raw);
    const nanos = parseTimeNanos(key, s);
    if (min !== undefined && nanos < parseTimeNanos(key, min)) {
      throw illegalArgument(`failed to parse value [${s}] for setting [${key}], must be >= [${min}]`);
    }
    return nanos / 1e6;
  };

const string = (_key: string, raw: SettingValue): string => text(raw);

/** A list setting: a list as it is, a text split at commas (Settings.getAsList). */
const list = (_key: string, raw: SettingValue): string[] =>
  typeof raw === 'string'
    ? raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
    : [...raw];

// ---- the registry ---------------------------------------------------------------------------

type Parser<T> = (key: string, raw: SettingValue) => T;
type EnvSource = { readonly name: string; readonly toRaw?: (text: string) => SettingValue };

const all: PluginSetting<unknown>[] = [];

const define = <T>(
  key: string,
  parser: Parser<T>,
  defaultValue: SettingValue,
  options: { fallback?: PluginSetting<T>; env?: EnvSource } = {},
): PluginSetting<T> => {
  const setting: PluginSetting<T> = {
    key,
    fallback: options.fallback,
    defaultValue,
    parse: (raw) => parser(key, raw),
    env: options.env && { name: options.env.name, toRaw: options.env.toRaw ?? ((t) => t.trim()) },
  };
  all.push(setting as PluginSetting<unknown>);
  return setting;
};

/** A `plugins.<name>` setting that falls back to `opendistro.<name>` (same parser, the twin's default). */
const twin = <T>(
  name: string,
  parser: Parser<T>,
  defaultValue: SettingValue,
  env?: EnvSource,
): PluginSetting<T> => {
  const legacy = define(`opendistro.${name}`, parser, defaultValue);
  return define(`plugins.${name}`, parser, defaultValue, { fallback: legacy, env });
};

const ism = (name: string) => `index_state_management.${name}`;
const hours = (t: string): string => `${t.trim()}h`;
const days = (t: string): string => `${t.trim()}d`;

export const ISM_ENABLED = twin(ism('enabled'), bool, 'true');
export const ISM_ACTION_VALIDATION_ENABLED = define(
  `plugins.${ism('action_validation.enabled')}`,
  bool,
  'false',
);
export const ISM_METADATA_SERVICE_ENABLED = twin(ism('metadata_service.enabled'), bool, 'true');
export const ISM_METADATA_MIGRATION_STATUS = twin(ism('metadata_migration.status'), integer('int'), '0');
export const ISM_TEMPLATE_MIGRATION_CONTROL = twin(
  ism('template_migration.control'),
  integer('long', -2),
  '0',
);
/** Minutes between two runs of a managed index. */
export const ISM_JOB_INTERVAL = twin(ism('job_interval'), integer('int', 1), '5', {
  name: 'ISM_JOB_INTERVAL_MINUTES',
});
/** A run's random delay, as a fraction of the interval. */
export const ISM_JITTER = define(`plugins.${ism('jitter')}`, double(0, 1), '0.6', {
  env: { name: 'ISM_JITTER' },
});
export const ISM_SWEEP_PERIOD = twin(ism('coordinator.sweep_period'), time('5m'), '10m');
export const ISM_SWEEP_SKIP_PERIOD = define(`plugins.${ism('coordinator.sweep_skip_period')}`, time(), '5m');
export const ISM_COORDINATOR_BACKOFF_MILLIS = twin(ism('coordinator.backoff_millis'), time('0ms'), '50ms');
export const ISM_COORDINATOR_BACKOFF_COUNT = twin(ism('coordinator.backoff_count'), integer('int', 0), '2');
export const ISM_HISTORY_ENABLED = twin(ism('history.enabled'), bool, 'true', {
  name: 'ISM_HISTORY_ENABLED',
});
export const ISM_HISTORY_MAX_DOCS = twin(ism('history.max_docs'), integer('long', 0), '2500000', {
  name: 'ISM_HISTORY_MAX_DOCS',
});
export const ISM_HISTORY_MAX_AGE = twin(ism('history.max_age'), time('0ms'), '24h', {
  name: 'ISM_HISTORY_MAX_AGE_HOURS',
  toRaw: hours,
});
export const ISM_HISTORY_ROLLOVER_CHECK_PERIOD = twin(
  ism('history.rollover_check_period'),
  time('0ms'),
  '8h',
  {
    name: 'ISM_HISTORY_CHECK_HOURS',
    toRaw: hours,
  },
);
export const ISM_HISTORY_RETENTION_PERIOD = twin(
  ism('history.rollover_retention_period'),
  time('0ms'),
  '30d',
  {
    name: 'ISM_HISTORY_RETENTION_DAYS',
    toRaw: days,
  },
);
export const ISM_HISTORY_NUMBER_OF_SHARDS = twin(ism('history.number_of_shards'), integer('int'), '1', {
  name: 'ISM_HISTORY_SHARDS',
});
export const ISM_HISTORY_NUMBER_OF_REPLICAS = twin(ism('history.number_of_replicas'), integer('int'), '1', {
  name: 'ISM_HISTORY_REPLICAS',
});
/**
 * The 2.19 plugin's action types, in its parsers' order (its default: every type), then the
 * types this control plane serves beyond them (from later plugin versions).
 */
export const ISM_ACTION_TYPES_DEFAULT: readonly string[] = [
  'alias',
  'allocation',
  'close',
  'delete',
  'force_merge',
  'index_priority',
  'notification',
  'open',
  'read_only',
  'read_write',
  'replica_count',
  'rollup',
  'rollover',
  'shrink',
  'snapshot',
  'transform',
  'convert_index_to_remote',
  'stop_replication',
  'search_only',
];
export const ISM_ALLOW_LIST = twin(ism('allow_list'), list, ISM_ACTION_TYPES_DEFAULT, {
  name: 'ISM_ALLOW_LIST',
  toRaw: (t) => list('', t),
});
export const ISM_SNAPSHOT_DENY_LIST = twin(ism('snapshot.deny_list'), list, []);
export const ISM_RESTRICTED_INDEX_PATTERN = twin(
  ism('restricted_index_pattern'),
  string,
  '\\.opendistro_security|\\.kibana.*|\\.opendistro-ism-config',
);

export const ROLLUP_INGEST_BACKOFF_COUNT = twin('rollup.ingest.backoff_count', integer('int'), '5');
export const ROLLUP_INGEST_BACKOFF_MILLIS = twin('rollup.ingest.backoff_millis', time('0ms'), '1000ms');
export const ROLLUP_SEARCH_BACKOFF_COUNT = twin('rollup.search.backoff_count', integer('int'), '5');
export const ROLLUP_SEARCH_BACKOFF_MILLIS = twin('rollup.search.backoff_millis', time('0ms'), '1000ms');
export const ROLLUP_ENABLED = twin('rollup.enabled', bool, 'true');
export const ROLLUP_SEARCH_ENABLED = twin('rollup.search.enabled', bool, 'true', {
  name: 'ROLLUP_SEARCH_ENABLED',
});
export const ROLLUP_DASHBOARDS = twin('rollup.dashboards.enabled', bool, 'true');
export const ROLLUP_SEARCH_ALL_JOBS = define('plugins.rollup.search.search_all_jobs', bool, 'false', {
  env: { name: 'ROLLUP_SEARCH_ALL_JOBS' },
});
/** From the 3.x plugin: searches may mix rollup and plain indices. */
export const ROLLUP_SEARCH_SOURCE_INDICES = define(
  'plugins.rollup.search.search_source_indices',
  bool,
  'false',
  {
    env: { name: 'ROLLUP_SEARCH_SOURCE_INDICES' },
  },
);

export const TRANSFORM_SEARCH_BACKOFF_COUNT = define(
  'plugins.transform.internal.search.backoff_count',
  integer('int'),
  '5',
);
export const TRANSFORM_SEARCH_BACKOFF_MILLIS = define(
  'plugins.transform.internal.search.backoff_millis',
  time('0ms'),
  '1000ms',
);
export const TRANSFORM_INDEX_BACKOFF_COUNT = define(
  'plugins.transform.internal.index.backoff_count',
  integer('int'),
  '5',
);
export const TRANSFORM_INDEX_BACKOFF_MILLIS = define(
  'plugins.transform.internal.index.backoff_millis',
  time('0ms'),
  '1000ms',
);
export const TRANSFORM_CIRCUIT_BREAKER_ENABLED = define(
  'plugins.transform.circuit_breaker.enabled',
  bool,
  'true',
);
export const TRANSFORM_CIRCUIT_BREAKER_JVM_THRESHOLD = define(
  'plugins.transform.circuit_breaker.jvm.threshold',
  integer('int', 0, 100),
  '85',
);

export const FILTER_BY_BACKEND_ROLES = define(
  'plugins.index_management.filter_by_backend_roles',
  bool,
  'false',
);
export const SM_FILTER_BY_BACKEND_ROLES = define(
  'plugins.snapshot_management.filter_by_backend_roles',
  bool,
  'false',
);

/** Every setting we answer for, by key. */
export const PLUGIN_SETTINGS: ReadonlyMap<string, PluginSetting<unknown>> = new Map(
  all.map((s) => [s.key, s]),
);

export const isPluginSetting = (key: string): boolean => PLUGIN_SETTINGS.has(key);

// ---- values in force ------------------------------------------------------------------------

export type SettingsMap = Readonly<Record<string, SettingValue>>;

export interface SettingsLayers {
  readonly persistent?: SettingsMap;
  readonly transient?: SettingsMap;
  /** The deployment's values (see {@link nodeSettingsFromEnv}). */
  readonly node?: SettingsMap;
}

/** The deployment's values of the settings that have one, from the functions' environment. */
export const nodeSettingsFromEnv = (env: NodeJS.ProcessEnv = process.env): Record<string, SettingValue> => {
  const node: Record<string, SettingValue> = {};
  for (const s of PLUGIN_SETTINGS.values()) {
    const t = s.env && env[s.env.name];
    if (!s.env || t === undefined || t.trim() === '') continue;
    const raw = s.env.toRaw(t);
    try {
      s.parse(raw);
      node[s.key] = raw;
    } catch {
      // A deployment value the plugin would refuse is ignored (infra/config.ts validates them).
    }
  }
  return node;
};

/**
 * The values in force: transient over persistent over the deployment's, then the fallback's,
 * then the default, as Setting.get reads the cluster's merged settings.
 */
export class PluginSettingsView {
  constructor(private readonly layers: SettingsLayers) {}

  /** The setting's text in force, or undefined when only the default applies. */
  private explicit(setting: PluginSetting<unknown>): SettingValue | undefined {
    const { persistent = {}, transient = {}, node = {} } = this.layers;
    const own = transient[setting.key] ?? persistent[setting.key] ?? node[setting.key];
    if (own !== undefined) return own;
    return setting.fallback ? this.explicit(setting.fallback) : undefined;
  }

  /** The text in force, with defaults: what `include_defaults` shows of an unset setting. */
  raw(setting: PluginSetting<unknown>): SettingValue {
    return this.explicit(setting) ?? rootOf(setting).defaultValue;
  }

  get<T>(setting: PluginSetting<T>): T {
    try {
      return setting.parse(this.raw(setting));
    } catch {
      // A stored value that no longer parses (never written by us): the default applies.
      return setting.parse(rootOf(setting).defaultValue);
    }
  }

  /** Every setting not set in `persistent` or `transient`, with the value that applies to it. */
  defaults(): Record<string, SettingValue> {
    const { persistent = {}, transient = {} } = this.layers;
    const out: Record<string, SettingValue> = {};
    for (const s of PLUGIN_SETTINGS.values()) {
      if (!(s.key in persistent) && !(s.key in transient)) out[s.key] = this.raw(s);
    }
    return out;
  }
}

const rootOf = (setting: PluginSetting<unknown>): PluginSetting<unknown> =>
  setting.fallback ? rootOf(setting.fallback) : setting;
