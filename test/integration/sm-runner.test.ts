/* eslint-disable @typescript-eslint/no-explicit-any -- explain bodies are read field by field */
import type { Client } from '@opensearch-project/opensearch';
import { ManualClock } from '../../lambdas/shared/clock';
import { clusterClient, clusterConfigFromEnv, createClusterClient } from '../../lambdas/shared/cluster';
import { documentClient } from '../../lambdas/shared/dynamo';
import { runDue } from '../../lambdas/shared/jobs/run-due';
import { SMPolicyService } from '../../lambdas/sm/policy-service';
import { smRunner, type SMNotifier } from '../../lambdas/sm/runner/sm-runner';
import { ClusterSnapshots, type SnapshotClient } from '../../lambdas/sm/runner/snapshots';
import { channelStore, notifier } from '../../lambdas/notifications/notifier';
import { startTestApi, type TestApi } from '../support/api';
import { startClusterProxy, type ClusterProxy } from '../support/cluster-proxy';
import { startWebhookReceiver } from '../support/webhook-receiver';
import { validateResponse } from '../support/spec';

/**
 * The SM runner against the real OpenSearch node: real snapshots in a real `fs` repository
 * (under the node's path.repo), real DynamoDB Local for policies and metadata. Time is a
 * ManualClock that each scenario moves past the cron times; the worker runs through runDue,
 * exactly as the sm-runner Lambda calls it.
 */
jest.setTimeout(60_000);

let api: TestApi;
let os: Client;
const REPO = 'sm-test-repo';
const SLOW_REPO = 'sm-slow-repo';

beforeAll(async () => {
  api = await startTestApi();
  os = await clusterClient();
  // `fs` repositories live under the node's path.repo (local/services/opensearch.ts).
  await os.snapshot.createRepository({
    repository: REPO,
    body: { type: 'fs', settings: { location: REPO } },
  });
  // A throttled repository keeps a snapshot IN_PROGRESS long enough to watch it across runs.
  await os.snapshot.createRepository({
    repository: SLOW_REPO,
    body: {
      type: 'fs',
      settings: { location: SLOW_REPO, max_snapshot_bytes_per_sec: '1kb' } as Record<string, string>,
    },
  });
  await os.indices.create({ index: 'sm-data-1', body: { settings: { number_of_replicas: 0 } } });
  await os.bulk({
    refresh: true,
    body: Array.from({ length: 200 }, (_, i) => [
      { index: { _index: 'sm-data-1' } },
      { n: i, text: `document ${i} `.repeat(20) },
    ]).flat(),
  });
});
afterAll(async () => {
  await api.close();
});

const MINUTE = 60_000;
const stores = () => SMPolicyService.stores(documentClient(), api.tableName);
const snapshots = new ClusterSnapshots(clusterClient);

/** One invocation of the sm-runner at the clock's time. */
const tick = (
  clock: ManualClock,
  options: { client?: SnapshotClient; notifier?: SMNotifier; random?: () => string } = {},
) => {
  const { policies, jobs } = stores();
  return runDue({
    store: jobs,
    clock,
    retryDelayMs: 60_000,
    work: smRunner({
      policies,
      snapshots: options.client ?? snapshots,
      notifier: options.notifier,
      random: options.random,
    }),
  });
};

const explain = async (name: string): Promise<any> => {
  const res = await api.request('GET', `/_plugins/_sm/policies/${name}/_explain`);
  expect(res.status).toBe(200);
  expect(
    validateResponse('sm', 'GET', '/_plugins/_sm/policies/{policy_name}/_explain', 200, res.body),
  ).toEqual([]);
  return res.body.policies[0];
};

const policy = (repository: string, extra: Record<string, unknown> = {}) => ({
  description: 'test policy',
  creation: { schedule: { cron: { expression: '0 * * * *', timezone: 'UTC' } } },
  snapshot_config: { repository, indices: 'sm-data-*' },
  ...extra,
});

/**
 * Creates a policy and, when it is enabled, runs its first job run (a minute later, when its own
 * schedule fires), which starts its metadata as the plugin's first run does.
 */
