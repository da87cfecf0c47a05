import { initialMetadata } from '../../../lambdas/sm/metadata';
import type { SMMetadata, SMPolicy } from '../../../lambdas/sm/policy/model';
import { parsePolicy } from '../../../lambdas/sm/policy/parse';
import type { SMEvent, StateContext } from '../../../lambdas/sm/runner/context';
import { selectForDeletion } from '../../../lambdas/sm/runner/deletion';
import { runWorkflow } from '../../../lambdas/sm/runner/engine';
import {
  SnapshotError,
  type SnapshotClient,
  type SnapshotInfo,
  type SnapshotState,
} from '../../../lambdas/sm/runner/snapshots';

/**
 * The SM state machine on its own, against a scripted cluster whose snapshots take as long as a
 * scenario needs (a real node's snapshots finish in a second): the runner's behaviour is covered
 * against the real node in test/integration/sm-runner.test.ts.
 */
class ScriptedCluster implements SnapshotClient {
  readonly snapshots = new Map<string, SnapshotInfo>();
  creates = 0;
  constructor(private readonly now: () => number) {}
  async create(_: string, name: string, body: { metadata: Record<string, unknown> }) {
    this.creates++;
    this.snapshots.set(name, {
      snapshot: name,
      state: 'IN_PROGRESS',
      start_time_in_millis: this.now(),
      metadata: body.metadata,
    });
  }
  async list() {
    return [...this.snapshots.values()];
  }
  async get(_: string, name: string) {
    return this.snapshots.get(name);
  }
  async delete(_: string, names: string[]) {
    for (const n of names) this.snapshots.delete(n);
  }
  finish(name: string, state: SnapshotState = 'SUCCESS') {
    const s = this.snapshots.get(name);
    if (s) s.state = state;
  }
}

const HOUR = 3_600_000;
const T0 = Date.parse('2026-06-01T00:00:30Z');

const setup = (body: Record<string, unknown>) => {
  let now = T0;
  const policy: SMPolicy = parsePolicy(body, { name: 'p', now });
  const metadata: SMMetadata = initialMetadata(policy, 0, 1, now);
  const cluster = new ScriptedCluster(() => now);
  const events: SMEvent[] = [];
  const run = async () => {
    for (const type of ['creation', 'deletion'] as const) {
      const workflow = metadata[type];
      if (!workflow) continue;
      const ctx: StateContext = {
        type,
        policy,
        metadata,
        workflow,
        snapshots: cluster,
        now: () => now,
        checkpoint: async () => undefined,
        notify: (e) => events.push(e),
        random: () => 'abcdefgh',
      };
      await runWorkflow(ctx);
    }
  };
  return {
    policy,
    metadata,
    cluster,
    events,
    run,
    advance: (ms: number) => (now += ms),
    at: (t: number) => (now = t),
    now: () => now,
  };
};

test('a time_limit longer than the interval: fire times passed while the snapshot runs are skipped, not made up', async () => {
  const s = setup({
    creation: { schedule: { cron: { expression: '0 * * * *', timezone: 'UTC' } }, time_limit: '3h' },
    snapshot_config: { repository: 'r' },
  });
  s.at(Date.parse('2026-06-01T01:00:10Z'));
  await s.run();
  const [first] = s.metadata.creation!.started!;
  // 01:00 .. 03:30: the snapshot keeps running; every minute the runner looks and waits.
  for (let i = 0; i < 150; i++) {
    s.advance(60_000);
    await s.run();
  }
  expect(s.cluster.creates).toBe(1);
  expect(s.metadata.creation!.current_state).toBe('CREATING');
  expect(s.metadata.creation!.trigger.time).toBe(Date.parse('2026-06-01T04:00:00Z'));
  s.cluster.finish(first);
  s.advance(60_000);
  await s.run();
  expect(s.metadata.creation!.latest_execution!.status).toBe('SUCCESS');
  // the 02:00 and 03:00 snapshots were never taken; the next one is at 04:00
  s.at(Date.parse('2026-06-01T04:00:05Z'));
  await s.run();
  expect(s.cluster.creates).toBe(2);
  // a new execution: its own start_time, so its time limit counts from now
  expect(s.metadata.creation!.latest_execution).toMatchObject({
    status: 'IN_PROGRESS',
    start_time: s.now(),
    end_time: null,
  });
});

