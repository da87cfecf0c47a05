import type { Clock } from '../shared/clock';
import { OpenSearchError, illegalArgument } from '../shared/errors';
import { StaleJobError, type JobRecord, type JobStore, type Schedule } from '../shared/jobs/job-store';
import type { JobContext } from '../shared/jobs/run-due';
import { emptyCounts, flattenSettings, shardId, shardPrefix, type Position, type ShardState } from './model';
import { HANDED_OVER_RECHECK_MS, pollShard, type PollerOptions } from './poller';

/**
 * Rollover of an ingesting index (OpenSearch itself cannot do it): the new index takes over the
 * stream at exactly the position where the old one stopped, shard i for shard i.
 *
 * 1. Before the cluster rolls over, a marker for the old index is written; the poller checks it
 *    at every checkpoint (`checkpointEveryMs`), so once it is there a shard's batches up to its
 *    next checkpoint are the last ones written to the old index. Each old shard is then stopped where it stands (`handover` pending,
 *    unscheduled): idle shards at once, a shard being polled once its poller has checkpointed
 *    and let go, a shard whose last run died without a checkpoint after reading on to the end of
 *    the stream (re-reading is idempotent), so nothing the old index holds lies behind its
 *    recorded position.
 * 2. After the rollover, the new index's shards are registered at those positions with the old
 *    one's source (a repeat finds them and changes nothing), then the old shards are marked
 *    handed over and the marker goes. A rollover that did not happen un-stops the old shards.
 * 3. If the caller dies in between, the marker stays: the poller's worker finishes the handover
 *    when the cluster (or our rollover history) shows the rollover, and undoes it when it did
 *    not happen within `graceMs`.
 */
export interface HandoverMarker {
  readonly oldIndex: string;
  readonly alias: string;
  /** The name the rollover was expected to give the new index. */
  readonly newIndex: string;
  /** Epoch ms the handover started. */
  readonly since: number;
}

export interface HandoverMarkers {
  put(marker: HandoverMarker): Promise<void>;
  get(oldIndex: string): Promise<HandoverMarker | undefined>;
  delete(oldIndex: string): Promise<void>;
  list(): Promise<HandoverMarker[]>;
}

export interface HandoverCluster {
  /** The index's number of shards; undefined when it does not exist. */
  shardCount(index: string): Promise<number | undefined>;
  /** One `_routing` value per shard of the index (see IngestionClusterAdapter.shardRoutings). */
  shardRoutings(index: string, shards: number): Promise<(string | undefined)[]>;
  /** Whether the cluster recorded `index` rolling over for `alias` (its `rollover_info`). */
  rolledOver(index: string, alias: string): Promise<boolean>;
  /** The alias's write index, if it has one. */
  writeIndex(alias: string): Promise<string | undefined>;
}

export interface HandoverOptions {
  readonly store: JobStore<ShardState>;
  readonly markers: HandoverMarkers;
  readonly cluster: HandoverCluster;
  /** The new index our rollover history recorded for `index` rolling over `alias`. */
  readonly recordedNewIndex: (index: string, alias: string) => Promise<string | undefined>;
  /** What the poller uses (cluster, consumers): to finish a shard whose last run died. */
  readonly poller: Pick<PollerOptions, 'cluster' | 'consumer'>;
  readonly clock: Clock;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Longest wait for the shards to stop before the rollover is refused. */
  readonly waitMs?: number;
  /** Age after which a handover whose rollover did not happen is undone. */
  readonly graceMs?: number;
  /** Lease owner for shards the handover finishes itself. */
  readonly owner?: string;
}

export interface ResolveSummary {
  readonly completed: string[];
  readonly undone: string[];
}

const busy = (reason: string): OpenSearchError =>
  new OpenSearchError(429, 'rejected_execution_exception', reason);

/** A rollover refused by a hook, or by the cluster: it did not happen. */
const definitelyNotRolled = (error: unknown): boolean =>
  error === undefined || error instanceof OpenSearchError || (error as Error)?.name === 'RolloverRejected';

export class IngestionHandover {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly waitMs: number;
  private readonly graceMs: number;

  constructor(private readonly o: HandoverOptions) {
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.waitMs = o.waitMs ?? 10_000;
    this.graceMs = o.graceMs ?? 5 * 60_000;
  }