const create = async (name: string, body: unknown, { firstRun = true } = {}) => {
  const res = await api.request('POST', `/_plugins/_sm/policies/${name}`, body);
  expect(res.status).toBe(201);
  const due = await dueAt(name);
  if (firstRun && due) await tick(new ManualClock(due));
  return res.body;
};

const listSnapshots = async (repository: string, pattern: string) =>
  ((await os.snapshot.get({ repository, snapshot: pattern })).body.snapshots as any[]) ?? [];

const waitForSnapshot = async (repository: string, name: string, state = 'SUCCESS') => {
  for (let i = 0; i < 100; i++) {
    const [s] = await listSnapshots(repository, name);
    if (s?.state === state) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`snapshot ${name} never reached ${state}`);
};

/** When the runner will next look at the policy (the job's due time). */
const dueAt = async (name: string) => (await stores().jobs.get(name))?.dueAt;

/** A clock at the policy's next creation trigger plus `plus` ms. */
const atTrigger = async (name: string, plus = 5_000) => {
  const e = await explain(name);
  return new ManualClock(e.creation.trigger.time + plus);
};

describe('the first job run', () => {
  test('explain shows the name and enabled until the policy first runs, a minute after it was created; that run starts each workflow in its _START state', async () => {
    const created = await create(
      'first-run',
      policy(REPO, {
        deletion: {
          schedule: { cron: { expression: '0 1 * * *', timezone: 'UTC' } },
          condition: { max_count: 3 },
        },
      }),
      { firstRun: false },
    );
    expect(await explain('first-run')).toEqual({ name: 'first-run', enabled: true });
    const due = await dueAt('first-run');
    expect(due).toBe(created.sm_policy.schedule.interval.start_time + MINUTE);

    await tick(new ManualClock((due as number) - 1_000));
    expect(await explain('first-run')).toEqual({ name: 'first-run', enabled: true });

    await tick(new ManualClock(due as number));
    const entry = await explain('first-run');
    expect(entry).toEqual({
      name: 'first-run',
      enabled: true,
      policy_seq_no: created._seq_no,
      policy_primary_term: created._primary_term,
      creation: { current_state: 'CREATION_START', trigger: { time: expect.any(Number) } },
      deletion: { current_state: 'DELETION_START', trigger: { time: expect.any(Number) } },
    });
    // The triggers are the schedules' next fire times after the first run.
    expect(entry.creation.trigger.time).toBe(Math.floor((due as number) / 3_600_000 + 1) * 3_600_000);
    expect(new Date(entry.deletion.trigger.time).getUTCHours()).toBe(1);
  });

  test('a disabled policy never runs, so explain never shows more; started, it first runs when its schedule fires', async () => {
    const created = await create('later', policy(REPO, { enabled: false }));
    expect(await dueAt('later')).toBeUndefined();
    await api.request('POST', '/_plugins/_sm/policies/later/_start');
    const start = created.sm_policy.schedule.interval.start_time;
    const due = (await dueAt('later')) as number;
    expect(due).toBeGreaterThan(Date.now() - 1_000);
    expect((due - start) % MINUTE).toBe(0);
    expect(await explain('later')).toEqual({ name: 'later', enabled: true });
  });

  test('a policy deleted and created again goes on from the metadata it left, as the plugin keeps that document', async () => {
    await create('reborn', policy(REPO));
    const before = await explain('reborn');
    await api.request('DELETE', '/_plugins/_sm/policies/reborn');
    expect(await dueAt('reborn')).toBeUndefined();
    const again = await api.request('POST', '/_plugins/_sm/policies/reborn', policy(REPO));
    expect(again.status).toBe(201);
    // Before its first run the new policy shows the metadata the old one left.
    expect(await explain('reborn')).toEqual(before);
  });
});

