import { StaleJobError, type JobRecord } from '../shared/jobs/job-store';
import type { JobContext, JobFunction, JobOutcome } from '../shared/jobs/run-due';
import { bulkLines, parseMessage, pointerId, type DocumentOperation } from './message';
import type { Position, ShardState } from './model';
import type { ReadResult, ShardConsumer, StreamRecord } from './sources/source';

/**
 * The ingestion poller's work on one shard, under the shard's lease (run by `runDue`): read a
 * batch from the stream, index it with one `_bulk`, and checkpoint the position only after the
 * cluster acknowledged it. A crash between the two repeats the batch, which changes nothing a
 * user sees: ids are the message's or derived from its pointer, versions are external.
 *
 * DROP skips a bad message and counts it; BLOCK checkpoints the position *of* the bad message,
 * pauses the shard and records the error, so nothing behind it is lost and it is read again on
 * resume (or skipped by a resume with `reset_settings`).
 */
export interface BulkItemResult {
  readonly status: number;
  readonly errorType?: string;
  readonly reason?: string;
}

/** The cluster as the poller sees it. */
export interface IngestCluster {
  /** `_bulk` of NDJSON-able lines; one result per operation, in order. */
  bulk(lines: unknown[]): Promise<BulkItemResult[]>;
  indexExists(index: string): Promise<boolean>;
}

export interface PollerOptions {
  readonly cluster: IngestCluster;
  readonly consumer: (state: ShardState) => ShardConsumer;
  /**
   * How long one shard keeps polling an idle stream within an invocation (waiting
   * `poll.timeout` between empty reads) before it hands its lane back. 0: stop at the first
   * empty read (tests, and cheap idle deployments).
   */
  readonly lingerMs: number;
  /** Longest one shard runs in an invocation, so every shard gets a turn. */
  readonly maxRunMs: number;
  /**
   * Least time between two checkpoints, and between two looks for a rollover's handover, while
   * a shard keeps reading full batches (default 0: after every batch). A crash repeats at most
   * this much, which no user sees (ids and external versions make a repeat overwrite); a pause
   * or a rollover takes effect within it. The last batch of a run is always checkpointed.
   */
  readonly checkpointEveryMs?: number;
  /** Time kept back from the invocation's budget for the last checkpoint. */
  readonly marginMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called after the cluster acknowledged a batch and before the checkpoint (crash tests). */
  readonly afterBulk?: (state: ShardState) => void | Promise<void>;
  /**
   * The index a rollover is handing this index's stream to, if one is under way: checked
   * once per checkpoint interval, so that once it answers, nothing more is written to this
   * index after the next checkpoint (see handover.ts).
   */
  readonly handoverTarget?: (index: string) => Promise<string | undefined>;
  /**
   * The cluster acknowledged a batch but its checkpoint lost a race (a pause or resume wrote
   * the shard meanwhile): saves the acknowledged position into the shard as it is now, unless
   * someone moved the position, and gives the lease back (see IngestionService).
   */
  readonly keepAcknowledged?: (held: JobRecord<ShardState>, acknowledged: ShardState) => Promise<void>;
}

/** The worker's `checkpointEveryMs` (INGESTION_CHECKPOINT_MS overrides it). */
export const CHECKPOINT_EVERY_MS = 1_000;

/** How often a shard that handed its stream over at a rollover looks whether its index is gone. */
export const HANDED_OVER_RECHECK_MS = 60 * 60_000;

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Errors that say "not now" rather than "this message is bad": the batch is tried again later. */
const RETRYABLE = new Set([429, 500, 502, 503, 504]);

export class RetryLaterError extends Error {}

interface BatchOutcome {
  state: ShardState;
  /** The shard stopped under BLOCK, or on a write block. */
  stopped: boolean;
}

export const streamKey = (state: ShardState): string =>
  `${state.source.type}:${state.source.params.stream ?? state.source.params.topic ?? ''}`;

