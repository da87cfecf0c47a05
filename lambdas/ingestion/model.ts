import { illegalArgument } from '../shared/errors';
import { storedSettings } from './settings-view';
import { parseKafkaParams } from './sources/kafka-config';

/**
 * The ingestion source of an index, as OpenSearch reads it from `index.ingestion_source.*`
 * (see sm-rollup-ingestion-reference.md §4.1), and the state we keep per ingesting shard.
 */
export const SOURCE_TYPES = ['file', 'kinesis', 'kafka'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];
export type ErrorPolicy = 'DROP' | 'BLOCK';
export type PollerState = 'NONE' | 'POLLING' | 'PROCESSING' | 'PAUSED' | 'CLOSED';

/**
 * Where a shard reads next. `offset` starts at the pointer (inclusive, as `reset_by_offset`
 * does); `after` continues behind a pointer already indexed (sources whose pointers cannot be
 * incremented, such as Kinesis sequence numbers).
 */
export type Position =
  | { readonly at: 'earliest' }
  | { readonly at: 'latest' }
  | { readonly at: 'offset'; readonly value: string }
  | { readonly at: 'after'; readonly value: string }
  | { readonly at: 'timestamp'; readonly value: number };

export interface IngestionSource {
  readonly type: SourceType;
  readonly pointerInitReset: Position;
  readonly errorStrategy: ErrorPolicy;
  readonly maxBatchSize: number;
  readonly pollTimeoutMs: number;
  /** `param.*`: stream-specific (file: stream, base_directory; kinesis: stream, region, ...). */
  readonly params: Readonly<Record<string, string>>;
  /**
   * The `index.ingestion_source.*` settings as the user gave them (keys without that prefix,
   * values as strings), shown back by GET _settings. Absent on items registered before.
   */
  readonly settings?: Readonly<Record<string, string | string[]>>;
}

export interface ShardCounts {
  /** Messages indexed (or deleted) on the cluster. */
  processed: number;
  /** Malformed messages or messages the cluster rejected, skipped under DROP. */
  dropped: number;
  /** Messages with an older or equal external version (or a `create` of an existing id). */
  versionConflicts: number;
}

/** One ingesting shard: the job-store item `<index>#<shard>` of kind `ingestion`. */
export interface ShardState {
  readonly index: string;
  readonly shard: number;
  readonly source: IngestionSource;
  /**
   * A `_routing` value that lands on index shard `shard`, so stream shard i feeds index shard i
   * as in OpenSearch (undefined for a one-shard index).
   */
  readonly routing?: string;
  /** Next read; saved only after the cluster acknowledged everything before it. */
  readonly position: Position;
  /** Paused by the API, or by an error under BLOCK. */
  readonly paused: boolean;
  /** Why the shard stopped under BLOCK (cleared by resume). */
  readonly error?: string;
  /** The cluster answered with a write block: nothing is indexed until it is lifted. */
  readonly writeBlocked?: boolean;
  /** Last time the poller read the stream for this shard (epoch ms). */
  readonly polledAt?: number;
  /**
   * The last run failed for a reason outside the stream's data (cluster unreachable, stream
   * service down); retried shortly, cleared by the next acknowledged batch.
   */
  readonly lastError?: string;
  /**
   * The index rolled over and this shard hands (pending) or handed (complete) its stream to the
   * same shard of `to`: it is not polled any more, its position is where `to` starts.
   */
  readonly handover?: { readonly to: string; readonly complete: boolean };
  /**
   * `index.uuid` of the cluster's index when it was registered: an index deleted and created
   * again under the same name behind our back is not this one (absent on older items).
   */
  readonly indexUuid?: string;
  /** This shard took over its stream from the same shard of that index at a rollover. */
  readonly takenOverFrom?: string;
  readonly counts: ShardCounts;
}

export const shardId = (index: string, shard: number): string => `${index}#${shard}`;
export const shardPrefix = (index: string): string => `${index}#`;

export const emptyCounts = (): ShardCounts => ({ processed: 0, dropped: 0, versionConflicts: 0 });

const PREFIX = 'index.ingestion_source.';

/** Flattens nested settings into OpenSearch's dotted keys, with the `index.` prefix added. */
export const flattenSettings = (settings: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  const walk = (value: unknown, key: string): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(v, key ? `${key}.${k}` : k);
    } else out[key.startsWith('index.') ? key : `index.${key}`] = value;
  };
  walk(settings, '');
  return out;
};

/** Whether create-index settings ask for pull-based ingestion. */
export const hasIngestionSource = (settings: unknown): boolean =>
  settings !== null &&
  typeof settings === 'object' &&
  Object.keys(flattenSettings(settings as Record<string, unknown>)).some((k) => k.startsWith(PREFIX));

/** Splits create-index settings into the cluster's part and the ingestion source. */
export const splitSettings = (
  settings: Record<string, unknown>,
): { cluster: Record<string, unknown>; ingestion: Record<string, unknown> } => {
  const cluster: Record<string, unknown> = {};
  const ingestion: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flattenSettings(settings))) {
    if (k.startsWith(PREFIX)) ingestion[k.slice(PREFIX.length)] = v;
    else cluster[k] = v;
  }
  return { cluster, ingestion };
};

const RESET_MODES: Record<string, Position['at']> = {
  earliest: 'earliest',
  latest: 'latest',
  reset_by_offset: 'offset',
  rewind_by_offset: 'offset',
  reset_by_timestamp: 'timestamp',
  rewind_by_timestamp: 'timestamp',
};