describe('creating snapshots on schedule', () => {
  test('nothing happens before the cron time; at it a snapshot starts, and a later run records its success', async () => {
    await create(
      'hourly',
      policy(REPO, {
        snapshot_config: { repository: REPO, indices: 'sm-data-*', date_format: "yyyy-MM-dd'T'HH:mm" },
      }),
    );
    const before = await explain('hourly');
    expect(before.creation).toEqual({
      current_state: 'CREATION_START',
      trigger: { time: expect.any(Number) },
    });
    const trigger = before.creation.trigger.time;

    await tick(new ManualClock(trigger - 1_000));
    expect(await explain('hourly')).toEqual(before);
    expect(await dueAt('hourly')).toBe(trigger);

    const clock = new ManualClock(trigger + 5_000);
    const run = await tick(clock);
    expect(run).toMatchObject({ kind: 'sm', ran: expect.any(Number) });
    const creating = await explain('hourly');
    expect(creating.creation.current_state).toBe('CREATING');
    expect(creating.creation.trigger.time).toBe(trigger + 3_600_000);
    const [name] = creating.creation.started;
    const date = new Date(trigger).toISOString().slice(0, 16).toLowerCase(); // yyyy-mm-ddthh:mm
    expect(name).toMatch(new RegExp(`^hourly-${date}-[a-z0-9]{8}$`));
    expect(creating.creation.latest_execution).toEqual({
      status: 'IN_PROGRESS',
      start_time: clock.now(),
      end_time: null,
      info: {
        message: `[${new Date(Math.floor(clock.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z')}]: Snapshot ${name} creation has been started and waiting for completion.`,
      },
    });

    const onCluster = await waitForSnapshot(REPO, name);
    expect(onCluster.metadata).toEqual({ sm_policy: 'hourly' });
    expect(onCluster.indices).toEqual(['sm-data-1']);

    clock.advance(60_000);
    await tick(clock);
    const done = await explain('hourly');
    expect(done.creation.current_state).toBe('CREATION_START');
    expect(done.creation.started).toBeUndefined();
    expect(done.creation.latest_execution).toMatchObject({
      status: 'SUCCESS',
      end_time: clock.now(),
      info: {
        message: expect.stringMatching(new RegExp(`Snapshot ${name} creation has finished successfully\\.$`)),
      },
    });
    // at rest until the next hour
    expect(await dueAt('hourly')).toBe(trigger + 3_600_000);
  });

  test('a snapshot still in progress is waited for across runs; past time_limit it is TIME_LIMIT_EXCEEDED', async () => {
    await create(
      'slow',
      policy(SLOW_REPO, {
        creation: { schedule: { cron: { expression: '*/10 * * * *', timezone: 'UTC' } }, time_limit: '15m' },
      }),
    );
    const clock = await atTrigger('slow');
    await tick(clock);
    const [name] = (await explain('slow')).creation.started;
    try {
      for (let minute = 1; minute <= 3; minute++) {
        clock.advance(60_000);
        await tick(clock);
        const e = await explain('slow');
        expect(e.creation.current_state).toBe('CREATING');
        expect(e.creation.latest_execution.status).toBe('IN_PROGRESS');
      }
      expect((await listSnapshots(SLOW_REPO, name))[0].state).toBe('IN_PROGRESS');
      // Past time_limit (no run saw the 10-minute fire time pass meanwhile).
      clock.advance(14 * 60_000);
      await tick(clock);
      const late = await explain('slow');
      expect(late.creation.current_state).toBe('CREATION_START');
      expect(late.creation.latest_execution).toMatchObject({
        status: 'TIME_LIMIT_EXCEEDED',
        end_time: clock.now(),
        info: { cause: expect.stringMatching(/Time limit 15m exceeded during snapshot creation step$/) },
      });
      // The plugin leaves the trigger where it was (the fire time that passed): the next run
      // starts the next execution at once.
      expect(late.creation.trigger.time).toBeLessThan(clock.now());
      // The time limit does not cancel the snapshot, as in OpenSearch.
      expect((await listSnapshots(SLOW_REPO, name))[0].state).toBe('IN_PROGRESS');
    } finally {
      await os.snapshot.delete({ repository: SLOW_REPO, snapshot: name }).catch(() => undefined);
    }
  });

  test('a missing repository fails the step: three retries, one a run, then FAILED', async () => {
    await create('no-repo', policy('no-such-repo'));
    const clock = await atTrigger('no-repo');
    const counts: (number | undefined)[] = [];
    const statuses: string[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      await tick(clock);
      const e = await explain('no-repo');
      counts.push(e.creation.retry?.count);
      statuses.push(e.creation.latest_execution.status);
      clock.advance(60_000);
    }
    expect(counts).toEqual([3, 2, 1, undefined]);
    expect(statuses).toEqual(['RETRYING', 'RETRYING', 'RETRYING', 'FAILED']);
    const failed = await explain('no-repo');
    expect(failed.creation.current_state).toBe('CREATION_START');
    expect(failed.creation.latest_execution.info).toEqual({
      message: expect.stringMatching(
        /Caught exception while getting snapshots to decide if snapshot has been created in previous execution period\.$/,
      ),
      cause: expect.stringMatching(/repository_missing_exception/),
    });
    // after FAILED the policy waits for its next fire time
    expect(await dueAt('no-repo')).toBe(failed.creation.trigger.time);
    expect(failed.creation.trigger.time).toBeGreaterThan(clock.now());
  });
});

