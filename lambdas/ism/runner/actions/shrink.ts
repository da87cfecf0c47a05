import Mustache from 'mustache';
import { errorMessage, seg, type ClusterApi } from '../../cluster-api';
import { indexInfo, type IndexInfo } from '../../managed-index/cluster-indices';
import type { ShrinkConfig } from '../../policy/model';
import {
  completed,
  failed,
  waiting,
  type ActionDefinition,
  type Step,
  type StepContext,
  type StepResult,
} from '../step';
import { freeBytesAfterShrink, invalidIndexNameReason, targetShardCount } from './shrink-plan';

/**
 * shrink (ShrinkAction.kt and step/shrink/*): four steps on core OpenSearch APIs.
 *
 * 1. `attempt_move_shards_step`: pick a data node with room for the shrink, block writes and
 *    require the index's shards on that node (`index.routing.allocation.require._name`);
 * 2. `wait_for_move_shards_step`: until a started, in-sync copy of every shard is on the node;
 * 3. `attempt_shrink_step`: `POST /<index>/_shrink/<target>`;
 * 4. `wait_for_shrink_step`: until the target's primaries have started; then clear the target's
 *    routing, restore the source's routing and write block, and switch aliases if asked.
 *
 * Progress lives in `action_properties.shrink_action_properties`, as in the plugin. The source's
 * original settings are recorded before step 1 touches them (its intent), so a crash between the
 * settings call and the metadata save cannot make us "restore" our own write block. Steps 2–4
 * undo the settings when they fail (4 also deletes the half-made target), and any failure
 * retries the action from step 1.
 *
 * No node lock, unlike the plugin: a second shrink of the same index cannot start because step 3
 * only calls `_shrink` when the target does not exist, and a resumed step 3 recognises a target
 * made from this very source (`index.resize.source.uuid`) as its own work.
 */
const ROUTING = 'index.routing.allocation.require._name';
const WRITE_BLOCK = 'index.blocks.write';
const DEFAULT_WAIT_MS = 12 * 3_600_000;
const MAX_DOCS_PER_SHARD = 2 ** 31;
/** How long one run waits for green health; the next run asks again. */
const GREEN_WAIT = '5s';

export interface ShrinkActionProperties {
  node_name: string;
  target_index_name: string;
  target_num_shards: number;
  original_index_settings: Record<string, string>;
}

const MOVE_FAILURE = 'Shrink failed to start moving shards.';
const WAIT_MOVE_FAILURE = 'Shrink failed when waiting for shards to move.';
const SHRINK_FAILURE = 'Shrink failed when sending shrink request.';
const WAIT_SHRINK_FAILURE = 'Shrink failed while waiting for shards to start.';
const METADATA_FAILURE = 'Shrink action properties are null, metadata was not properly populated';
const ONE_PRIMARY = 'Source index only has one primary shard. Skip this shrink execution.';
const ALREADY_TARGET = 'Source index already has target number of shards. Skip this shrink execution.';

const propsOf = (properties: Record<string, unknown>): Partial<ShrinkActionProperties> =>
  (properties.shrink_action_properties as Partial<ShrinkActionProperties> | undefined) ?? {};

const complete = (props: Partial<ShrinkActionProperties>): props is ShrinkActionProperties =>
  typeof props.node_name === 'string' &&
  typeof props.target_index_name === 'string' &&
  typeof props.target_num_shards === 'number';

const targetName = (config: ShrinkConfig, index: IndexInfo): string => {
  const fallback = `${index.name}_shrunken`;
  const template = config.target_index_name_template;
  if (!template) return fallback;
  const source = typeof template.source === 'string' ? template.source : JSON.stringify(template.source);
  const rendered = Mustache.render(source, {
    ...(template.params ?? {}),
    ctx: { index: index.name, indexUuid: index.uuid },
  });
  return rendered.trim() === '' ? fallback : rendered;
};

