import { illegalArgument } from '../shared/errors';
import { flattenSettings } from './model';

/**
 * Native mode: an OpenSearch 3.x cluster with an ingestion plugin (`ingestion-kafka`,
 * `ingestion-kinesis`) pulls from the stream itself. Opted into per deployment
 * (`INGESTION_MODE=native`, from the `ingestionMode` CDK context) or per create-index request
 * (`?ingestion=native`); the default, `control-plane`, is our poller on any cluster.
 */
export const INGESTION_MODES = ['control-plane', 'native'] as const;
export type IngestionMode = (typeof INGESTION_MODES)[number];

/** The query parameter of `PUT /<index>` that overrides the deployment's mode; never sent to the cluster. */
export const MODE_PARAM = 'ingestion';

const isMode = (v: string): v is IngestionMode => (INGESTION_MODES as readonly string[]).includes(v);

/** The deployment's mode; an unknown value is a deployment error, not the caller's. */
export const deploymentMode = (env: NodeJS.ProcessEnv = process.env): IngestionMode => {
  const v = env.INGESTION_MODE?.trim().toLowerCase();
  if (!v) return 'control-plane';
  if (!isMode(v)) throw new Error(`INGESTION_MODE must be one of ${INGESTION_MODES.join('|')}, got [${v}]`);
  return v;
};

/** The mode of one create-index request: its `?ingestion=` if given, else the deployment's. */
export const requestMode = (param: string | undefined, fallback: IngestionMode): IngestionMode => {
  if (param === undefined) return fallback;
  const v = param.trim().toLowerCase();
  if (!isMode(v)) {
    throw illegalArgument(
      `request parameter [${MODE_PARAM}] must be one of ${INGESTION_MODES.join(', ')}, got [${param}]`,
    );
  }
  return v;
};

/** The cluster plugin that ingests each source type (`file` is OpenSearch's `ingestion-fs` test plugin). */
export const NATIVE_PLUGINS: Readonly<Record<string, string>> = {
  kafka: 'ingestion-kafka',
  kinesis: 'ingestion-kinesis',
  file: 'ingestion-fs',
};

export interface NodePlugins {
  readonly node: string;
  readonly plugins: readonly string[];
}

/** `index.ingestion_source.type` of create-index settings, nested or dotted. */
export const sourceType = (settings: unknown): string | undefined => {
  if (settings === null || typeof settings !== 'object') return undefined;
  const v = flattenSettings(settings as Record<string, unknown>)['index.ingestion_source.type'];
  return v === undefined || v === null || v === '' ? undefined : String(v);
};

/**
 * Why the cluster cannot ingest `type` itself, or undefined when it can: every node needs the
 * plugin, since any node may hold a primary shard. A type we do not know is the cluster's to judge.
 */
export const cannotIngestNatively = (type: string, nodes: readonly NodePlugins[]): string | undefined => {
  const plugin = NATIVE_PLUGINS[type];
  if (!plugin) return undefined;
  const without = nodes.filter((n) => !n.plugins.includes(plugin)).map((n) => n.node);
  if (nodes.length > 0 && without.length === 0) return undefined;
  const which =
    nodes.length === 0 || without.length === nodes.length
      ? 'no node has'
      : `nodes [${without.join(', ')}] do not have`;
  return (
    `the cluster cannot ingest [${type}] natively: ${which} the [${plugin}] plugin (OpenSearch 3.x); ` +
    `install it on every node, or create the index with ?${MODE_PARAM}=control-plane to let the control plane ingest it`
  );
};

/**
 * Who answers pause, resume and `_state` for the indices an expression resolved to: the cluster
 * for indices it ingests itself (no shard registered with us), we for ours. One request cannot
 * cover both; OpenSearch has no such mix, so it is refused with the names to split it by.
 */
export const ingestionOwner = (
  indices: readonly { name: string; nativeSource?: string }[],
  registered: ReadonlySet<string>,
): 'cluster' | 'control-plane' => {
  const native = indices.filter((i) => i.nativeSource !== undefined && !registered.has(i.name));
  if (native.length === 0) return 'control-plane';
  const ours = indices.filter((i) => registered.has(i.name));
  if (ours.length === 0) return 'cluster';
  throw illegalArgument(
    `indices [${native.map((i) => i.name).join(', ')}] are ingested by the cluster and [${ours
      .map((i) => i.name)
      .join(', ')}] by the control plane; send one request for each`,
  );
};