describe('retention', () => {
  /** 2.19 requires a creation schedule: one that stays out of these tests (the next February 29). */
  const rarely = { schedule: { cron: { expression: '0 0 29 2 *', timezone: 'UTC' } } };
  /** Snapshots as the policy would have made them (tagged), plus ones it must never touch. */
  const seed = async (names: string[], metadata: Record<string, string> | undefined) => {
    for (const name of names) {
      await os.snapshot.create({
        repository: REPO,
        snapshot: name,
        wait_for_completion: true,
        body: { indices: 'sm-data-*', ...(metadata ? { metadata } : {}) },
      });
    }
  };

  test('max_count deletes the oldest beyond it, only snapshots this policy made', async () => {
    const mine = ['keep3-a', 'keep3-b', 'keep3-c', 'keep3-d', 'keep3-e'];
    await seed(mine, { sm_policy: 'keep3' });
    await seed(['keep3-foreign'], undefined); // same prefix, not tagged: not ours
    await seed(['keep3-2-x'], { sm_policy: 'keep3-2' }); // another policy's
    await create('keep3', {
      creation: rarely,
      deletion: {
        schedule: { cron: { expression: '30 * * * *', timezone: 'UTC' } },
        condition: { max_count: 3 },
      },
      snapshot_config: { repository: REPO },
    });
    const trigger = (await explain('keep3')).deletion.trigger.time;
    const clock = new ManualClock(trigger + 1_000);
    await tick(clock);
    const deleting = await explain('keep3');
    expect(deleting.deletion.current_state).toBe('DELETING');
    expect(deleting.deletion.started).toEqual(['keep3-a', 'keep3-b']);
    expect(deleting.deletion.latest_execution.info.message).toMatch(
      /Snapshots \[keep3-a, keep3-b\] deletion has been started and waiting for completion\.$/,
    );

    clock.advance(60_000);
    await tick(clock);
    const done = await explain('keep3');
    expect(done.deletion.current_state).toBe('DELETION_START');
    expect(done.deletion.latest_execution).toMatchObject({
      status: 'SUCCESS',
      info: { message: expect.stringMatching(/Snapshot\(s\) \[keep3-a, keep3-b\] deletion has finished\.$/) },
    });
    const left = (await listSnapshots(REPO, 'keep3*')).map((s) => s.snapshot).sort();
    expect(left).toEqual(['keep3-2-x', 'keep3-c', 'keep3-d', 'keep3-e', 'keep3-foreign']);
  });

  test('max_age deletes old snapshots but never goes below min_count', async () => {
    await seed(['aged-1', 'aged-2', 'aged-3', 'aged-4'], { sm_policy: 'aged' });
    await create('aged', {
      creation: rarely,
      deletion: {
        schedule: { cron: { expression: '0 0 * * *', timezone: 'Europe/Berlin' } },
        condition: { max_age: '1d', min_count: 3 },
      },
      snapshot_config: { repository: REPO },
    });
    const trigger = (await explain('aged')).deletion.trigger.time;
    // two days on: every snapshot is older than max_age, min_count keeps the newest three
    const clock = new ManualClock(Math.max(trigger, Date.now() + 2 * 86_400_000) + 1_000);
    await tick(clock);
    expect((await explain('aged')).deletion.started).toEqual(['aged-1']);
    clock.advance(60_000);
    await tick(clock);
    expect((await listSnapshots(REPO, 'aged*')).map((s) => s.snapshot).sort()).toEqual([
      'aged-2',
      'aged-3',
      'aged-4',
    ]);
  });

  test('creation and deletion together keep max_count snapshots as new ones arrive', async () => {
    await create('rolling', {
      creation: { schedule: { cron: { expression: '0 */6 * * *', timezone: 'America/New_York' } } },
      deletion: { condition: { max_count: 3, min_count: 2 } },
      snapshot_config: { repository: REPO, indices: 'sm-data-*' },
    });
    let clock = await atTrigger('rolling');
    const made: string[] = [];
    for (let cycle = 0; cycle < 5; cycle++) {
      await tick(clock); // creation starts; deletion (same schedule) runs right after
      const e = await explain('rolling');
      made.push(e.creation.started[0]);
      await waitForSnapshot(REPO, e.creation.started[0]);
      clock.advance(60_000);
      await tick(clock); // creation finishes; deletion finishes
      clock.advance(60_000);
      await tick(clock);
      clock = await atTrigger('rolling');
    }
    const left = (await listSnapshots(REPO, 'rolling*')).map((s) => s.snapshot);
    // The deletion at each trigger runs while that trigger's snapshot is still IN_PROGRESS (not a
    // candidate), so it keeps max_count finished ones plus the newest.
    expect(left.length).toBeLessThanOrEqual(4);
    expect(left).toEqual(expect.arrayContaining(made.slice(-3)));
    expect(left).not.toContain(made[0]);
  });
});