const processBatch = async (
  options: PollerOptions,
  state: ShardState,
  records: readonly StreamRecord[],
  next: Position,
): Promise<BatchOutcome> => {
  const block = state.source.errorStrategy === 'BLOCK';
  const key = streamKey(state);
  const ops: { op: DocumentOperation; record: StreamRecord }[] = [];
  const counts = { ...state.counts };
  let blockedAt: { record: StreamRecord; reason: string } | undefined;
  for (const record of records) {
    const parsed = parseMessage(record.payload, () => pointerId(key, state.shard, record.pointer));
    if (!parsed.ok) {
      if (block) {
        blockedAt = { record, reason: parsed.reason };
        break;
      }
      counts.dropped++;
    } else if ('op' in parsed) ops.push({ op: parsed.op, record });
  }

  let writeBlocked = false;
  if (ops.length > 0) {
    const results = await options.cluster.bulk(
      ops.flatMap(({ op }) => bulkLines(state.index, op, state.routing)),
    );
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      if (r.status < 300 || (r.status === 404 && ops[i].op.action === 'delete')) counts.processed++;
      else if (r.status === 409) counts.versionConflicts++;
      else if (r.errorType === 'cluster_block_exception') writeBlocked = true;
      else if (RETRYABLE.has(r.status))
        throw new RetryLaterError(`bulk item rejected: ${r.status} ${r.reason ?? ''}`);
      else if (block) {
        // Only messages before a malformed one were sent, so this one comes first.
        blockedAt = { record: ops[i].record, reason: `[${r.errorType}] ${r.reason ?? ''}`.trim() };
        break;
      } else counts.dropped++;
    }
  }
  await options.afterBulk?.(state);

  if (writeBlocked) {
    // Nothing moves until the block is lifted; the batch is read again then.
    return { state: { ...state, writeBlocked: true }, stopped: true };
  }
  if (blockedAt) {
    return {
      state: {
        ...state,
        counts,
        writeBlocked: false,
        position: { at: 'offset', value: blockedAt.record.pointer },
        paused: true,
        error: `message at ${blockedAt.record.pointer} failed: ${blockedAt.reason}`,
      },
      stopped: true,
    };
  }
  return { state: { ...state, counts, writeBlocked: false, position: next }, stopped: false };
};

export const pollShard =
  (options: PollerOptions): JobFunction<ShardState> =>
  async (ctx: JobContext<ShardState>): Promise<JobOutcome<ShardState> | 'delete'> => {
    const state = ctx.record.state;
    if (state.handover?.complete) {
      // Kept for the state API while the old index lives; gone with it.
      if (!(await options.cluster.indexExists(state.index))) return 'delete';
      return { state, dueAt: ctx.now() + HANDED_OVER_RECHECK_MS };
    }
    // Paused shards, and shards stopped for a rollover, are unscheduled; resume (or the
    // handover's end) schedules them again.
    if (state.paused || state.handover) return { state, dueAt: null };
    let current = state;
    try {
      return await run(options, ctx, (s) => (current = s));
    } catch (error) {
      if (error instanceof StaleJobError) throw error;
      // Told in the state API, not only in the logs; the position stays at the last batch the
      // cluster acknowledged, so the retry reads the unacknowledged one again.
      const lastError = `polling failed, retried shortly: ${(error as Error).message ?? String(error)}`;
      await ctx.checkpoint({ ...current, lastError }).catch(async (e: unknown) => {
        if (e instanceof StaleJobError)
          await options.keepAcknowledged?.(ctx.record, current).catch(() => undefined);
      });
      throw error;
    }
  };

