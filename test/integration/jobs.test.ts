import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../lambdas/shared/clock';
import { documentClient } from '../../lambdas/shared/dynamo';
import { JobStore, StaleJobError } from '../../lambdas/shared/jobs/job-store';
import { runDue, type JobFunction } from '../../lambdas/shared/jobs/run-due';
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