describe('crash safety', () => {
  /** Makes the real create call, then "dies" before the runner can save what happened. */
  const crashAfterCreate = (): SnapshotClient => ({
    list: (r, p) => snapshots.list(r, p),
    get: (r, n) => snapshots.get(r, n),
    delete: (r, n) => snapshots.delete(r, n),
    create: async (r, n, b) => {
      await snapshots.create(r, n, b);
      throw new Error('runner killed after the create-snapshot call');
    },
  });
  const crashBeforeCreate = (): SnapshotClient => ({
    ...crashAfterCreate(),
    create: async () => {
      throw new Error('runner killed before the create-snapshot call reached the cluster');
    },
  });

  test.each([
    ['after the cluster call', crashAfterCreate],
    ['before the cluster call', crashBeforeCreate],
  ])('a runner killed %s resumes with exactly one snapshot, recorded', async (_, crashing) => {
    const name = `crash-${crashing === crashAfterCreate ? 'after' : 'before'}`;
    await create(name, policy(REPO));
    const clock = await atTrigger(name);

    const crashed = await tick(clock, { client: crashing() });
    expect(crashed.failed).toBeGreaterThanOrEqual(1);
    // What survived is the checkpoint written before the call: "creating <snapshot>".
    const { jobs } = stores();
    const saved = (await jobs.get(name))!.state;
    expect(saved.creation?.current_state).toBe('CREATION_CONDITION_MET');
    const [pending] = saved.creation?.pending ?? [];
    expect(pending).toMatch(new RegExp(`^${name}-`));

    // The next run (the item is due again after the retry delay) finds out what happened.
    clock.advance(60_000);
    await tick(clock);
    const e = await explain(name);
    expect(e.creation.current_state).toBe('CREATING');
    expect(e.creation.started).toEqual([pending]);
    await waitForSnapshot(REPO, pending);
    clock.advance(60_000);
    await tick(clock);
    expect((await explain(name)).creation.latest_execution.status).toBe('SUCCESS');
    const onCluster = (await listSnapshots(REPO, `${name}*`)).map((s) => s.snapshot);
    expect(onCluster).toEqual([pending]);
  });
});

describe('many policies', () => {
  test('one failing policy does not stall the others', async () => {
    const names = ['many-1', 'many-2', 'many-3', 'many-4'];
    for (const n of names)
      await create(
        n,
        policy(REPO, { creation: { schedule: { cron: { expression: '15 * * * *', timezone: 'UTC' } } } }),
      );
    await create(
      'many-broken',
      policy('missing-repo', {
        creation: { schedule: { cron: { expression: '15 * * * *', timezone: 'UTC' } } },
      }),
    );
    const clock = await atTrigger('many-1');
    await tick(clock);
    for (const n of names) expect((await explain(n)).creation.current_state).toBe('CREATING');
    expect((await explain('many-broken')).creation.latest_execution.status).toBe('RETRYING');
    const snaps = await listSnapshots(REPO, 'many-*');
    expect(snaps.map((s) => s.metadata.sm_policy).sort()).toEqual(names);
  });
});