const run = async (
  options: PollerOptions,
  ctx: JobContext<ShardState>,
  /** Told each state whose position the cluster acknowledged (or that was saved). */
  track: (state: ShardState) => void,
): Promise<JobOutcome<ShardState> | 'delete'> => {
  const sleep = options.sleep ?? defaultSleep;
  const margin = options.marginMs ?? 5_000;
  let state = ctx.record.state;
  const handingOver = async (): Promise<JobOutcome<ShardState> | undefined> => {
    const to = await options.handoverTarget?.(state.index);
    return to ? { state: { ...state, handover: { to, complete: false } }, dueAt: null } : undefined;
  };
  const consumer = options.consumer(state);
  // The next batch is read while the cluster indexes this one (the stream and the cluster
  // work in parallel); it is used only if it starts where the position now stands. Reads
  // have no side effect, so the first one starts at once, beside the two looks below.
  let prefetch: { from: string; read: Promise<ReadResult> } | undefined;
  const readAhead = (from: Position): void => {
    const read = consumer.read(from, state.source.maxBatchSize, state.source.pollTimeoutMs);
    read.catch(() => undefined);
    prefetch = { from: JSON.stringify(from), read };
  };
  if (state.position.at !== 'latest') readAhead(state.position);
  const [stop, exists] = await Promise.all([handingOver(), options.cluster.indexExists(state.index)]);
  // A read still under way is dropped (its failure, if any, is already caught).
  if (stop || !exists) return stop ?? 'delete';
  if (state.position.at === 'latest') {
    state = { ...state, position: await consumer.resolveLatest() };
    await ctx.checkpoint(state);
    track(state);
  }
  const started = ctx.now();
  let idleSince: number | undefined;
  const every = options.checkpointEveryMs ?? 0;
  let lookedAt = started;
  let savedAt = started;
  let unsaved = false;
  const save = async (): Promise<void> => {
    try {
      await ctx.checkpoint(state);
    } catch (error) {
      // Lost to a pause, a resume or a rollover's stop: the acknowledged position is kept all
      // the same, so that nothing the index holds lies behind it.
      if (error instanceof StaleJobError && options.keepAcknowledged) {
        await options.keepAcknowledged(ctx.record, state).catch(() => undefined);
      }
      throw error;
    }
    savedAt = ctx.now();
    unsaved = false;
  };
  /** Every way out saves what the cluster acknowledged first, through `save`. */
  const leave = async (outcome: JobOutcome<ShardState>): Promise<JobOutcome<ShardState>> => {
    await prefetch?.read.catch(() => undefined);
    if (unsaved) await save();
    return outcome;
  };
  for (;;) {
    if (ctx.remainingMs() < margin || ctx.now() - started >= options.maxRunMs) {
      return leave({ state, dueAt: ctx.now() });
    }
    if (ctx.now() - lookedAt >= every) {
      lookedAt = ctx.now();
      const handover = await handingOver();
      if (handover) return leave(handover);
    }
    const read =
      prefetch && prefetch.from === JSON.stringify(state.position)
        ? await prefetch.read
        : await consumer.read(state.position, state.source.maxBatchSize, state.source.pollTimeoutMs);
    prefetch = undefined;
    state = { ...state, polledAt: ctx.now() };
    if (read.records.length === 0) {
      state = { ...state, position: read.next, lastError: undefined };
      track(state);
      idleSince ??= ctx.now();
      if (ctx.now() - idleSince >= options.lingerMs) return leave({ state, dueAt: ctx.now() });
      // Caught up: what was read before is saved now, not after the linger.
      if (unsaved) await save();
      await sleep(Math.min(state.source.pollTimeoutMs, 1_000));
      continue;
    }
    idleSince = undefined;
    if (read.more) readAhead(read.next);
    const outcome = await processBatch(options, state, read.records, read.next);
    state = { ...outcome.state, lastError: undefined };
    track(state);
    unsaved = true;
    // A write block is retried on the next run; BLOCK waits for resume.
    if (outcome.stopped) return leave({ state, dueAt: state.paused ? null : ctx.now() });
    // Within the interval the next batch goes on: the next save, or the way out, covers it.
    if (read.more && ctx.now() - savedAt < every) continue;
    await save();
    if (!read.more && options.lingerMs === 0) return { state, dueAt: ctx.now() };
  }
};