test('past time_limit: TIME_LIMIT_EXCEEDED, the workflow starts over, the snapshot is left alone', async () => {
  const s = setup({
    creation: { schedule: { cron: { expression: '0 */6 * * *', timezone: 'UTC' } }, time_limit: '1h' },
    snapshot_config: { repository: 'r' },
    notification: { channel: { id: 'ops' }, conditions: { time_limit_exceeded: true } },
  });
  s.at(Date.parse('2026-06-01T06:00:00Z'));
  await s.run();
  s.advance(HOUR + 60_000);
  await s.run();
  const wf = s.metadata.creation!;
  expect(wf.current_state).toBe('CREATION_START');
  expect(wf.latest_execution).toMatchObject({ status: 'TIME_LIMIT_EXCEEDED', end_time: s.now() });
  expect(wf.latest_execution!.info!.cause).toMatch(/Time limit 1h exceeded during snapshot creation step$/);
  expect(s.cluster.snapshots.size).toBe(1);
  expect(s.events.map((e) => e.condition)).toEqual(['time_limit_exceeded']);
});

test('a snapshot that ends FAILED or PARTIAL is FAILED at once, with the snapshot state in the message', async () => {
  const s = setup({
    creation: { schedule: { cron: { expression: '0 * * * *', timezone: 'UTC' } } },
    snapshot_config: { repository: 'r' },
  });
  s.at(Date.parse('2026-06-01T01:00:00Z'));
  await s.run();
  const [name] = s.metadata.creation!.started!;
  s.cluster.finish(name, 'PARTIAL');
  s.advance(60_000);
  await s.run();
  expect(s.metadata.creation!.latest_execution).toMatchObject({
    status: 'FAILED',
    info: { message: expect.stringMatching(/creation failed as the snapshot is in the PARTIAL state\.$/) },
  });
  expect(s.metadata.creation!.retry).toBeUndefined();
  expect(s.events.map((e) => e.condition)).toEqual(['failure']);
});

test('events carry the plugin titles: creation on success, deletion once max_count is exceeded', async () => {
  const s = setup({
    creation: { schedule: { cron: { expression: '0 * * * *', timezone: 'UTC' } } },
    deletion: { condition: { max_count: 2 } },
    snapshot_config: { repository: 'r' },
  });
  for (let h = 1; h <= 4; h++) {
    s.at(Date.parse(`2026-06-01T0${h}:00:00Z`));
    await s.run();
    s.cluster.finish(s.metadata.creation!.started![0]);
    s.advance(60_000);
    await s.run();
    s.advance(60_000);
    await s.run();
  }
  expect(s.events.map((e) => e.subject)).toEqual([
    'Snapshot Management - Snapshot Creation Notification',
    'Snapshot Management - Snapshot Creation Notification',
    'Snapshot Management - Snapshot Creation Notification',
    'Snapshot Management - Snapshot Creation Notification',
    'Snapshot Management - Snapshot Deletion Notification',
  ]);
  // At 04:00 the new snapshot is still running (never a candidate): the oldest of three finished goes.
  expect([...s.cluster.snapshots.keys()].length).toBe(3);
});