  /** For the poller: the index a handover of `index` goes to, while one is under way. */
  async target(index: string): Promise<string | undefined> {
    return (await this.o.markers.get(index))?.newIndex;
  }

  private async shards(index: string): Promise<JobRecord<ShardState>[]> {
    return (await this.o.store.list(shardPrefix(index))).sort((a, b) => a.state.shard - b.state.shard);
  }

  /**
   * Before the cluster rolls `oldIndex` over: refuses requests that would break the shard
   * mapping, then stops every shard. Nothing to do for an index that does not ingest.
   * @throws OpenSearchError 400 for such a request, 429 when a shard does not stop in time
   */
  async prepare(alias: string, oldIndex: string, newIndex: string, body: string | undefined): Promise<void> {
    const shards = await this.shards(oldIndex);
    if (shards.length === 0 || shards.every((s) => s.state.handover?.complete)) return;
    checkRolloverBody(body, shards.length);
    await this.o.markers.put({ oldIndex, alias, newIndex, since: this.o.clock.now() });
    await this.stopAll(oldIndex, newIndex);
  }

  /** After the cluster answered a rollover (see RolloverHook.afterRollover). */
  async finish(
    alias: string,
    oldIndex: string,
    outcome: { rolledOver: boolean; newIndex?: string; error?: unknown },
  ): Promise<void> {
    if (outcome.rolledOver && outcome.newIndex) {
      const shards = await this.shards(oldIndex);
      if (shards.length === 0 || shards.every((s) => s.state.handover?.complete)) return;
      await this.complete(alias, oldIndex, outcome.newIndex);
    } else if (definitelyNotRolled(outcome.error)) {
      if (await this.o.markers.get(oldIndex)) await this.undo(oldIndex);
    }
    // Otherwise the answer was lost and the rollover may have happened: the marker stays and
    // resolvePending() decides from what the cluster shows.
  }

  /** Finishes or undoes handovers whose rollover call did not see them through (crashes). */
  async resolvePending(): Promise<ResolveSummary> {
    const summary: ResolveSummary = { completed: [], undone: [] };
    for (const marker of await this.o.markers.list()) {
      const newIndex = await this.rolledTo(marker);
      if (newIndex) {
        await this.complete(marker.alias, marker.oldIndex, newIndex);
        summary.completed.push(marker.oldIndex);
      } else if (this.o.clock.now() - marker.since > this.graceMs) {
        await this.undo(marker.oldIndex);
        summary.undone.push(marker.oldIndex);
      }
    }
    return summary;
  }

  private async rolledTo(marker: HandoverMarker): Promise<string | undefined> {
    const recorded = await this.o.recordedNewIndex(marker.oldIndex, marker.alias);
    if (recorded) return recorded;
    if (!(await this.o.cluster.rolledOver(marker.oldIndex, marker.alias))) return undefined;
    // Rolled over but not recorded (the caller died right after the cluster's answer): the
    // name the dry run gave, or else the alias's write index now.
    if ((await this.o.cluster.shardCount(marker.newIndex)) !== undefined) return marker.newIndex;
    return this.o.cluster.writeIndex(marker.alias);
  }