describe('an unavailable cluster', () => {
  // The runner reaches the real node through a loopback proxy that the scenarios take down
  // (connection refused), make answer 503 or 429 (overloaded), and bring back.
  let proxy: ClusterProxy;
  let viaProxy: SnapshotClient;
  beforeAll(async () => {
    proxy = await startClusterProxy(clusterConfigFromEnv().endpoint);
    const client = createClusterClient({ endpoint: proxy.url, auth: 'none' });
    viaProxy = new ClusterSnapshots(() => client);
  });
  afterEach(() => proxy.up());
  afterAll(() => proxy.close());

  const MINUTE = 60_000;
  const CAP = 15 * MINUTE;

  test('backs off exponentially (jittered, capped), consumes no retry, never FAILs, and snapshots once it is back', async () => {
    await create(
      'outage',
      policy(REPO, { creation: { schedule: { cron: { expression: '30 * * * *', timezone: 'UTC' } } } }),
    );
    const clock = await atTrigger('outage');
    await proxy.down();
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      if (attempt === 4) await proxy.answer(503);
      if (attempt === 5) await proxy.answer(429);
      // (Other scenarios' policies share the table and may run in the same ticks.)
      expect((await tick(clock, { client: viaProxy })).failed).toBe(0);
      const e = await explain('outage');
      expect(e.creation.current_state).toBe('CREATION_CONDITION_MET');
      expect(e.creation.retry).toBeUndefined(); // the snapshot's three retries are untouched
      expect(e.creation.latest_execution.status).toBe('RETRYING');
      const due = (await dueAt('outage'))!;
      expect(e.creation.latest_execution.info.message).toMatch(
        new RegExp(
          `^\\[.+\\]: Caught exception while getting snapshots to decide if snapshot has been created in previous execution period\\. ` +
            `The cluster is unavailable \\(attempt ${attempt}\\); next attempt at ${new Date(due).toISOString()}\\.$`,
        ),
      );
      expect(e.creation.latest_execution.info.cause).toMatch(
        attempt <= 3 ? /ConnectionError/ : attempt === 4 ? /503/ : /429/,
      );
      delays.push(due - clock.now());
      // Not looked at again before its due time.
      clock.set(due - 1_000);
      await tick(clock, { client: viaProxy });
      expect(await explain('outage')).toEqual(e);
      clock.set(due);
    }
    // 1-2 min, 2-4, 4-8, 8-15, then 15 min at most.
    delays.forEach((d, i) => {
      const base = MINUTE * 2 ** i;
      expect(d).toBeGreaterThanOrEqual(Math.min(base, CAP));
      expect(d).toBeLessThanOrEqual(Math.min(2 * base, CAP));
    });
    expect(delays.slice(4)).toEqual([CAP, CAP]);

    await proxy.up();
    await tick(clock, { client: viaProxy });
    const back = await explain('outage');
    expect(back.creation.current_state).toBe('CREATING');
    expect(back.creation.latest_execution).toMatchObject({ status: 'IN_PROGRESS', end_time: null });
    expect(back.creation.latest_execution.info.message).not.toMatch(/unavailable/);
    expect(await dueAt('outage')).toBe(clock.now() + MINUTE); // polled again as usual
    const [name] = back.creation.started;
    await waitForSnapshot(REPO, name);
    clock.advance(MINUTE);
    await tick(clock, { client: viaProxy });
    expect((await explain('outage')).creation.latest_execution.status).toBe('SUCCESS');
    expect((await listSnapshots(REPO, 'outage-*')).map((s) => s.snapshot)).toEqual([name]);
  });

  test('a snapshot in progress is still recorded after an outage while it ran', async () => {
    await create(
      'outage-mid',
      policy(REPO, { creation: { schedule: { cron: { expression: '35 * * * *', timezone: 'UTC' } } } }),
    );
    const clock = await atTrigger('outage-mid');
    await tick(clock, { client: viaProxy });
    const [name] = (await explain('outage-mid')).creation.started;
    await proxy.down();
    clock.advance(MINUTE);
    await tick(clock, { client: viaProxy });
    const during = await explain('outage-mid');
    expect(during.creation).toMatchObject({ current_state: 'CREATING', started: [name] });
    expect(during.creation.latest_execution.info.message).toMatch(
      /Caught exception while getting started creation snapshot .* The cluster is unavailable \(attempt 1\)/,
    );
    await proxy.up();
    clock.set((await dueAt('outage-mid'))!);
    await waitForSnapshot(REPO, name);
    await tick(clock, { client: viaProxy });
    const after = await explain('outage-mid');
    expect(after.creation.current_state).toBe('CREATION_START');
    expect(after.creation.latest_execution.status).toBe('SUCCESS');
  });

  test('policies back off each on its own due time, and a run during the outage is quick', async () => {
    const names = ['outage-1', 'outage-2', 'outage-3', 'outage-4', 'outage-5'];
    for (const n of names)
      await create(
        n,
        policy(REPO, { creation: { schedule: { cron: { expression: '40 * * * *', timezone: 'UTC' } } } }),
      );
    const clock = await atTrigger('outage-1');
    await proxy.down();
    const started = Date.now();
    const summary = await tick(clock, { client: viaProxy });
    expect(Date.now() - started).toBeLessThan(10_000); // refused calls: no waiting inside the run
    expect(summary.failed).toBe(0);
    for (const n of names) {
      const e = await explain(n);
      expect(e.creation.current_state).toBe('CREATION_CONDITION_MET');
      expect(e.creation.latest_execution.info.message).toMatch(/The cluster is unavailable \(attempt 1\)/);
    }
    const dues = await Promise.all(names.map((n) => dueAt(n)));
    expect(new Set(dues).size).toBe(names.length); // jitter: they do not all come back at once
    for (const d of dues) {
      expect(d! - clock.now()).toBeGreaterThanOrEqual(MINUTE);
      expect(d! - clock.now()).toBeLessThan(2 * MINUTE);
    }
  });
});

