import { OpenSearchError } from '../../shared/errors';
import { grownCapacity, hashMapOrder, putAllCapacity } from '../../shared/java-hash-map';
import { seg, type ClusterApi } from '../cluster-api';

/**
 * What ISM needs to know about an index, read from the cluster's metadata in one call
 * (`GET _cluster/state/metadata/<expr>`): works for open, closed and hidden indices alike.
 */
export interface IndexInfo {
  name: string;
  uuid: string;
  open: boolean;
  /** Epoch ms; -1 when unknown. */
  creationDate: number;
  hidden: boolean;
  /** Flat index settings (`index.…` keys), as strings. */
  settings: Record<string, string>;
  aliases: string[];
  /** alias or data stream → epoch ms of the rollover that left it. */
  rolloverInfo: Record<string, number>;
}

interface RawIndexMetadata {
  state?: string;
  settings?: Record<string, unknown>;
  aliases?: string[] | Record<string, unknown>;
  rollover_info?: Record<string, { time?: number }>;
}

/** Flattens `{"index":{"uuid":"x"}}` (or already-flat keys) into `index.uuid`. */
export const flattenSettings = (
  value: unknown,
  prefix = '',
  out: Record<string, string> = {},
): Record<string, string> => {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flattenSettings(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return out;
};

const toInfo = (name: string, raw: RawIndexMetadata): IndexInfo => {
  const settings = flattenSettings(raw.settings ?? {});
  const created = Number(settings['index.creation_date']);
  return {
    name,
    uuid: settings['index.uuid'] ?? '',
    open: (raw.state ?? 'open') === 'open',
    creationDate: Number.isFinite(created) ? created : -1,
    hidden: settings['index.hidden'] === 'true' || name.startsWith('.'),
    settings,
    aliases: Array.isArray(raw.aliases) ? raw.aliases : Object.keys(raw.aliases ?? {}),
    rolloverInfo: Object.fromEntries(
      Object.entries(raw.rollover_info ?? {}).map(([alias, v]) => [alias, Number(v.time ?? 0)]),
    ),
  };
};

const FILTER = ['state', 'settings', 'aliases', 'rollover_info']
  .map((f) => `metadata.indices.*.${f}`)
  .join(',');

/** The indices an expression (names, comma lists, wildcards, aliases) resolves to, leniently. */
export const resolveIndices = async (cluster: ClusterApi, expression: string): Promise<IndexInfo[]> => {
  const out = await cluster.request<{ metadata?: { indices?: Record<string, RawIndexMetadata> } }>(
    'GET',
    `/_cluster/state/metadata/${seg(expression)}`,
    {
      query: {
        expand_wildcards: 'all',
        ignore_unavailable: true,
        allow_no_indices: true,
        filter_path: FILTER,
      },
    },
  );
  return Object.entries(out.metadata?.indices ?? {})
    .map(([name, raw]) => toInfo(name, raw))
    .sort((a, b) => a.name.localeCompare(b.name));
};

/**
 * The order the plugin's transport actions meet the resolved indices in (and so list their
 * failed_indices in): the cluster state's index map, copied into a HashMap keyed by name, then
 * `putAll` into the action's own HashMap; ties keep the name order.
 */
export const inPluginOrder = (indices: readonly IndexInfo[]): IndexInfo[] => {
  const byName = [...indices].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const name = (i: IndexInfo): string => i.name;
  return hashMapOrder(
    hashMapOrder(byName, name, grownCapacity(byName.length)),
    name,
    putAllCapacity(byName.length),
  );
};

/** The cluster state's own index map order (which indices of a request are closed, in order). */
export const inClusterStateOrder = (indices: readonly IndexInfo[]): IndexInfo[] =>
  hashMapOrder(
    [...indices].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    (i) => i.name,
    grownCapacity(indices.length),
  );

/** One index by name; undefined when it does not exist. */
export const indexInfo = async (cluster: ClusterApi, name: string): Promise<IndexInfo | undefined> =>
  (await resolveIndices(cluster, name)).find((i) => i.name === name);

export const indexNotFound = (name: string): OpenSearchError =>
  new OpenSearchError(404, 'index_not_found_exception', `no such index [${name}]`, {
    'resource.type': 'index_or_alias',
    'resource.id': name,
    index_uuid: '_na_',
    index: name,
  });

/** A data stream's backing indices are named `.ds-<stream>-<6-digit generation>`. */
const backs = (index: string, stream: string): boolean =>
  index.startsWith(`.ds-${stream}-`) && /^\d{6}$/.test(index.slice(stream.length + 5));

/**
 * Strict resolution (remove, change_policy, retry): a concrete name (no wildcard) that is
 * neither an index, an alias nor a data stream is a 404, as OpenSearch's strict index
 * resolution answers.
 */
export const resolveIndicesStrict = async (cluster: ClusterApi, expression: string): Promise<IndexInfo[]> => {
  const found = await resolveIndices(cluster, expression);
  for (const part of expression.split(',').map((p) => p.trim())) {
    if (part === '' || part.includes('*') || part.startsWith('-') || part === '_all') continue;
    if (!found.some((i) => i.name === part || i.aliases.includes(part) || backs(i.name, part)))
      throw indexNotFound(part);
  }
  return found;
};
