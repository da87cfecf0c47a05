import { errorMessage, seg, type ClusterApi } from '../../cluster-api';
import type { IndexInfo } from '../../managed-index/cluster-indices';
import { parentDataStream, type ParentDataStream } from '../../managed-index/data-stream';
import type { RolloverConditionGroup, RolloverConfig } from '../../policy/model';
import { bytesOf, formatBytes, formatMillis, millisOf } from '../format';
import { indexStats, type IndexStats } from '../index-stats';
import {
  completed,
  failed,
  waiting,
  type ActionDefinition,
  type Step,
  type StepContext,
  type StepResult,
} from '../step';

/**
 * rollover: one step, `attempt_rollover` (AttemptRolloverStep.kt).
 *
 * The rollover alias, in order: the plugin's index setting
 * `index.plugins.index_state_management.rollover_alias` (or the legacy opendistro one) where the
 * cluster has it; else the index's write alias (`is_write_index: true`); else its only alias if
 * that alias points at this index alone. A plugin-free cluster refuses the plugin setting, so the
 * write alias is the natural way: create `logs-000001` with `"aliases":{"logs":{"is_write_index":true}}`.
 * Nothing is recorded in `action_properties` (the plugin records nothing there for rollover): a
 * run that resumes after a crash (when this index is no longer the write index) finds the alias
 * again in the index's `rollover_info`, which also tells that the rollover already happened.
 *
 * A backing index of a data stream rolls its data stream over instead (the plugin's
 * `parentDataStream` target): no alias is needed and none is checked. A backing index that is no
 * longer the stream's write index has been rolled over already (the cluster also leaves
 * `rollover_info` under the stream's name on it), so a resumed run never rolls over twice.
 */
const ALIAS_SETTINGS = [
  'index.plugins.index_state_management.rollover_alias',
  'index.opendistro.index_state_management.rollover_alias',
];
const SKIP_SETTINGS = [
  'index.plugins.index_state_management.rollover_skip',
  'index.opendistro.index_state_management.rollover_skip',
];

type AliasView = Record<string, { aliases?: Record<string, { is_write_index?: boolean }> }>;

const aliasesOf = async (
  cluster: ClusterApi,
  index: string,
): Promise<Record<string, { is_write_index?: boolean }>> =>
  (await cluster.request<AliasView>('GET', `/${seg(index)}/_alias`))[index]?.aliases ?? {};

/** Indices an alias points to, with their write flag. */
const aliasTargets = async (cluster: ClusterApi, alias: string): Promise<AliasView> => {
  try {
    return await cluster.request<AliasView>('GET', `/_alias/${seg(alias)}`);
  } catch {
    return {};
  }
};

export const findRolloverAlias = async (
  cluster: ClusterApi,
  index: IndexInfo,
): Promise<string | undefined> => {
  for (const key of ALIAS_SETTINGS) if (index.settings[key]) return index.settings[key];
  const aliases = await aliasesOf(cluster, index.name);
  const write = Object.entries(aliases).find(([, a]) => a.is_write_index === true);
  if (write) return write[0];
  // Already rolled over (e.g. a crash before the result was saved): the alias it left.
  const rolled = Object.keys(index.rolloverInfo);
  if (rolled.length === 1) return rolled[0];
  const names = Object.keys(aliases);
  if (names.length === 1) {
    const targets = await aliasTargets(cluster, names[0]);
    if (Object.keys(targets).length === 1) return names[0];
  }
  return undefined;
};

/** The alias's current write index (the index a rollover created). */
const writeIndexOf = async (cluster: ClusterApi, alias: string): Promise<string | undefined> => {
  const targets = await aliasTargets(cluster, alias);
  const entries = Object.entries(targets);
  const write = entries.find(([, v]) => v.aliases?.[alias]?.is_write_index === true);
  if (write) return write[0];
  return entries.length === 1 ? entries[0][0] : undefined;
};

type ConditionReport = Record<string, Record<string, unknown>>;

/** Flat conditions are ORed; within an `any_of` group they are ANDed. */
const evaluateGroup = (
  group: RolloverConditionGroup,
  stats: IndexStats,
  ageMs: number,
  creationDate: number,
  all: boolean,
): { met: boolean; report: ConditionReport } => {
  const report: ConditionReport = {};
  const met: boolean[] = [];
  if (group.min_index_age !== undefined) {
    report.min_index_age = { condition: group.min_index_age, current: formatMillis(ageMs), creationDate };
    met.push(ageMs >= millisOf(group.min_index_age));
  }
  if (group.min_doc_count !== undefined) {
    report.min_doc_count = { condition: group.min_doc_count, current: stats.docCount };
    met.push(stats.docCount >= group.min_doc_count);
  }
  if (group.min_size !== undefined) {
    report.min_size = { condition: group.min_size, current: formatBytes(stats.sizeBytes) };
    met.push(stats.sizeBytes >= bytesOf(group.min_size));
  }
  if (group.min_primary_shard_size !== undefined) {
    report.min_primary_shard_size = {
      condition: group.min_primary_shard_size,
      current: formatBytes(stats.largestPrimaryShard.bytes),
      shard: stats.largestPrimaryShard.shard,
    };
    met.push(stats.largestPrimaryShard.bytes >= bytesOf(group.min_primary_shard_size));
  }
  return { met: met.length > 0 && (all ? met.every(Boolean) : met.some(Boolean)), report };
};