/** Settings OpenSearch knows for the consumer side that we accept and ignore (no threads here). */
const ACCEPTED = new Set([
  'type',
  'pointer.init.reset',
  'pointer.init.reset.value',
  'error_strategy',
  'poll.max_batch_size',
  'poll.timeout',
  'num_processor_threads',
  'internal_queue_size',
  'all_active',
  'pointer_based_lag_update_interval',
  'warmup.timeout',
  'warmup.lag_threshold',
  'mapper_type',
]);

const REQUIRED_PARAMS: Record<SourceType, string[]> = {
  file: ['stream', 'base_directory'],
  kinesis: ['stream'],
  kafka: ['topic', 'bootstrap_servers'],
};

const setting = (key: string): string => `${PREFIX}${key}`;

const positiveInt = (raw: unknown, key: string, fallback: number): number => {
  if (raw === undefined || raw === null) return fallback;
  const n = typeof raw === 'number' ? raw : Number(String(raw));
  if (!Number.isInteger(n) || n <= 0) {
    throw illegalArgument(
      `Failed to parse value [${String(raw)}] for setting [${setting(key)}] must be >= 1`,
    );
  }
  return n;
};

export const parseErrorPolicy = (raw: unknown): ErrorPolicy => {
  const v = String(raw ?? 'DROP').toUpperCase();
  if (v !== 'DROP' && v !== 'BLOCK') {
    throw illegalArgument(
      `Invalid value [${String(raw)}] for setting [${setting('error_strategy')}]: expected DROP or BLOCK`,
    );
  }
  return v;
};

/**
 * Reads the `index.ingestion_source.*` settings (keys without that prefix) as OpenSearch
 * validates them at index creation; the reason of each error names the setting to fix.
 */
export const parseIngestionSource = (raw: Record<string, unknown>): IngestionSource => {
  const type = raw.type;
  if (type === undefined || type === null || type === '') {
    throw illegalArgument(`setting [${setting('type')}] is required; one of ${SOURCE_TYPES.join(', ')}`);
  }
  if (!(SOURCE_TYPES as readonly string[]).includes(String(type))) {
    throw illegalArgument(
      `ingestion source type [${String(type)}] is not supported; use one of ${SOURCE_TYPES.join(', ')}`,
    );
  }
  const sourceType = String(type) as SourceType;
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith('param.')) params[k.slice('param.'.length)] = String(v);
    else if (!ACCEPTED.has(k)) throw illegalArgument(`unknown setting [${setting(k)}]`);
  }
  for (const p of REQUIRED_PARAMS[sourceType]) {
    if (!params[p])
      throw illegalArgument(`setting [${setting(`param.${p}`)}] is required for type [${sourceType}]`);
  }
  const resetRaw = String(raw['pointer.init.reset'] ?? 'earliest').toLowerCase();
  const at = RESET_MODES[resetRaw];
  if (!at) {
    throw illegalArgument(
      `Invalid value [${String(raw['pointer.init.reset'])}] for setting [${setting('pointer.init.reset')}]: expected one of ${Object.keys(RESET_MODES).join(', ')}`,
    );
  }
  const resetValue = raw['pointer.init.reset.value'];
  let pointerInitReset: Position;
  if (at === 'offset' || at === 'timestamp') {
    if (resetValue === undefined || resetValue === null || String(resetValue) === '') {
      throw illegalArgument(
        `setting [${setting('pointer.init.reset.value')}] is required with [${setting('pointer.init.reset')}] = ${resetRaw}`,
      );
    }
    if (at === 'timestamp') {
      const ms = Number(String(resetValue));
      if (!Number.isInteger(ms) || ms < 0) {
        throw illegalArgument(
          `setting [${setting('pointer.init.reset.value')}] must be epoch milliseconds for ${resetRaw}, got [${String(resetValue)}]`,
        );
      }
      pointerInitReset = { at, value: ms };
    } else pointerInitReset = { at, value: String(resetValue) };
  } else pointerInitReset = { at } as Position;
  if (sourceType === 'file' && at === 'offset' && !/^\d+$/.test(String(resetValue))) {
    throw illegalArgument(`a file offset is a line number; got [${String(resetValue)}]`);
  }
  if (sourceType === 'kafka') {
    if (at === 'offset' && !/^\d+$/.test(String(resetValue))) {
      throw illegalArgument(
        `a Kafka offset is a non-negative integer; got [${String(resetValue)}] for setting [${setting('pointer.init.reset.value')}]`,
      );
    }
    parseKafkaParams(params);
  }
  return {
    type: sourceType,
    pointerInitReset,
    errorStrategy: parseErrorPolicy(raw.error_strategy),
    maxBatchSize: positiveInt(raw['poll.max_batch_size'], 'poll.max_batch_size', 1000),
    pollTimeoutMs: positiveInt(raw['poll.timeout'], 'poll.timeout', 1000),
    params,
    settings: storedSettings(raw),
  };
};

/** `poller_state` as OpenSearch reports it, from what we know of the shard. */
export const pollerState = (state: ShardState): PollerState => {
  if (state.paused || state.writeBlocked || state.handover) return 'PAUSED';
  if (state.polledAt === undefined) return 'NONE';
  return 'POLLING';
};