const isGreen = async (cluster: ClusterApi, index: string): Promise<boolean> => {
  const out = await cluster.request<{ status?: string; timed_out?: boolean }>(
    'GET',
    `/_cluster/health/${seg(index)}`,
    { query: { wait_for_status: 'green', timeout: GREEN_WAIT } },
  );
  return out.timed_out !== true && out.status === 'green';
};

interface CatShard {
  shard: string;
  prirep: string;
  state: string;
  node: string | null;
}

const shardsOf = (cluster: ClusterApi, index: string): Promise<CatShard[]> =>
  cluster.request<CatShard[]>('GET', `/_cat/shards/${seg(index)}`, {
    query: { format: 'json', h: 'shard,prirep,state,node' },
  });

interface NodeFs {
  name: string;
  roles?: string[];
  fs?: { total?: { total_in_bytes?: number; free_in_bytes?: number } };
}

const dataNodes = async (cluster: ClusterApi): Promise<NodeFs[]> => {
  const out = await cluster.request<{ nodes?: Record<string, NodeFs> }>('GET', '/_nodes/stats/fs');
  return Object.values(out.nodes ?? {}).filter(
    (n) => !n.roles || n.roles.some((r) => r === 'data' || r.startsWith('data_')),
  );
};

const highWatermark = async (cluster: ClusterApi): Promise<string | undefined> => {
  const key = 'cluster.routing.allocation.disk.watermark.high';
  const out = await cluster.request<Record<string, Record<string, string> | undefined>>(
    'GET',
    '/_cluster/settings',
    { query: { include_defaults: true, flat_settings: true } },
  );
  return out.transient?.[key] ?? out.persistent?.[key] ?? out.defaults?.[key];
};

const spaceLeft = (node: NodeFs, indexBytes: number, watermark: string | undefined): number =>
  freeBytesAfterShrink(
    node.fs?.total?.free_in_bytes ?? 0,
    node.fs?.total?.total_in_bytes ?? 0,
    indexBytes,
    watermark,
  );

/**
 * Data nodes with room for the shrink, least room first (the plugin's order), on which a dry-run
 * reroute accepts a move of every shard that has no copy there yet.
 */
const suitableNodes = async (cluster: ClusterApi, index: string, indexBytes: number): Promise<string[]> => {
  const watermark = await highWatermark(cluster);
  const candidates = (await dataNodes(cluster))
    .map((n) => ({ name: n.name, left: spaceLeft(n, indexBytes, watermark) }))
    .filter((n) => n.left > 0)
    .sort((a, b) => a.left - b.left);
  const shards = await shardsOf(cluster, index);
  const out: string[] = [];
  for (const { name } of candidates) {
    const commands: unknown[] = [];
    const requested = new Set<string>();
    for (const s of shards) {
      if (requested.has(s.shard) || shards.some((c) => c.shard === s.shard && c.node === name)) continue;
      if (s.state !== 'STARTED' || !s.node) continue;
      commands.push({ move: { index, shard: Number(s.shard), from_node: s.node, to_node: name } });
      requested.add(s.shard);
    }
    if (commands.length === 0) {
      out.push(name);
      continue;
    }
    try {
      const res = await cluster.request<{
        explanations?: { decisions?: { decision?: string }[] }[];
      }>('POST', '/_cluster/reroute', { query: { dry_run: true, explain: true }, body: { commands } });
      const yes = (res.explanations ?? []).filter((e) =>
        (e.decisions ?? []).every((d) => d.decision === 'YES'),
      ).length;
      if (yes === commands.length) out.push(name);
    } catch {
      // A refused move command: this node is not a candidate.
    }
  }
  return out;
};

const originalSettings = (index: IndexInfo): Record<string, string> => {
  const out: Record<string, string> = {};
  if (index.settings[ROUTING] !== undefined) out[ROUTING] = index.settings[ROUTING];
  if (index.settings[WRITE_BLOCK] !== undefined) out[WRITE_BLOCK] = index.settings[WRITE_BLOCK];
  return out;
};