const copyAliases = async (ctx: StepContext<RolloverConfig>, alias: string, newIndex: string | undefined) => {
  const i = ctx.index.name;
  if (!newIndex) {
    return completed(
      `Successfully rolled over [index=${i}] but ISM cannot find rolled over index from metadata to copy aliases to, please manually copy`,
    );
  }
  try {
    const view = await ctx.cluster.request<
      Record<string, { aliases?: Record<string, Record<string, unknown>> }>
    >('GET', `/${seg(i)}/_alias`);
    const others = Object.entries(view[i]?.aliases ?? {}).filter(([name]) => name !== alias);
    if (others.length === 0) {
      return completed(
        `Successfully rolled over index [index=${i}] to [index=${newIndex}], no additional aliases to copy`,
      );
    }
    const actions = others.map(([name, a]) => {
      // The write flag stays with the rollover alias only.
      const rest = Object.fromEntries(Object.entries(a).filter(([k]) => k !== 'is_write_index'));
      return { add: { index: newIndex, alias: name, ...rest } };
    });
    const out = await ctx.cluster.request<{ acknowledged?: boolean }>('POST', '/_aliases', {
      body: { actions },
    });
    if (!out.acknowledged) {
      return failed(
        `Successfully rolled over but copy alias from [index=${i}] to [index=${newIndex}] is not acknowledged`,
      );
    }
    return completed(`Successfully rolled over and copied alias from [index=${i}] to [index=${newIndex}]`);
  } catch (e) {
    return failed(
      `Successfully rolled over but failed to copy alias from [index=${i}] to [index=${newIndex}]`,
      errorMessage(e),
    );
  }
};

/**
 * The rollover conditions against the index's stats and age: the result to report when they do
 * not hold (or cannot be read), else the `conditions` info to report with the rollover.
 */
const evaluateConditions = async (
  ctx: StepContext<RolloverConfig>,
): Promise<StepResult | { extra: Record<string, unknown> }> => {
  const { index, config, cluster } = ctx;
  const i = index.name;
  const groups: RolloverConditionGroup[] = config.any_of ?? [config];
  const hasConditions = groups.some((g) => Object.keys(conditionsOf(g)).length > 0);
  if (!hasConditions && !config.prevent_empty_rollover) return { extra: {} };
  let stats: IndexStats;
  try {
    stats = await indexStats(
      cluster,
      i,
      groups.some((g) => g.min_primary_shard_size !== undefined),
    );
  } catch (e) {
    return failed(`Failed to evaluate conditions for rollover [index=${i}]`, errorMessage(e));
  }
  if (config.prevent_empty_rollover && stats.docCount === 0) {
    return waiting(`Rollover prevented: index is empty (0 documents) [index=${i}]`, {
      conditions: {
        prevent_empty_rollover: { condition: 'index must have at least 1 document', current: 0 },
      },
    });
  }
  const age = index.creationDate > 0 ? ctx.now - index.creationDate : 0;
  const results = groups.map((g) =>
    evaluateGroup(conditionsOf(g), stats, age, index.creationDate, config.any_of !== undefined),
  );
  const met = !hasConditions || results.some((r) => r.met);
  const report = config.any_of ? { any_of: results.map((r) => r.report) } : (results[0]?.report ?? {});
  if (!met) return waiting(`Pending rollover of index [index=${i}]`, { conditions: report });
  return { extra: hasConditions ? { conditions: report } : {} };
};

/**
 * A rollover found done by a resumed run (or a retry of ours) may be missing from the rollover
 * history: the run that rolled over died before recording it. It is recorded then (the port
 * checks the history first). A rollover found done that is not ours (made directly on the
 * cluster) is not recorded as ISM's.
 */
const recordFound = async (
  ctx: StepContext<RolloverConfig>,
  alias: string,
  newIndex: string | undefined,
): Promise<void> => {
  if (!ctx.rolloverFound || !newIndex || !(ctx.resumed || ctx.metadata.rolled_over === true)) return;
  await ctx.rolloverFound({ alias, oldIndex: ctx.index.name, newIndex });
};

/**
 * A backing index rolls its data stream over (AttemptRolloverStep with `isDataStream`): no alias
 * pre-check; the stream is the target the cluster's `_rollover` takes. copy_alias copies the old
 * backing index's aliases, as the plugin does (backing indices rarely have any).
 */