describe('notifications', () => {
  test("creation success and each failed attempt reach the policy's channel, as its conditions ask", async () => {
    const hook = await startWebhookReceiver();
    try {
      const now = Date.now();
      await channelStore().create('sm-slack', {
        config_id: 'sm-slack',
        created_time_ms: now,
        last_updated_time_ms: now,
        config: {
          name: 'sm',
          description: '',
          config_type: 'slack',
          is_enabled: true,
          slack: { url: hook.url('/slack') },
        },
      });
      const cron = { schedule: { cron: { expression: '45 * * * *', timezone: 'UTC' } } };
      await create(
        'notify-ok',
        policy(REPO, { creation: cron, notification: { channel: { id: 'sm-slack' } } }),
      );
      await create(
        'notify-fail',
        policy('missing-repo', {
          creation: cron,
          notification: { channel: { id: 'sm-slack' }, conditions: { creation: false, failure: true } },
        }),
      );
      await create(
        'notify-quiet',
        policy('missing-repo', { creation: cron, notification: { channel: { id: 'sm-slack' } } }),
      );
      const clock = await atTrigger('notify-ok');
      await tick(clock, { notifier: notifier() });
      await waitForSnapshot(REPO, (await explain('notify-ok')).creation.started[0]);
      clock.advance(60_000);
      await tick(clock, { notifier: notifier() });

      const texts = (await hook.waitFor(3)).map((r) => (r.json as { text: string }).text);
      expect(texts).toHaveLength(3);
      const failures = texts.filter((t) =>
        t.startsWith('Snapshot Management - Snapshot Failure Notification\n\n'),
      );
      expect(failures).toHaveLength(2); // notify-fail, both attempts; notify-quiet has failure: false
      for (const f of failures) expect(f).toMatch(/Caught exception while getting snapshots/);
      const created = texts.filter((t) =>
        t.startsWith('Snapshot Management - Snapshot Creation Notification\n\n'),
      );
      expect(created).toEqual([
        expect.stringMatching(/Snapshot notify-ok-.* creation has finished successfully\.$/),
      ]);
    } finally {
      await hook.close();
    }
  });
});
