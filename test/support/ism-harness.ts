import { ManualClock } from '../../lambdas/shared/clock';
import { runDue, type JobContext } from '../../lambdas/shared/jobs/run-due';
import type { ClusterApi } from '../../lambdas/ism/cluster-api';
import { clusterApi } from '../../lambdas/ism/cluster-deps';
import { managedStore, policyStore } from '../../lambdas/ism/managed-deps';
import { indexInfo } from '../../lambdas/ism/managed-index/cluster-indices';
import type { ManagedIndex } from '../../lambdas/ism/managed-index/model';
import { ismWork, type RunnerDeps } from '../../lambdas/ism/runner/run-managed-index';
import { ismRolloverPorts } from '../../lambdas/ism/rollover-deps';
import { startTestApi, type TestApi } from './api';
import { validateResponse } from './spec';

/**
 * What ISM runner tests share: the API over the real local server, the runner (runDue + the ISM
 * job function) on a ManualClock against the real node, and a way to kill a run at the boundary
 * between a step's cluster call and its metadata save.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const MINUTE = 60_000;

export class Crash extends Error {}

export interface IsmHarness {
  api: TestApi;
  cluster: ClusterApi;
  clock: ManualClock;
  runner(c?: ClusterApi, extra?: Partial<RunnerDeps>): ReturnType<typeof ismWork>;
  /** One ism-runner invocation at the clock's time (at least the wall clock's: adds are due then). */
  tick(c?: ClusterApi): Promise<Awaited<ReturnType<typeof runDue>>>;
  /** Moves the clock and runs once. */
  later(ms?: number, c?: ClusterApi): Promise<Awaited<ReturnType<typeof runDue>>>;
  putPolicy(id: string, policy: Json): Promise<void>;
  add(index: string, policyId: string): Promise<Json>;
  explain(index: string, query?: string): Promise<Json>;
  exists(index: string): Promise<boolean>;
  settings(index: string): Promise<Record<string, string>>;
  /**
   * Runs the index's job under a lease and kills it at a boundary of step `stepName`: `before`
   * dies right after the `starting` checkpoint is saved (before the cluster call); `after` dies
   * when the step's result would be saved (the cluster call made). The lease is left to expire.
   * `extra` replaces runner dependencies for this run (e.g. a rollover that dies half-way).
   */
  crashOnce(
    when: 'before' | 'after',
    index: string,
    stepName: string,
    extra?: Partial<RunnerDeps>,
  ): Promise<void>;
  /**
   * Runs the index's job once (when due) and returns every metadata the run saved, in order:
   * what a step reported even when the same run went on to the next step.
   */
  runRecording(index: string): Promise<Json[]>;
  close(): Promise<void>;
}

/** `defaults` for every runner; a function when they need the API's environment (built on use). */
export const startIsmHarness = async (
  defaults: Partial<RunnerDeps> | (() => Partial<RunnerDeps>) = {},
): Promise<IsmHarness> => {
  const api = await startTestApi();
  const cluster = clusterApi();
  const clock = new ManualClock(Date.now());
  const runner = (c: ClusterApi = cluster, extra: Partial<RunnerDeps> = {}) =>
    ismWork({
      cluster: c,
      policies: policyStore(),
      jobIntervalMs: MINUTE,
      jitter: 0,
      ...ismRolloverPorts(),
      ...(typeof defaults === 'function' ? defaults() : defaults),
      ...extra,
    });
  const tick = async (c?: ClusterApi) => {
    clock.set(Math.max(clock.now(), Date.now()));
    return runDue({ store: managedStore(), clock, work: runner(c), leaseMs: 6 * MINUTE });
  };
  const explain = async (index: string, query = ''): Promise<Json> => {
    const r = await api.request('GET', `/_plugins/_ism/explain/${index}${query}`);
    expect(r.status).toBe(200);
    expect(validateResponse('ism', 'GET', '/_plugins/_ism/explain/{index}', 200, r.body)).toEqual([]);
    return r.body[index];
  };
  /**
   * Runs the index's due job under a lease, every checkpoint going through `onSave` (which saves by
   * calling `save`, or throws Crash). A Crash leaves the lease to expire; the outcome is saved as
   * runDue saves it.
   */
  const runLeased = async (
    index: string,
    onSave: (state: ManagedIndex, save: () => Promise<void>) => Promise<void>,
    extra: Partial<RunnerDeps> = {},
  ): Promise<'crashed' | 'done' | 'not due'> => {
    const store = managedStore();
    clock.set(Math.max(clock.now(), Date.now()));
    let ran: 'crashed' | 'done' | 'not due' = 'not due';
    for (const d of await store.findDue(clock.now(), 100)) {
      const held = await store.lease(d.id, 'harness', clock.now(), 6 * MINUTE);
      if (!held || held.state.index !== index) {
        if (held) await store.release(held);
        continue;
      }
      let current = held;
      const ctx: JobContext<ManagedIndex> = {
        get record() {
          return current;
        },
        now: () => clock.now(),
        remainingMs: () => 60_000,
        checkpoint: async (state, dueAt) => {
          await onSave(state, async () => {
            current = await store.save(
              current,
              state,
              dueAt === undefined ? (current.dueAt ?? null) : dueAt,
              clock.now() + 6 * MINUTE,
            );
          });
          return current;
        },
      };
      try {
        const outcome = await runner(cluster, extra)(ctx);
        if (outcome === 'delete') await store.deleteIf(d.id, current.rev);
        else
          await onSave(
            outcome.state,
            async () => void (await store.save(current, outcome.state, outcome.dueAt)),
          );
        ran = 'done';
      } catch (e) {
        if (!(e instanceof Crash)) throw e;
        ran = 'crashed';
      }
    }
    return ran;
  };
  return {
    api,
    cluster,
    clock,
    runner,
    tick,
    later: async (ms = 2 * MINUTE, c?: ClusterApi) => {
      clock.advance(ms);
      return tick(c);
    },
    async putPolicy(id, policy) {
      const r = await api.request('PUT', `/_plugins/_ism/policies/${id}`, { policy });
      expect(r.status).toBe(201);
    },
    async add(index, policyId) {
      const r = await api.request('POST', `/_plugins/_ism/add/${index}`, { policy_id: policyId });
      expect(r.body).toMatchObject({ updated_indices: 1, failures: false });
      return r.body;
    },
    explain,
    exists: async (index) => (await indexInfo(cluster, index)) !== undefined,
    settings: async (index) => (await indexInfo(cluster, index))?.settings ?? {},
    async crashOnce(when, index, stepName, extra) {
      const crashed = await runLeased(
        index,
        async (state, save) => {
          const step = state.metadata?.step;
          const ours = step?.name === stepName;
          if (when === 'after' && ours && step?.step_status !== 'starting') throw new Crash('after');
          await save();
          if (when === 'before' && ours && step?.step_status === 'starting') throw new Crash('before');
        },
        extra,
      );
      expect(crashed).toBe('crashed');
    },
    async runRecording(index) {
      const saved: Json[] = [];
      const ran = await runLeased(index, async (state, save) => {
        await save();
        if (state.metadata) saved.push(JSON.parse(JSON.stringify(state.metadata)) as Json);
      });
      expect(ran).toBe('done');
      return saved;
    },
    close: () => api.close(),
  };
};