describe('choosing snapshots to delete', () => {
  const snaps = (ages: number[], now: number): SnapshotInfo[] =>
    ages.map((daysOld, i) => ({
      snapshot: `s${i}`,
      state: 'SUCCESS',
      start_time_in_millis: now - daysOld * 86_400_000,
      metadata: { sm_policy: 'p' },
    }));
  const policy = (condition: Record<string, unknown>) =>
    parsePolicy(
      {
        creation: { schedule: { cron: { expression: '0 * * * *', timezone: 'UTC' } } },
        deletion: { schedule: { cron: { expression: '0 * * * *', timezone: 'UTC' } }, condition },
        snapshot_config: { repository: 'r' },
      },
      { name: 'p', now: T0 },
    );

  test('max_age removes the old ones, min_count keeps the newest', () => {
    const list = snaps([10, 9, 8, 1], T0);
    expect(selectForDeletion(policy({ max_age: '7d' }), list, T0).map((s) => s.snapshot)).toEqual([
      's0',
      's1',
      's2',
    ]);
    expect(
      selectForDeletion(policy({ max_age: '7d', min_count: 3 }), list, T0).map((s) => s.snapshot),
    ).toEqual(['s0']);
    expect(selectForDeletion(policy({ max_age: '1d', min_count: 5 }), list, T0)).toEqual([]);
  });

  test('max_count removes the oldest beyond it, whatever their age', () => {
    const list = snaps([5, 4, 3, 2, 1], T0);
    expect(selectForDeletion(policy({ max_count: 3 }), list, T0).map((s) => s.snapshot)).toEqual([
      's0',
      's1',
    ]);
    expect(
      selectForDeletion(policy({ max_age: '30d', max_count: 4 }), list, T0).map((s) => s.snapshot),
    ).toEqual(['s0']);
  });
});

test('an unavailable cluster: the state is kept, no retry is consumed, one failure notification per outage, and the step goes on once it answers', async () => {
  const s = setup({
    creation: { schedule: { cron: { expression: '0 * * * *', timezone: 'UTC' } } },
    snapshot_config: { repository: 'r' },
  });
  const list = s.cluster.list.bind(s.cluster);
  s.cluster.list = async () => {
    throw new SnapshotError('other', 'ConnectionError: connect ECONNREFUSED 127.0.0.1:9', true);
  };
  s.at(Date.parse('2026-06-01T01:00:10Z'));
  for (let attempt = 1; attempt <= 5; attempt++) {
    await s.run();
    const wf = s.metadata.creation!;
    expect(wf.current_state).toBe('CREATION_CONDITION_MET');
    expect(wf.retry).toBeUndefined();
    expect(wf.unavailable?.attempts).toBe(attempt);
    expect(wf.latest_execution!.status).toBe('RETRYING');
    s.at(wf.unavailable!.next_attempt_time);
  }
  expect(s.events.map((e) => e.condition)).toEqual(['failure']);
  expect(s.events[0].text).toMatch(/The cluster is unavailable \(attempt 1\)/);

  s.cluster.list = list;
  await s.run();
  const wf = s.metadata.creation!;
  expect(wf.current_state).toBe('CREATING');
  expect(wf.unavailable).toBeUndefined();
  expect(wf.latest_execution!.status).toBe('IN_PROGRESS');
  expect(s.cluster.creates).toBe(1);
});

test('a step that fails on a cluster that answers still gets three retries, then FAILED', async () => {
  const s = setup({
    creation: { schedule: { cron: { expression: '0 * * * *', timezone: 'UTC' } } },
    snapshot_config: { repository: 'r' },
  });
  s.cluster.list = async () => {
    throw new SnapshotError('other', 'repository_exception: [r] could not read repository data', false);
  };
  s.at(Date.parse('2026-06-01T01:00:10Z'));
  const seen: (number | undefined)[] = [];
  for (let attempt = 0; attempt < 4; attempt++) {
    await s.run();
    seen.push(s.metadata.creation!.retry?.count);
    expect(s.metadata.creation!.unavailable).toBeUndefined();
    s.advance(60_000);
  }
  expect(seen).toEqual([3, 2, 1, undefined]);
  expect(s.metadata.creation!.latest_execution!.status).toBe('FAILED');
});