const rollDataStream = async (
  ctx: StepContext<RolloverConfig>,
  stream: ParentDataStream,
): Promise<StepResult> => {
  const { index, config } = ctx;
  const i = index.name;
  const ds = stream.name;
  // Already rolled over: the cluster's rollover_info, our own metadata (a crash after the call),
  // or simply no longer the write index (rolled over by hand, or before a crash).
  if (index.rolloverInfo[ds] !== undefined || ctx.metadata.rolled_over || !stream.isWriteIndex) {
    const message = `This index has already been rolled over using this alias, treating as a success [index=${i}, alias=${ds}]`;
    await recordFound(ctx, ds, stream.next);
    const rolled = { rolledOver: true, rolledOverIndexName: stream.next };
    if (config.copy_alias) return { ...(await copyAliases(ctx, ds, stream.next)), ...rolled };
    return { ...completed(message), ...rolled };
  }
  const evaluated = await evaluateConditions(ctx);
  if ('status' in evaluated) return evaluated;
  try {
    const out = ctx.rollover
      ? await ctx.rollover(ds)
      : await ctx.cluster.request<{ acknowledged?: boolean; new_index?: string }>(
          'POST',
          `/${seg(ds)}/_rollover`,
        );
    if (!out.acknowledged) {
      return failed(`Failed to rollover data stream [data_stream=${ds}]`, undefined, evaluated.extra);
    }
    const rolled = { rolledOver: true, rolledOverIndexName: out.new_index };
    if (config.copy_alias) return { ...(await copyAliases(ctx, ds, out.new_index)), ...rolled };
    return {
      ...completed(`Successfully rolled over data stream [data_stream=${ds} index=${i}]`, evaluated.extra),
      ...rolled,
    };
  } catch (e) {
    return failed(`Failed to rollover index [index=${i}]`, errorMessage(e));
  }
};

const attemptRollover: Step<RolloverConfig> = {
  name: 'attempt_rollover',
  async execute(ctx) {
    const { index, config, cluster } = ctx;
    const i = index.name;
    if (SKIP_SETTINGS.some((k) => index.settings[k] === 'true')) {
      return completed(`Skipped rollover action for [index=${i}]`);
    }
    const stream = await parentDataStream(cluster, i);
    if (stream) return rollDataStream(ctx, stream);
    const alias = await findRolloverAlias(cluster, index);
    if (!alias) {
      return failed(`Missing rollover_alias index setting [index=${i}]`, undefined, {
        cause:
          'Give the index a write alias ("aliases": {"<alias>": {"is_write_index": true}}) or an alias that points to it alone; plugin clusters may also set index.plugins.index_state_management.rollover_alias',
      });
    }
    const done = async (message: string) => {
      const newIndex = await writeIndexOf(cluster, alias);
      await recordFound(ctx, alias, newIndex !== i ? newIndex : undefined);
      const rolled = { rolledOver: true, rolledOverIndexName: newIndex !== i ? newIndex : undefined };
      if (config.copy_alias)
        return { ...(await copyAliases(ctx, alias, newIndex !== i ? newIndex : undefined)), ...rolled };
      return { ...completed(message), ...rolled };
    };
    // Already rolled over (a crash after the call, or a rollover by hand): never roll twice.
    if (index.rolloverInfo[alias] !== undefined || ctx.metadata.rolled_over) {
      return done(
        `This index has already been rolled over using this alias, treating as a success [index=${i}, alias=${alias}]`,
      );
    }
    const aliases = await aliasesOf(cluster, i);
    const mine = aliases[alias];
    const onlyTarget = mine && Object.keys(await aliasTargets(cluster, alias)).length === 1;
    if (!mine || (mine.is_write_index !== true && !onlyTarget)) {
      return failed(`Missing alias or not the write index when rollover [index=${i}]`);
    }

    const evaluated = await evaluateConditions(ctx);
    if ('status' in evaluated) return evaluated;
    const { extra } = evaluated;
    try {
      const out = ctx.rollover
        ? await ctx.rollover(alias)
        : await cluster.request<{ acknowledged?: boolean; new_index?: string }>(
            'POST',
            `/${seg(alias)}/_rollover`,
          );
      if (!out.acknowledged) {
        return failed(
          `New index created, but failed to update alias [index=${i}, newIndex=${out.new_index}]`,
        );
      }
      const base = {
        ...completed(`Successfully rolled over index [index=${i}]`, extra),
        rolledOver: true,
        rolledOverIndexName: out.new_index,
      };
      if (config.copy_alias)
        return {
          ...(await copyAliases(ctx, alias, out.new_index)),
          rolledOver: true,
          rolledOverIndexName: out.new_index,
        };
      return base;
    } catch (e) {
      return failed(`Failed to rollover index [index=${i}]`, errorMessage(e));
    }
  },
};

const conditionsOf = (g: RolloverConditionGroup): RolloverConditionGroup => {
  const out: RolloverConditionGroup = {};
  if (g.min_size !== undefined) out.min_size = g.min_size;
  if (g.min_doc_count !== undefined) out.min_doc_count = g.min_doc_count;
  if (g.min_index_age !== undefined) out.min_index_age = g.min_index_age;
  if (g.min_primary_shard_size !== undefined) out.min_primary_shard_size = g.min_primary_shard_size;
  return out;
};

export const rollover: ActionDefinition<'rollover'> = {
  type: 'rollover',
  steps: () => [attemptRollover],
};
