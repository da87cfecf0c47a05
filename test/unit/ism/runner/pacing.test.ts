import type { ClusterApi } from '../../../../lambdas/ism/cluster-api';
import type { ManagedIndex } from '../../../../lambdas/ism/managed-index/model';
import { newManagedIndex } from '../../../../lambdas/ism/managed-index/service';
import { explainEntry } from '../../../../lambdas/ism/managed-index/explain';
import type { Policy } from '../../../../lambdas/ism/policy/model';
import { ismWork, stepsPerRunFromEnv } from '../../../../lambdas/ism/runner/run-managed-index';
import type { JobContext, JobOutcome } from '../../../../lambdas/shared/jobs/run-due';

/**
 * The runner's pace: at ISM_STEPS_PER_RUN=1 each run does what one plugin job run does, so
 * explain shows every stage the plugin shows; unlimited, one run goes through them all.
 * The cluster is an in-memory stand-in for the two calls these actions make.
 */
const INDEX = 'pace-1';
const UUID = 'pace-uuid-0000000000001';

const policy: Policy = {
  policy_id: 'pace',
  description: 'two states',
  default_state: 's1',
  states: [
    { name: 's1', actions: [{ index_priority: { priority: 50 } }], transitions: [{ state_name: 's2' }] },
    { name: 's2', actions: [{ replica_count: { number_of_replicas: 0 } }], transitions: [] },
  ],
} as unknown as Policy;

const fakeCluster = (settings: Record<string, unknown>): ClusterApi => ({
  async request<T>(method: string, path: string, options?: { body?: unknown }): Promise<T> {
    if (method === 'GET' && path.startsWith('/_cluster/state/metadata/')) {
      const index = { uuid: UUID, creation_date: '1000' };
      return { metadata: { indices: { [INDEX]: { state: 'open', settings: { index } } } } } as T;
    }
    if (method === 'PUT' && path === `/${INDEX}/_settings`) {
      Object.assign(settings, options?.body);
      return { acknowledged: true } as T;
    }
    throw new Error(`unexpected ${method} ${path}`);
  },
});

const MINUTE = 60_000;

/** Runs the job once at `now`, keeping every checkpoint it saved. */
const runOnce = async (
  work: ReturnType<typeof ismWork>,
  state: ManagedIndex,
  now: number,
): Promise<{ outcome: JobOutcome<ManagedIndex>; saved: ManagedIndex[] }> => {
  const saved: ManagedIndex[] = [];
  let record = { id: UUID, rev: 1, state, dueAt: now };
  const ctx: JobContext<ManagedIndex> = {
    get record() {
      return record as never;
    },
    now: () => now,
    remainingMs: () => 60_000,
    checkpoint: async (s) => {
      saved.push(structuredClone(s));
      record = { ...record, state: s };
      return record as never;
    },
  };
  const outcome = await work(ctx);
  if (outcome === 'delete') throw new Error('deleted');
  return { outcome, saved };
};

const view = (m: ManagedIndex) => explainEntry(m, { showPolicy: false });

const start = (): ManagedIndex =>
  newManagedIndex(
    {
      name: INDEX,
      uuid: UUID,
      open: true,
      creationDate: 1000,
      hidden: false,
      settings: {},
      aliases: [],
      rolloverInfo: {},
    },
    { id: 'pace', version: 1, seqNo: 3, primaryTerm: 1, source: policy },
    0,
  );

describe('ISM_STEPS_PER_RUN', () => {
  it('reads a whole number; unset, empty, unlimited or nonsense is unlimited', () => {
    expect(stepsPerRunFromEnv({ ISM_STEPS_PER_RUN: '1' })).toBe(1);
    expect(stepsPerRunFromEnv({ ISM_STEPS_PER_RUN: ' 3 ' })).toBe(3);
    expect(stepsPerRunFromEnv({})).toBeUndefined();
    expect(stepsPerRunFromEnv({ ISM_STEPS_PER_RUN: 'unlimited' })).toBeUndefined();
    expect(stepsPerRunFromEnv({ ISM_STEPS_PER_RUN: '0' })).toBeUndefined();
  });
});

describe("at the plugin's pace (1 job run per run)", () => {
  it('shows each stage the plugin shows, one per job interval, and disables the index a run after it completes', async () => {
    const settings: Record<string, unknown> = {};
    const work = ismWork({
      cluster: fakeCluster(settings),
      policies: { get: async () => undefined },
      jobIntervalMs: MINUTE,
      jitter: 0,
      maxStepsPerRun: 1,
    });
    let state = start();
    const stages: Record<string, unknown>[] = [];
    const dues: (number | null)[] = [];
    for (let run = 1; run <= 6; run++) {
      const { outcome } = await runOnce(work, state, run * MINUTE);
      state = outcome.state;
      dues.push(outcome.dueAt as number | null);
      stages.push(view(state));
    }
    expect(stages[0]).toMatchObject({
      state: { name: 's1', start_time: MINUTE },
      retry_info: { failed: false, consumed_retries: 0 },
      info: { message: 'Successfully initialized policy: pace' },
      enabled: true,
    });
    expect(stages[0]).not.toHaveProperty('action');
    expect(stages[1]).toMatchObject({
      action: { name: 'index_priority', index: 0, last_retry_time: 0, start_time: 2 * MINUTE },
      step: { name: 'attempt_set_index_priority', step_status: 'completed' },
      info: { message: `Successfully set index priority to 50 [index=${INDEX}]` },
    });
    expect(stages[2]).toMatchObject({
      transition_to: 's2',
      info: { message: `Transitioning to s2 [index=${INDEX}]` },
    });
    expect(stages[2]).not.toHaveProperty('state');
    expect(stages[3]).toMatchObject({
      state: { name: 's2', start_time: 4 * MINUTE },
      action: { name: 'replica_count', index: 0, last_retry_time: 0 },
      step: { name: 'attempt_set_replica_count', step_status: 'completed' },
      info: { message: `Successfully set number_of_replicas to 0 [index=${INDEX}]` },
    });
    // Completed, still enabled: the plugin's next job run disables it.
    expect(stages[4]).toMatchObject({ policy_completed: true, enabled: true });
    expect(stages[4]).not.toHaveProperty('info');
    expect(stages[5]).toMatchObject({ policy_completed: true, enabled: false });
    expect(dues).toEqual([2, 3, 4, 5, 6, 0].map((n) => (n ? n * MINUTE : null)));
    expect(settings).toEqual({ 'index.priority': 50, 'index.number_of_replicas': 0 });
  });
});

describe('unlimited (the default)', () => {
  it('goes through every stage in one run, each saved as the plugin would save it', async () => {
    const work = ismWork({
      cluster: fakeCluster({}),
      policies: { get: async () => undefined },
      jobIntervalMs: MINUTE,
      jitter: 0,
    });
    const { outcome, saved } = await runOnce(work, start(), MINUTE);
    expect(view(outcome.state)).toMatchObject({ policy_completed: true, enabled: false });
    expect(outcome.dueAt).toBeNull();
    const messages = saved.map((s) => (s.metadata?.info as { message?: string } | undefined)?.message);
    expect(messages).toEqual([
      'Successfully initialized policy: pace',
      'Starting action index_priority and working on attempt_set_index_priority',
      `Successfully set index priority to 50 [index=${INDEX}]`,
      'Starting action transition and working on attempt_transition_step',
      `Transitioning to s2 [index=${INDEX}]`,
      'Starting action replica_count and working on attempt_set_replica_count',
      `Successfully set number_of_replicas to 0 [index=${INDEX}]`,
      'Starting action transition and working on attempt_transition_step',
      undefined,
    ]);
  });
});