/** Puts the source's routing and write block back as they were before the action. */
const resetSourceSettings = (cluster: ClusterApi, index: string, original: Record<string, string> = {}) =>
  cluster.request('PUT', `/${seg(index)}/_settings`, {
    body: { [ROUTING]: original[ROUTING] ?? null, [WRITE_BLOCK]: original[WRITE_BLOCK] ?? null },
  });

/** ShrinkStep.cleanupAndFail: undo what the action did (best effort), then fail without properties. */
const cleanupAndFail = async (
  ctx: StepContext<ShrinkConfig>,
  message: string,
  cause: unknown,
  deleteTarget: boolean,
): Promise<StepResult> => {
  const props = propsOf(ctx.properties);
  await resetSourceSettings(ctx.cluster, ctx.index.name, props.original_index_settings).catch(
    () => undefined,
  );
  if (deleteTarget && typeof props.target_index_name === 'string') {
    await ctx.cluster.request('DELETE', `/${seg(props.target_index_name)}`).catch(() => undefined);
  }
  return { ...failed(message, cause), properties: {} };
};

/** Steps 2–4 need what step 1 recorded. */
const withProperties = async (
  ctx: StepContext<ShrinkConfig>,
  run: (props: ShrinkActionProperties) => Promise<StepResult>,
): Promise<StepResult> => {
  const props = propsOf(ctx.properties);
  if (!complete(props)) return cleanupAndFail(ctx, METADATA_FAILURE, undefined, false);
  return run(props);
};

const timedOut = (ctx: StepContext<ShrinkConfig>): boolean =>
  ctx.now - (ctx.metadata.action?.start_time ?? ctx.now) > (ctx.timeoutMs ?? DEFAULT_WAIT_MS);

const attemptMoveShards: Step<ShrinkConfig> = {
  name: 'attempt_move_shards_step',
  intent({ index, properties }) {
    const props = propsOf(properties);
    return {
      shrink_action_properties: {
        ...props,
        original_index_settings: props.original_index_settings ?? originalSettings(index),
      },
    };
  },
  async execute(ctx) {
    const { cluster, config, index, properties } = ctx;
    const i = index.name;
    const original = propsOf(properties).original_index_settings ?? originalSettings(index);
    const skip = (message: string): StepResult => ({
      ...completed(message),
      properties: {},
      stepName: waitForShrink.name,
    });
    try {
      const target = targetName(config, index);
      if ((await indexInfo(cluster, target)) !== undefined) {
        return { ...failed(`Shrink failed because ${target} already exists.`), properties: {} };
      }
      const invalid = invalidIndexNameReason(target);
      if (invalid) return { ...failed(MOVE_FAILURE, invalid), properties: {} };
      if (!(await isGreen(cluster, i))) {
        return waiting('Shrink action cannot continue as the index is not green.');
      }
      if (config.force_unsafe !== true && Number(index.settings['index.number_of_replicas'] ?? 1) === 0) {
        return {
          ...failed('Shrink failed because index has no replicas and force_unsafe is not set to true.'),
          properties: {},
        };
      }
      const sourceShards = Number(index.settings['index.number_of_shards'] ?? 1);
      if (sourceShards === 1) return skip(ONE_PRIMARY);

      const stats = await cluster.request<{
        indices?: Record<
          string,
          { total?: { store?: { size_in_bytes?: number }; docs?: { count?: number } } }
        >;
      }>('GET', `/${seg(i)}/_stats/store,docs`);
      const total = stats.indices?.[i]?.total;
      const sizeBytes = total?.store?.size_in_bytes ?? 0;
      const shards = targetShardCount(config, sourceShards, sizeBytes);
      if (shards === sourceShards) return skip(ALREADY_TARGET);
      if ((total?.docs?.count ?? 0) / shards > MAX_DOCS_PER_SHARD) {
        return {
          ...failed('Shrink action failed due to too many documents on each target shard after shrink.'),
          properties: {},
        };
      }
      const nodes = await suitableNodes(cluster, i, sizeBytes);
      if (nodes.length === 0) {
        return waiting(
          'There is no node with enough disk space or shard moving permission for a shrink action.',
        );
      }
      const node = nodes[0];
      try {
        await cluster.request('PUT', `/${seg(i)}/_settings`, {
          body: { [WRITE_BLOCK]: true, [ROUTING]: node },
        });
      } catch (e) {
        await resetSourceSettings(cluster, i, original).catch(() => undefined);
        return {
          ...failed('Shrink failed because shard settings could not be updated.', errorMessage(e)),
          properties: {},
        };
      }
      const props: ShrinkActionProperties = {
        node_name: node,
        target_index_name: target,
        target_num_shards: shards,
        original_index_settings: original,
      };
      return {
        ...completed(`Successfully initialized moving the shards to ${node} for a shrink action.`),
        properties: { shrink_action_properties: props },
      };
    } catch (e) {
      return { ...failed(MOVE_FAILURE, errorMessage(e)), properties: {} };
    }
  },
};