  /**
   * Registers the new index's shards where the old ones stopped, then marks the old ones
   * handed over. Every step is safe to repeat.
   */
  private async complete(alias: string, oldIndex: string, newIndex: string): Promise<void> {
    const now = this.o.clock.now();
    if (!(await this.o.markers.get(oldIndex))) {
      // A rollover that the dry run did not announce (a condition became true meanwhile):
      // the old shards were never stopped. From here on a crash is picked up again.
      await this.o.markers.put({ oldIndex, alias, newIndex, since: now });
    }
    await this.stopAll(oldIndex, newIndex);
    const olds = await this.shards(oldIndex);
    const count = await this.o.cluster.shardCount(newIndex);
    if (count === undefined || olds.length === 0) {
      // The new index is gone already: the old one keeps its stream.
      await this.undo(oldIndex);
      return;
    }
    const routings = await this.o.cluster.shardRoutings(newIndex, count);
    const source = olds[0].state.source;
    for (let shard = 0; shard < count; shard++) {
      const from = olds.find((r) => r.state.shard === shard)?.state;
      const state: ShardState = {
        index: newIndex,
        shard,
        source: from?.source ?? source,
        routing: routings[shard],
        // Stream shards the old index did not read (it had fewer shards) start as a new index's.
        position: from?.position ?? source.pointerInitReset,
        paused: from?.paused ?? false,
        ...(from?.error ? { error: from.error } : {}),
        takenOverFrom: oldIndex,
        counts: emptyCounts(),
      };
      const id = shardId(newIndex, shard);
      const existing = await this.o.store.get(id);
      // Already taken over (a repeat): its position has moved on since, so it stays as it is.
      if (existing?.state.takenOverFrom === oldIndex) continue;
      if (existing) await this.o.store.delete(id); // left by an earlier index of that name
      await this.o.store.create(id, state, state.paused ? null : now);
    }
    for (const old of olds) {
      // Old shards without a counterpart (a new index with fewer shards) keep their stream.
      await this.mutate(old.id, (s) =>
        s.shard < count
          ? {
              state: { ...s, handover: { to: newIndex, complete: true } },
              // It only looks, now and then, whether the old index was deleted (see pollShard).
              dueAt: this.o.clock.now() + HANDED_OVER_RECHECK_MS,
            }
          : { state: { ...s, handover: undefined }, dueAt: s.paused ? null : this.o.clock.now() },
      );
    }
    await this.o.markers.delete(oldIndex);
  }

  /**
   * The rollover did not happen: the old index goes on ingesting where it stopped.
   *
   * A poller that read the marker just before it went stops its shard when its batch is done,
   * after the first pass; so once the marker is gone and every poller that may have seen it has
   * let go, the shards are let go again. (With the marker gone, no poller stops a shard anew.)
   */
  private async undo(oldIndex: string): Promise<void> {
    await this.unstop(oldIndex);
    await this.o.markers.delete(oldIndex);
    const deadline = this.o.clock.now() + this.waitMs;
    for (const old of await this.shards(oldIndex)) await this.waitForPoller(old.id, deadline);
    await this.unstop(oldIndex);
  }

  private async unstop(oldIndex: string): Promise<void> {
    for (const old of await this.shards(oldIndex)) {
      if (!old.state.handover || old.state.handover.complete) continue;
      await this.mutate(old.id, (s, dueAt) =>
        s.handover && !s.handover.complete
          ? { state: { ...s, handover: undefined }, dueAt: s.paused ? null : this.o.clock.now() }
          : { state: s, dueAt },
      );
    }
  }

  /** Waits (until `deadline`) for the poller holding the shard's lease, if any, to let go. */
  private async waitForPoller(id: string, deadline: number): Promise<void> {
    for (;;) {
      const record = await this.o.store.get(id);
      const now = this.o.clock.now();
      if (!record?.leaseOwner || (record.leaseUntil ?? 0) < now || now > deadline) return;
      await this.sleep(200);
    }
  }

  private async stopAll(oldIndex: string, newIndex: string): Promise<void> {
    const deadline = this.o.clock.now() + this.waitMs;
    const shards = await this.shards(oldIndex);
    // Every stop ends before this returns, refused or not: one still waiting in the background
    // would stop its shard after an undo had let the others go on.
    const results = await Promise.allSettled(shards.map((s) => this.stop(s.id, newIndex, deadline)));
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (refused) throw refused.reason;
  }

  /** Stops one shard where it stands (see the class comment). */
  private async stop(id: string, to: string, deadline: number): Promise<void> {
    for (;;) {
      const record = await this.o.store.get(id);
      if (!record || record.state.handover?.complete) return;
      const s = record.state;
      const now = this.o.clock.now();
      const leased = record.leaseOwner !== undefined;
      const live = leased && (record.leaseUntil ?? 0) >= now;
      if (live) {
        // A poller is on it: it stops before its next batch and lets go.
        if (now > deadline) {
          throw busy(
            `rollover refused: shard [${s.shard}] of ingesting index [${s.index}] is still being polled; retry the rollover`,
          );
        }
        await this.sleep(200);
        continue;
      }
      try {
        if (leased && !s.paused && !s.handover) {
          await this.finishDeadRun(record, to, deadline);
          return;
        }
        if (s.handover?.to === to) return;
        const position = s.position.at === 'latest' ? await this.pin(s) : s.position;
        await this.o.store.update(
          id,
          record.rev,
          { ...s, position, handover: { to, complete: false } },
          null,
        );
        return;
      } catch (e) {
        if (!(e instanceof StaleJobError)) throw e;
      }
    }
  }

