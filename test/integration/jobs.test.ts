import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../lambdas/shared/clock';
import { documentClient } from '../../lambdas/shared/dynamo';
import { JobStore, StaleJobError } from '../../lambdas/shared/jobs/job-store';
import type { Partition } from '../../lambdas/shared/jobs/partition';
import { runDue, type JobFunction, type RunSummary } from '../../lambdas/shared/jobs/run-due';
import { workerHandler } from '../../lambdas/shared/worker';
import type { Worker } from '../../infra/workers';
import { lambdaContext } from '../../local/api-event';
import { scheduledEvent } from '../../local/scheduler';
import { ensureTable } from '../../local/table';

/**
 * The worker machinery every runner shares (due index, leases, conditional saves), against
 * DynamoDB Local: what a worker finds, that no item is worked on twice at once, and that a
 * crashed invocation's work is taken up again.
 */
interface Counter {
  runs: number;
  note?: string;
}

const tableName = `jobs-${randomUUID()}`;
const T0 = Date.UTC(2026, 0, 1);
let kindSeq = 0;
const newStore = (): JobStore<Counter> =>
  new JobStore<Counter>(documentClient(), tableName, `test-${++kindSeq}`);

/** Counts one run and schedules the next a minute later. */
const countRun: JobFunction<Counter> = async (ctx) => ({
  state: { runs: ctx.record.state.runs + 1 },
  dueAt: ctx.now() + 60_000,
});

beforeAll(async () => {
  await ensureTable(tableName);
});

describe('finding due work', () => {
  it('returns only the items due now, earliest first, and never unscheduled ones', async () => {
    const store = newStore();
    await store.create('later', { runs: 0 }, T0 + 10_000);
    await store.create('first', { runs: 0 }, T0 - 5_000);
    await store.create('second', { runs: 0 }, T0);
    await store.create('idle', { runs: 0 }, null);

    expect(await store.findDue(T0, 10)).toEqual([
      { id: 'first', dueAt: T0 - 5_000 },
      { id: 'second', dueAt: T0 },
    ]);
    expect((await store.findDue(T0 + 10_000, 10)).map((d) => d.id)).toEqual(['first', 'second', 'later']);
  });

  it('runs every due item once per invocation, paging through the due index', async () => {
    const store = newStore();
    const clock = new ManualClock(T0);
    for (let i = 0; i < 25; i++) await store.create(`idx-${i}`, { runs: 0 }, T0 - i);
    await store.create('not-yet', { runs: 0 }, T0 + 1);

    const summary = await runDue({ store, clock, work: countRun, pageSize: 7, concurrency: 3 });

    expect(summary).toMatchObject({ ran: 25, failed: 0, skipped: 0, more: false });
    const records = await store.list();
    expect(records.filter((r) => r.id.startsWith('idx-')).every((r) => r.state.runs === 1)).toBe(true);
    expect(records.find((r) => r.id === 'not-yet')?.state.runs).toBe(0);
    // Every item is rescheduled a minute later and its lease released.
    expect(records.every((r) => r.leaseOwner === undefined)).toBe(true);
    expect(await store.findDue(T0, 100)).toEqual([]);
  });
});

describe('leases', () => {
  it('two overlapping invocations never run the same item: each item runs exactly once', async () => {
    const store = newStore();
    const clock = new ManualClock(T0);
    for (let i = 0; i < 30; i++) await store.create(`idx-${i}`, { runs: 0 }, T0);
    const slow: JobFunction<Counter> = async (ctx) => {
      await new Promise((r) => setTimeout(r, 5));
      return countRun(ctx);
    };

    const [a, b] = await Promise.all([
      runDue({ store, clock, work: slow, owner: 'a', concurrency: 4 }),
      runDue({ store, clock, work: slow, owner: 'b', concurrency: 4 }),
    ]);

    expect(a.ran + b.ran).toBe(30);
    expect((await store.list()).map((r) => r.state.runs)).toEqual(Array(30).fill(1));
  });

  it("a crashed invocation's item is left alone until its lease expires, then taken again", async () => {
    const store = newStore();
    const clock = new ManualClock(T0);
    await store.create('idx', { runs: 0 }, T0);
    // The crashed invocation took the lease and never saved.
    expect(await store.lease('idx', 'crashed', T0, 60_000)).toBeDefined();

    const during = await runDue({ store, clock, work: countRun, leaseMs: 60_000 });
    expect(during).toMatchObject({ ran: 0, skipped: 1 });
    expect((await store.get('idx'))?.state.runs).toBe(0);

    clock.advance(60_001);
    const after = await runDue({ store, clock, work: countRun, leaseMs: 60_000 });
    expect(after).toMatchObject({ ran: 1, skipped: 0 });
    expect((await store.get('idx'))?.state.runs).toBe(1);
  });

  it('an API write during a run wins: the runner drops its stale result', async () => {
    const store = newStore();
    const clock = new ManualClock(T0);
    await store.create('idx', { runs: 0 }, T0);
    const racing: JobFunction<Counter> = async (ctx) => {
      const current = (await store.get('idx'))!;
      await store.update('idx', current.rev, { runs: 0, note: 'retried by the API' }, T0);
      return countRun(ctx);
    };

    const summary = await runDue({ store, clock, work: racing });

    expect(summary).toMatchObject({ ran: 1, stale: 1 });
    expect((await store.get('idx'))?.state).toEqual({ runs: 0, note: 'retried by the API' });
    // The dropped run gave its lease back: the item can run again at once, not after the lease.
    expect(await runDue({ store, clock, work: countRun })).toMatchObject({ ran: 1, stale: 0 });
    expect((await store.get('idx'))?.state.runs).toBe(1);
  });

  it('update with a stale rev is refused and changes nothing', async () => {
    const store = newStore();
    await store.create('idx', { runs: 0 }, null);
    const current = (await store.get('idx'))!;
    await store.update('idx', current.rev, { runs: 1 }, null);
    await expect(store.update('idx', current.rev, { runs: 99 }, null)).rejects.toBeInstanceOf(StaleJobError);
    expect((await store.get('idx'))?.state.runs).toBe(1);
  });
});

