import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import { JobStore, StaleJobError, type DueItem, type JobRecord, type Schedule } from './job-store';
import { copyPartitions, fanOutWidth, inPartition, type Partition } from './partition';

/**
 * One worker invocation: find the due items of a kind, lease each, run the worker's function on
 * it, save what it returns. Knows nothing of ISM, SM, rollups or ingestion.
 *
 * - Only due items are read (a query on the `due` index), a page at a time.
 * - Items run `concurrency` at a time; each under its own lease, so two invocations that
 *   overlap never work on the same item, and a crashed invocation's items are taken again once
 *   their lease expires.
 * - The invocation stops taking new items when its time budget is spent; what is left stays due
 *   and the next invocation takes it.
 * - When more items are due than one invocation should take, it starts copies of itself, each
 *   taking one partition of them ({@link FanOut}).
 * - A function that throws keeps its item's state and is retried after `retryDelayMs`.
 */
export interface JobContext<S> {
  readonly record: JobRecord<S>;
  /** Current time from the worker's clock. */
  now(): number;
  /**
   * Saves progress in the middle of long work and keeps the lease (extended by the lease TTL),
   * so that a crash after this point resumes from here. Returns the saved record.
   */
  checkpoint(state: S, dueAt?: Schedule): Promise<JobRecord<S>>;
  /** Time left in the invocation's budget, in ms: long work should stop and checkpoint. */
  remainingMs(): number;
}

export interface JobOutcome<S> {
  readonly state: S;
  /** Next run, or null to unschedule. */
  readonly dueAt: Schedule;
}

/** `'delete'` from the function: delete the item (the thing it tracked is gone). */
export type JobFunction<S> = (ctx: JobContext<S>) => Promise<JobOutcome<S> | 'delete'>;

export interface RunDueOptions<S> {
  readonly store: JobStore<S>;
  readonly clock: Clock;
  readonly work: JobFunction<S>;
  /** Identifies this invocation in leases. */
  readonly owner?: string;
  /** How long a lease lasts without a checkpoint. */
  readonly leaseMs?: number;
  /** Stop taking new items after this long. */
  readonly budgetMs?: number;
  readonly concurrency?: number;
  readonly pageSize?: number;
  /** Delay before an item whose function threw is tried again. */
  readonly retryDelayMs?: number;
  /** Called when a function throws (after the retry was scheduled). */
  readonly onError?: (id: string, error: unknown) => void;
  readonly fanOut?: FanOut;
}

/** How a run spreads over several invocations (see partition.ts). */
export interface FanOut {
  /** This invocation's share of the due items, when a coordinator started it. */
  readonly partition?: Partition;
  /** Starts copies of this invocation for these partitions; absent: the run never fans out. */
  readonly dispatch?: (partitions: Partition[]) => Promise<void>;
  /** Due items one invocation takes before the run fans out (default 250). */
  readonly perInvocation?: number;
  /** Most invocations in one run, this one included (default 8). */
  readonly max?: number;
}

export interface RunSummary {
  readonly kind: string;
  /** Due index entries read. */
  readonly found: number;
  /** Items this invocation leased and ran. */
  readonly ran: number;
  /** Items whose function threw (they stay due, later). */
  readonly failed: number;
  /** Items another invocation held, or no longer due. */
  readonly skipped: number;
  /** Results dropped because another writer changed the item meanwhile. */
  readonly stale: number;
  /** Whether due items may be left because the budget ran out. */
  readonly more: boolean;
  readonly tookMs: number;
  /** `<index>/<of>` when this invocation took one partition of the due items. */
  readonly partition?: string;
  /** Copies this invocation started (it coordinated a fan-out). */
  readonly copies?: number;
}

export const runDue = async <S>(options: RunDueOptions<S>): Promise<RunSummary> => {
  const {
    store,
    clock,
    work,
    owner = randomUUID(),
    leaseMs = 5 * 60_000,
    budgetMs = 60_000,
    concurrency = 8,
    pageSize = 100,
    retryDelayMs = 60_000,
    onError,
    fanOut,
  } = options;
  let partition = fanOut?.partition;
  let copies = 0;
  const started = clock.now();
  const remainingMs = (): number => budgetMs - (clock.now() - started);
  const counts = { found: 0, ran: 0, failed: 0, skipped: 0, stale: 0 };
  let more = false;
  const seen = new Set<string>();

  const runOne = async (id: string): Promise<void> => {
    const now = clock.now();
    let held = await store.lease(id, owner, now, leaseMs);
    if (!held) {
      counts.skipped++;
      return;
    }
    counts.ran++;
    const ctx: JobContext<S> = {
      get record() {
        return held as JobRecord<S>;
      },
      now: () => clock.now(),
      remainingMs,
      checkpoint: async (state, dueAt) => {
        const current = held as JobRecord<S>;
        held = await store.save(
          current,
          state,
          dueAt === undefined ? (current.dueAt ?? null) : dueAt,
          clock.now() + leaseMs,
        );
        return held;
      },
    };
    try {
      const outcome = await work(ctx);
      if (outcome === 'delete') {
        if (!(await store.deleteIf(id, held.rev))) counts.stale++;
        return;
      }
      await store.save(held, outcome.state, outcome.dueAt);
    } catch (error) {
      if (error instanceof StaleJobError) {
        counts.stale++;
        // Someone else wrote the item meanwhile (an API call, a rollover handover): their write
        // stands, and so must not our lease, or the item would wait out the whole lease before
        // anyone could run it again. Released only if it is still ours.
        await store.release(held).catch(() => undefined);
        return;
      }
      counts.failed++;
      try {
        await store.save(held, held.state, clock.now() + retryDelayMs);
      } catch (e) {
        if (!(e instanceof StaleJobError)) throw e;
        await store.release(held).catch(() => undefined); // as above: the other write stands
      }
      onError?.(id, error);
    }
  };

  // The due index is read in order of due time, a page at a time, continuing after the last
  // entry read: items this run reschedules move behind the cursor, and `seen` keeps an item
  // that its function made due again at once from running twice in one invocation.
  let cursor: DueItem | undefined;
  for (;;) {
    if (remainingMs() <= 0) {
      more = true;
      break;
    }
    const raw = await store.findDue(clock.now(), pageSize, cursor);
    counts.found += raw.length;
    if (!cursor && raw.length === pageSize && !partition && fanOut?.dispatch) {
      const width = fanOutWidth(
        await store.countDue(clock.now()),
        fanOut.perInvocation ?? 250,
        fanOut.max ?? 8,
      );
      if (width > 1) {
        try {
          await fanOut.dispatch(copyPartitions(width));
          partition = { index: 0, of: width };
          copies = width - 1;
        } catch (error) {
          // Alone, then: leases keep any copy that did start from taking the same items.
          onError?.('fan-out', error);
        }
      }
    }
    const mine = partition;
    const queue = raw.filter((d) => !seen.has(d.id) && (!mine || inPartition(d.id, mine))).map((d) => d.id);
    for (const id of queue) seen.add(id);
    const lanes = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        if (remainingMs() <= 0) {
          more = true;
          return;
        }
        await runOne(id);
      }
    });
    await Promise.all(lanes);
    if (raw.length < pageSize) break;
    cursor = raw[raw.length - 1];
  }
  return {
    kind: store.kind,
    ...counts,
    more,
    tookMs: clock.now() - started,
    ...(partition ? { partition: `${partition.index}/${partition.of}` } : {}),
    ...(copies ? { copies } : {}),
  };
};