  /** `latest` is where the stream ends now: the new index must not skip what comes meanwhile. */
  private async pin(s: ShardState): Promise<Position> {
    const consumer = this.o.poller.consumer(s);
    try {
      return await consumer.resolveLatest();
    } finally {
      await consumer.close().catch(() => undefined);
    }
  }

  /**
   * A run that died after a `_bulk` but before its checkpoint may have put records behind the
   * recorded position into the old index. Reading on into the old index until the stream has
   * nothing more (idempotent for what is there) moves the position past them.
   */
  private async finishDeadRun(record: JobRecord<ShardState>, to: string, deadline: number): Promise<void> {
    const owner = this.o.owner ?? 'ingestion-handover';
    let held = await this.o.store.lease(
      record.id,
      owner,
      this.o.clock.now(),
      Math.max(deadline - this.o.clock.now(), 1_000) + 60_000,
    );
    if (!held) throw new StaleJobError(this.o.store.kind, record.id);
    const ctx: JobContext<ShardState> = {
      get record() {
        return held as JobRecord<ShardState>;
      },
      now: () => this.o.clock.now(),
      remainingMs: () => deadline - this.o.clock.now(),
      checkpoint: async (state: ShardState, dueAt?: Schedule) => {
        const current = held as JobRecord<ShardState>;
        held = await this.o.store.save(
          current,
          state,
          dueAt === undefined ? (current.dueAt ?? null) : dueAt,
          deadline + 60_000,
        );
        return held;
      },
    };
    const consumer = this.o.poller.consumer(record.state);
    let outcome;
    try {
      outcome = await pollShard({
        ...this.o.poller,
        consumer: () => consumer,
        lingerMs: 0,
        maxRunMs: Number.MAX_SAFE_INTEGER,
        marginMs: 0,
      })(ctx);
    } finally {
      await consumer.close().catch(() => undefined);
    }
    if (outcome === 'delete') {
      await this.o.store.deleteIf(held.id, held.rev);
      return;
    }
    if (this.o.clock.now() >= deadline) {
      await this.o.store.save(held, outcome.state, this.o.clock.now());
      throw busy(
        `rollover refused: shard [${record.state.shard}] of ingesting index [${record.state.index}] is catching up after an interrupted run; retry the rollover`,
      );
    }
    await this.o.store.save(held, { ...outcome.state, handover: { to, complete: false } }, null);
  }

  private async mutate(
    id: string,
    change: (s: ShardState, dueAt: Schedule) => { state: ShardState; dueAt: Schedule },
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.o.store.get(id);
      if (!current) return;
      const next = change(current.state, current.dueAt ?? null);
      try {
        await this.o.store.update(id, current.rev, next.state, next.dueAt);
        return;
      } catch (e) {
        if (!(e instanceof StaleJobError) || attempt >= 10) throw e;
      }
    }
  }
}

/**
 * The new index gets the old one's source, so a rollover request cannot carry its own; and it
 * needs as many shards (shard i continues stream shard i).
 */
export const checkRolloverBody = (body: string | undefined, shards: number): void => {
  if (!body) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return; // the cluster's dry run has answered its parse error already
  }
  const settings = (parsed as { settings?: unknown } | null)?.settings;
  if (settings === null || typeof settings !== 'object') return;
  const flat = flattenSettings(settings as Record<string, unknown>);
  if (Object.keys(flat).some((k) => k.startsWith('index.ingestion_source.'))) {
    throw illegalArgument(
      "the new index of a rollover of an ingesting index takes over the old index's ingestion source; remove [index.ingestion_source.*] from the rollover request",
    );
  }
  const requested = flat['index.number_of_shards'];
  if (requested !== undefined && Number(requested) < shards) {
    throw illegalArgument(
      `the new index of a rollover of an ingesting index needs at least [${shards}] shards (stream shard i feeds index shard i); the request asks for [${String(requested)}]`,
    );
  }
};