describe('outcomes', () => {
  it('a function that throws keeps the state and is retried after the retry delay', async () => {
    const store = newStore();
    const clock = new ManualClock(T0);
    await store.create('idx', { runs: 3 }, T0);
    const errors: string[] = [];
    const failing: JobFunction<Counter> = async () => {
      throw new Error('cluster unreachable');
    };

    const summary = await runDue({
      store,
      clock,
      work: failing,
      retryDelayMs: 30_000,
      onError: (id, e) => errors.push(`${id}: ${(e as Error).message}`),
    });

    expect(summary).toMatchObject({ ran: 1, failed: 1 });
    expect(errors).toEqual(['idx: cluster unreachable']);
    const record = await store.get('idx');
    expect(record).toMatchObject({ state: { runs: 3 }, dueAt: T0 + 30_000, leaseOwner: undefined });
  });

  it('a checkpoint saves progress and keeps the lease; a crash after it resumes from there', async () => {
    const store = newStore();
    const clock = new ManualClock(T0);
    await store.create('idx', { runs: 0 }, T0);
    const crashAfterCheckpoint: JobFunction<Counter> = async (ctx) => {
      await ctx.checkpoint({ runs: 0, note: 'page 1 done' });
      throw Object.assign(new Error('killed'), { name: 'Killed' });
    };
    // The "crash" leaves the state saved at the checkpoint, not the start.
    await runDue({ store, clock, work: crashAfterCheckpoint, retryDelayMs: 0 });
    expect((await store.get('idx'))?.state).toEqual({ runs: 0, note: 'page 1 done' });

    let resumedFrom: Counter | undefined;
    await runDue({
      store,
      clock,
      work: async (ctx) => {
        resumedFrom = ctx.record.state;
        return countRun(ctx);
      },
    });
    expect(resumedFrom).toEqual({ runs: 0, note: 'page 1 done' });
  });

  it("'delete' removes the item; null unschedules it", async () => {
    const store = newStore();
    const clock = new ManualClock(T0);
    await store.create('gone', { runs: 0 }, T0);
    await store.create('done', { runs: 0 }, T0);

    await runDue({
      store,
      clock,
      work: async (ctx) => (ctx.record.id === 'gone' ? 'delete' : { state: { runs: 1 }, dueAt: null }),
    });

    expect(await store.get('gone')).toBeUndefined();
    expect(await store.get('done')).toMatchObject({ state: { runs: 1 }, dueAt: undefined });
    expect(await store.findDue(T0 + 1e9, 10)).toEqual([]);
  });

  it('stops taking items when its time budget is spent, and says more work is due', async () => {
    const store = newStore();
    const clock = new ManualClock(T0);
    for (let i = 0; i < 10; i++) await store.create(`idx-${i}`, { runs: 0 }, T0);
    const tenSeconds: JobFunction<Counter> = async (ctx) => {
      clock.advance(10_000);
      return countRun(ctx);
    };

    const summary = await runDue({ store, clock, work: tenSeconds, budgetMs: 35_000, concurrency: 1 });

    expect(summary.ran).toBe(4);
    expect(summary.more).toBe(true);
    expect((await store.findDue(clock.now(), 100)).length).toBe(6);
  });
});