const waitForMoveShards: Step<ShrinkConfig> = {
  name: 'wait_for_move_shards_step',
  execute: (ctx) =>
    withProperties(ctx, async (props) => {
      const { cluster, index } = ctx;
      const node = props.node_name;
      try {
        const shards = await shardsOf(cluster, index.name);
        const onNode = new Set(
          shards.filter((s) => s.node === node && s.state === 'STARTED').map((s) => s.shard),
        );
        const meta = await cluster.request<{
          metadata?: { indices?: Record<string, { in_sync_allocations?: Record<string, string[]> }> };
        }>('GET', `/_cluster/state/metadata/${seg(index.name)}`, {
          query: { filter_path: 'metadata.indices.*.in_sync_allocations' },
        });
        const copies = Number(index.settings['index.number_of_replicas'] ?? 0) + 1;
        const inSync = Object.values(meta.metadata?.indices?.[index.name]?.in_sync_allocations ?? {}).filter(
          (ids) => ids.length === copies,
        ).length;
        const primaries = Number(index.settings['index.number_of_shards'] ?? 1);
        if (onNode.size >= primaries && inSync >= primaries) {
          return completed(`The shards successfully moved to ${node}.`);
        }
        if (timedOut(ctx)) {
          return cleanupAndFail(
            ctx,
            `Shrink failed because it took too long to move shards to ${node}`,
            undefined,
            false,
          );
        }
        return waiting(`Shrink delayed because it took too long to move shards to ${node}`);
      } catch (e) {
        return cleanupAndFail(ctx, WAIT_MOVE_FAILURE, errorMessage(e), false);
      }
    }),
};

/** A target made by a shrink of this very source: our own work, found again after a crash. */
const ownTarget = async (cluster: ClusterApi, source: IndexInfo, target: string): Promise<boolean> => {
  const info = await indexInfo(cluster, target);
  return info !== undefined && info.settings['index.resize.source.uuid'] === source.uuid;
};

