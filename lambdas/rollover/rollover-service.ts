import type { Clock } from '../shared/clock';
import { rolloverHooks, type RolloverHook, type RolloverOutcome, type RolloverPlan } from './hooks';
import type { RolloverHistory } from './history-store';
import type { ClusterReply, ClusterRolloverInfo, RolloverCluster } from './cluster-rollover';
import {
  conditionsFromRolloverInfo,
  isRolloverResponse,
  metConditions,
  type RolloverRecord,
  type RolloverRequest,
  type RolloverResponse,
  type RolloverSource,
} from './model';
import './registered-hooks';

/**
 * Rolls an alias or data stream over, the one way the control plane does it (API and ISM).
 *
 * The cluster's own `_rollover` does the work: every OpenSearch (and Elasticsearch) cluster has
 * it in core, and only it can create the new index and swap the write alias atomically. So the
 * conditions, the new name (increment, date math, data-stream generation), the alias handling,
 * the validation and every error are the cluster's, byte for byte. Around it we add what a
 * cluster cannot do: the history of rollovers (for explain and audit) and the hooks other
 * features act on (ingestion hands its stream position to the new index).
 */
export class RolloverRejected extends Error {
  constructor(readonly reply: ClusterReply) {
    super(RolloverRejected.reasonOf(reply));
    this.name = 'RolloverRejected';
  }

  /** The top-level reason of the cluster's error envelope, for logs and ISM info messages. */
  static reasonOf(reply: ClusterReply): string {
    const error = (reply.body as { error?: unknown } | undefined)?.error;
    if (typeof error === 'string') return error;
    const reason = (error as { reason?: unknown } | undefined)?.reason;
    return typeof reason === 'string' ? reason : `rollover failed with status ${reply.status}`;
  }
}

export interface RolloverLog {
  error(message: string, extra: Record<string, unknown>): void;
}

const wouldRollOver = (r: RolloverResponse): boolean =>
  Object.keys(r.conditions).length === 0 || Object.values(r.conditions).some(Boolean);

const isDryRun = (request: RolloverRequest): boolean =>
  request.params?.dry_run !== undefined && request.params.dry_run !== 'false';

export class RolloverService {
  constructor(
    private readonly cluster: RolloverCluster,
    private readonly history: RolloverHistory,
    private readonly clock: Clock,
    private readonly log: RolloverLog,
    private readonly hooks: () => readonly RolloverHook[] = rolloverHooks,
  ) {}

  /**
   * Performs the rollover and returns the cluster's response. Throws {@link RolloverRejected}
   * with the cluster's status and error body when the cluster refuses it.
   */
  async rollover(request: RolloverRequest): Promise<RolloverResponse> {
    const hooks = this.hooks();
    const dryRun = isDryRun(request);
    let plan: RolloverPlan | undefined;
    const before = hooks.filter((h) => h.beforeRollover);
    if (!dryRun && before.length > 0) {
      // The dry run validates everything and names both indices, so hooks see the exact plan.
      const preview = this.accepted(await this.send(request, { dry_run: 'true' }));
      if (wouldRollOver(preview)) {
        plan = { alias: request.alias, oldIndex: preview.old_index, newIndex: preview.new_index, request };
        try {
          for (const hook of before) await hook.beforeRollover?.(plan);
        } catch (error) {
          // Hooks that already prepared (e.g. paused a poller) learn that nothing happened.
          await this.after(hooks, { plan, rolledOver: false, error });
          throw error;
        }
      }
    }

    let reply: ClusterReply;
    try {
      reply = await this.send(request, {});
    } catch (error) {
      if (plan) await this.after(hooks, { plan, rolledOver: false, error });
      throw error;
    }
    if (reply.status !== 200 || !isRolloverResponse(reply.body)) {
      if (plan) await this.after(hooks, { plan, rolledOver: false, error: new RolloverRejected(reply) });
      throw new RolloverRejected(reply);
    }
    const response = reply.body;
    if (response.dry_run) return response;
    plan ??= { alias: request.alias, oldIndex: response.old_index, newIndex: response.new_index, request };
    if (!response.rolled_over) {
      await this.after(hooks, { plan, rolledOver: false });
      return response;
    }
    const record = await this.recordRollover({
      alias: request.alias,
      old_index: response.old_index,
      new_index: response.new_index,
      conditions: response.conditions,
      met_conditions: metConditions(response.conditions),
      time: this.clock.now(),
      source: request.source,
    });
    await this.after(hooks, { plan, rolledOver: true, record });
    return response;
  }

  /**
   * Records a rollover (the service does it for its own; ISM calls it for a rollover it confirmed
   * some other way, e.g. found done on the cluster after a crash). A failed write is logged, not
   * thrown: the rollover itself has happened and must not be reported as failed.
   */
  async recordRollover(record: RolloverRecord): Promise<RolloverRecord> {
    try {
      await this.history.record(record);
    } catch (error) {
      this.log.error('rollover done but not recorded in the history', { error, record });
    }
    return record;
  }

  /**
   * Records a rollover found done on the cluster (ISM resuming a run that died after the
   * cluster's rollover but before it was recorded), unless the history has it already: a
   * record that exists is returned as it is, never rewritten. The time and the met conditions
   * are the cluster's own (`rollover_info` of the old index), the clock's time when the cluster
   * has none. Like {@link recordRollover}, it logs a failure instead of throwing: the rollover
   * has happened either way.
   */
  async recordFound(found: {
    alias: string;
    old_index: string;
    new_index: string;
    source: RolloverSource;
  }): Promise<RolloverRecord | undefined> {
    try {
      const known = (await this.history.forIndex(found.old_index)).find((r) => r.alias === found.alias);
      if (known) return known;
      const info = await this.rolledOverOnCluster(found.old_index, found.alias);
      const conditions = conditionsFromRolloverInfo(info?.met_conditions);
      return await this.recordRollover({
        ...found,
        conditions,
        met_conditions: metConditions(conditions),
        time: typeof info?.time === 'number' ? info.time : this.clock.now(),
      });
    } catch (error) {
      this.log.error('rollover found done but not recorded in the history', { error, found });
      return undefined;
    }
  }

  /**
   * What the cluster remembers of `index` rolling over for `alias` (its `rollover_info`), or
   * undefined when it did not. ISM uses it to recognise a rollover already done (e.g. before a
   * crash) instead of rolling over twice, as the plugin does.
   */
  async rolledOverOnCluster(index: string, alias: string): Promise<ClusterRolloverInfo | undefined> {
    return (await this.cluster.rolloverInfo(index))[alias];
  }

  private async send(request: RolloverRequest, override: { dry_run?: string }): Promise<ClusterReply> {
    return this.cluster.rollover({
      alias: request.alias,
      newIndex: request.newIndex,
      body: request.body,
      params: { ...request.params, ...override },
    });
  }

  private accepted(reply: ClusterReply): RolloverResponse {
    if (reply.status !== 200 || !isRolloverResponse(reply.body)) throw new RolloverRejected(reply);
    return reply.body;
  }

  private async after(hooks: readonly RolloverHook[], outcome: RolloverOutcome): Promise<void> {
    for (const hook of hooks) {
      if (!hook.afterRollover) continue;
      try {
        await hook.afterRollover(outcome);
      } catch (error) {
        this.log.error('rollover hook failed', { hook: hook.name, error, alias: outcome.plan.alias });
      }
    }
  }
}