describe('fan-out', () => {
  /** Creates `n` due items and a function that records which invocation ran each. */
  const setUp = async (n: number) => {
    const store = newStore();
    for (let i = 0; i < n; i++) await store.create(`idx-${i}`, { runs: 0 }, T0 - i);
    const ranBy = new Map<string, string[]>();
    const work =
      (who: string): JobFunction<Counter> =>
      async (ctx) => {
        ranBy.set(ctx.record.id, [...(ranBy.get(ctx.record.id) ?? []), who]);
        return countRun(ctx);
      };
    return { store, ranBy, work };
  };

  it('a run with more due items than one invocation takes starts copies, and each item runs exactly once', async () => {
    const { store, ranBy, work } = await setUp(230);
    const clock = new ManualClock(T0);
    const copies: Promise<RunSummary>[] = [];
    const dispatched: Partition[][] = [];

    const coordinator = await runDue({
      store,
      clock,
      work: work('coordinator'),
      pageSize: 50,
      fanOut: {
        perInvocation: 80,
        max: 8,
        dispatch: async (partitions) => {
          dispatched.push(partitions);
          for (const partition of partitions) {
            copies.push(
              runDue({
                store,
                clock,
                work: work(`copy-${partition.index}`),
                pageSize: 50,
                // A copy never fans out again, even when handed a dispatcher.
                fanOut: { partition, perInvocation: 80, dispatch: () => Promise.reject(new Error('no')) },
              }),
            );
          }
        },
      },
    });
    const copyRuns = await Promise.all(copies);

    // 230 due at 80 each: three invocations, the coordinator taking partition 0.
    expect(dispatched).toEqual([
      [
        { index: 1, of: 3 },
        { index: 2, of: 3 },
      ],
    ]);
    expect(coordinator).toMatchObject({ partition: '0/3', copies: 2, failed: 0, more: false });
    expect(copyRuns.map((r) => r.partition)).toEqual(['1/3', '2/3']);
    expect(ranBy.size).toBe(230);
    expect([...ranBy.values()].every((who) => who.length === 1)).toBe(true);
    // Nobody competed for a lease, and every invocation had a share.
    expect([coordinator, ...copyRuns].map((r) => r.skipped)).toEqual([0, 0, 0]);
    expect([coordinator, ...copyRuns].reduce((sum, r) => sum + r.ran, 0)).toBe(230);
    expect([coordinator, ...copyRuns].every((r) => r.ran > 40)).toBe(true);
    expect((await store.list()).every((r) => r.state.runs === 1)).toBe(true);
  });

  it('a run that finds less than a page due never counts or fans out', async () => {
    const { store, ranBy, work } = await setUp(30);
    const dispatch = jest.fn(async () => undefined);
    const summary = await runDue({
      store,
      clock: new ManualClock(T0),
      work: work('alone'),
      pageSize: 50,
      fanOut: { perInvocation: 10, dispatch },
    });
    expect(dispatch).not.toHaveBeenCalled();
    expect(summary).toMatchObject({ ran: 30 });
    expect(summary.partition).toBeUndefined();
    expect(ranBy.size).toBe(30);
  });

  it('when the copies cannot be started, the run takes every item itself', async () => {
    const { store, ranBy, work } = await setUp(120);
    const errors: string[] = [];
    const summary = await runDue({
      store,
      clock: new ManualClock(T0),
      work: work('alone'),
      pageSize: 50,
      fanOut: { perInvocation: 40, dispatch: () => Promise.reject(new Error('bus unavailable')) },
      onError: (id, error) => errors.push(`${id}: ${(error as Error).message}`),
    });
    expect(errors).toEqual(['fan-out: bus unavailable']);
    expect(summary).toMatchObject({ ran: 120, failed: 0 });
    expect(summary.copies).toBeUndefined();
    expect(ranBy.size).toBe(120);
  });

  it('a worker handler run locally runs its copies in-process and reports them', async () => {
    const { store, ranBy } = await setUp(150);
    const handler = workerHandler('test-runner', (invocation) =>
      runDue({
        store,
        clock: new ManualClock(T0),
        owner: invocation.invocationId,
        pageSize: 40,
        fanOut: { ...invocation.fanOut, perInvocation: 50 },
        work: async (ctx) => {
          ranBy.set(ctx.record.id, [...(ranBy.get(ctx.record.id) ?? []), invocation.invocationId]);
          return countRun(ctx);
        },
      }),
    );
    const worker = { kind: store.kind, worker: 'test-runner' } as Worker;

    const result = (await handler(
      scheduledEvent(worker),
      lambdaContext('test-runner', 60_000),
    )) as RunSummary & {
      copyRuns: RunSummary[];
    };

    expect(result).toMatchObject({ partition: '0/3', copies: 2 });
    expect(result.copyRuns.map((r) => r.partition)).toEqual(['1/3', '2/3']);
    expect(ranBy.size).toBe(150);
    expect([...ranBy.values()].every((who) => who.length === 1)).toBe(true);
    // Three invocations, three lease owners.
    expect(new Set([...ranBy.values()].flat()).size).toBe(3);
  });
});