const attemptShrink: Step<ShrinkConfig> = {
  name: 'attempt_shrink_step',
  execute: (ctx) =>
    withProperties(ctx, async (props) => {
      const { cluster, index, config } = ctx;
      const i = index.name;
      const target = props.target_index_name;
      const started = completed(`Shrink started. ${target} currently being populated.`);
      try {
        if (await ownTarget(cluster, index, target)) return started;
        if (!(await isGreen(cluster, i))) return waiting('Shrink delayed because index health is not green.');
        const stats = await cluster.request<{
          indices?: Record<string, { total?: { store?: { size_in_bytes?: number } } }>;
        }>('GET', `/${seg(i)}/_stats/store`);
        const sizeBytes = stats.indices?.[i]?.total?.store?.size_in_bytes ?? 0;
        const node = (await dataNodes(cluster)).find((n) => n.name === props.node_name);
        if (!node) {
          return cleanupAndFail(
            ctx,
            SHRINK_FAILURE,
            `node [${props.node_name}] is no longer in the cluster`,
            false,
          );
        }
        if (spaceLeft(node, sizeBytes, await highWatermark(cluster)) < 1) {
          return cleanupAndFail(
            ctx,
            'Shrink failed as the selected node no longer had enough free space to shrink to.',
            undefined,
            false,
          );
        }
        await cluster.request('PUT', `/${seg(i)}/_settings`, { body: { [WRITE_BLOCK]: true } });
        const aliases: Record<string, unknown> = {};
        for (const entry of config.aliases ?? []) {
          for (const [name, body] of Object.entries(entry)) {
            aliases[name] = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null));
          }
        }
        const res = await cluster.request<{ acknowledged?: boolean }>(
          'POST',
          `/${seg(i)}/_shrink/${seg(target)}`,
          {
            body: {
              settings: { [ROUTING]: props.node_name, 'index.number_of_shards': props.target_num_shards },
              ...(Object.keys(aliases).length > 0 ? { aliases } : {}),
            },
          },
        );
        if (res.acknowledged === false) {
          return cleanupAndFail(ctx, SHRINK_FAILURE, 'the resize index request was not acknowledged', false);
        }
        return started;
      } catch (e) {
        return cleanupAndFail(ctx, SHRINK_FAILURE, errorMessage(e), false);
      }
    }),
};

/** Moves every alias of the source to the target, keeping filters, routing and flags. */
const switchAliases = async (cluster: ClusterApi, source: string, target: string): Promise<void> => {
  const out = await cluster.request<Record<string, { aliases?: Record<string, Record<string, unknown>> }>>(
    'GET',
    `/${seg(source)}/_alias`,
  );
  const actions: unknown[] = [];
  for (const [alias, body] of Object.entries(out[source]?.aliases ?? {})) {
    actions.push({ remove: { index: source, alias } });
    actions.push({ add: { index: target, alias, ...body } });
  }
  if (actions.length > 0) await cluster.request('POST', '/_aliases', { body: { actions } });
};

const waitForShrink: Step<ShrinkConfig> = {
  name: 'wait_for_shrink_step',
  execute: (ctx) =>
    withProperties(ctx, async (props) => {
      const { cluster, index, config } = ctx;
      const target = props.target_index_name;
      try {
        const info = await indexInfo(cluster, target);
        if (!info) return cleanupAndFail(ctx, WAIT_SHRINK_FAILURE, `no such index [${target}]`, true);
        const startedPrimaries = (await shardsOf(cluster, target)).filter(
          (s) => s.prirep === 'p' && s.state === 'STARTED',
        ).length;
        const shards = Number(info.settings['index.number_of_shards']);
        if (shards !== props.target_num_shards || startedPrimaries !== props.target_num_shards) {
          if (timedOut(ctx)) {
            const message = `Shrink failed because it timed out while waiting for ${target} shrink to finish.`;
            return cleanupAndFail(ctx, message, undefined, true);
          }
          return waiting(`Shrink delayed because ${target} shards not in started state.`);
        }
        await cluster.request('PUT', `/${seg(target)}/_settings`, { body: { [ROUTING]: null } });
        await resetSourceSettings(cluster, index.name, props.original_index_settings);
        if (config.switch_aliases) {
          try {
            await switchAliases(cluster, index.name, target);
          } catch (e) {
            return {
              ...failed('Shrink failed due to aliases switch failure.', errorMessage(e)),
              properties: {},
            };
          }
        }
        return completed('Shrink finished successfully.');
      } catch (e) {
        return cleanupAndFail(ctx, WAIT_SHRINK_FAILURE, errorMessage(e), true);
      }
    }),
};

export const shrink: ActionDefinition<'shrink'> = {
  type: 'shrink',
  steps: () => [attemptMoveShards, waitForMoveShards, attemptShrink, waitForShrink],
  retryFromFirstStep: true,
};
