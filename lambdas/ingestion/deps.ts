import { clusterClient } from '../shared/cluster';
import { systemClock } from '../shared/clock';
import { documentClient, tableName } from '../shared/dynamo';
import { JobStore } from '../shared/jobs/job-store';
import { DynamoRolloverHistory } from '../rollover/history-store';
import { IngestionClusterAdapter } from './cluster-adapter';
import { IngestionHandover } from './handover';
import { DEFAULT_TARGETS_TTL_MS, IngestedTargetsCache } from './ingested-targets';
import { DynamoHandoverMarkers } from './handover-markers';
import type { ShardState } from './model';
import type { NodePlugins } from './native';
import { IngestionService } from './service';
import { createConsumer, describePosition } from './sources';

/** Wiring, built once per container on first use. */
export const INGESTION_KIND = 'ingestion';

let cluster: IngestionClusterAdapter | undefined;
let service: IngestionService | undefined;

export const ingestionCluster = (): IngestionClusterAdapter =>
  (cluster ??= new IngestionClusterAdapter(clusterClient));

export const shardStore = (): JobStore<ShardState> =>
  new JobStore<ShardState>(documentClient(), tableName(), INGESTION_KIND);

export const ingestionService = (): IngestionService =>
  (service ??= new IngestionService(shardStore(), systemClock, (s) =>
    describePosition(s.source.type, s.position),
  ));

let handover: IngestionHandover | undefined;

/** Rollover of ingesting indices (registered as a rollover hook in rollover-handover.ts). */
export const ingestionHandover = (): IngestionHandover => {
  if (handover) return handover;
  const history = new DynamoRolloverHistory(documentClient(), tableName());
  return (handover = new IngestionHandover({
    store: shardStore(),
    markers: new DynamoHandoverMarkers(documentClient(), tableName()),
    cluster: ingestionCluster(),
    recordedNewIndex: async (index, alias) =>
      (await history.forIndex(index)).find((r) => r.alias === alias)?.new_index,
    poller: { cluster: ingestionCluster(), consumer: (s) => createConsumer(s.source, s.shard) },
    clock: systemClock,
  }));
};

/** How long a container trusts what the cluster said about its plugins (a plugin install restarts nodes). */
const PLUGINS_TTL_MS = 5 * 60_000;
let plugins: { at: number; nodes: Promise<NodePlugins[]> } | undefined;

/** The cluster's plugins per node, asked once per container (failures are not kept). */
export const clusterPlugins = (): Promise<NodePlugins[]> => {
  const now = Date.now();
  if (!plugins || now - plugins.at > PLUGINS_TTL_MS) {
    const nodes = ingestionCluster().nodePlugins();
    plugins = { at: now, nodes };
    nodes.catch(() => {
      if (plugins?.nodes === nodes) plugins = undefined;
    });
  }
  return plugins.nodes;
};

let targets: IngestedTargetsCache | undefined;

/** The indices (and aliases) our poller ingests, cached per container for push-write checks. */
export const ingestedTargets = (): IngestedTargetsCache =>
  (targets ??= new IngestedTargetsCache(
    {
      registered: async () => {
        const out = new Map<string, string | undefined>();
        for (const { state } of await shardStore().list()) {
          if (state.shard === 0) out.set(state.index, state.indexUuid);
        }
        return out;
      },
      writeAliases: (indices) => ingestionCluster().writeAliases(indices),
    },
    Number(process.env.INGESTION_TARGETS_TTL_MS) || DEFAULT_TARGETS_TTL_MS,
  ));
