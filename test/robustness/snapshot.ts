import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { TABLE } from '../../infra/table';

/**
 * What a rejected request must leave as it was: every item of the table, and the cluster's
 * metadata (indices, their settings/mapping/alias versions, templates, cluster settings).
 *
 * Not compared: the per-namespace `_seq_no` counters (a write that reserved a number ahead and
 * was then refused leaves a gap, which no answer shows but as a larger next `_seq_no`).
 */
export type Snapshot = ReadonlyMap<string, string>;

const COUNTERS = '_seq_no';

/** Attribute values in a fixed key order, so equal items print equal. */
const stable = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );

export const tableSnapshot = async (client: DynamoDBClient, table: string): Promise<Snapshot> => {
  const items = new Map<string, string>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) {
      const pk = item[TABLE.partitionKey]?.S ?? '';
      if (pk === COUNTERS) continue;
      items.set(`${pk} ${item[TABLE.sortKey]?.S ?? ''}`, stable(item));
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
};

/** The cluster metadata a change of indices, aliases, mappings, settings or templates moves. */
export const clusterSnapshot = async (clusterUrl: string): Promise<Snapshot> => {
  const filter = [
    'metadata.indices.*.state',
    'metadata.indices.*.settings_version',
    'metadata.indices.*.mapping_version',
    'metadata.indices.*.aliases_version',
    'metadata.templates',
    'metadata.index_template',
    'metadata.component_template',
    'metadata.persistent',
    'metadata.transient',
  ].join(',');
  const res = await fetch(`${clusterUrl}/_cluster/state/metadata?filter_path=${filter}`);
  const body = (await res.json()) as { metadata?: Record<string, unknown> };
  const out = new Map<string, string>();
  for (const [section, value] of Object.entries(body.metadata ?? {})) {
    if (section === 'indices') {
      for (const [index, meta] of Object.entries(value as Record<string, unknown>))
        out.set(`index ${index}`, stable(meta));
    } else out.set(section, stable(value));
  }
  return out;
};

/** What differs, as lines `+ key`, `- key`, `~ key` (added, removed, changed). */
export const differences = (before: Snapshot, after: Snapshot): string[] => {
  const lines: string[] = [];
  for (const [key, value] of after) {
    const old = before.get(key);
    if (old === undefined) lines.push(`+ ${key}`);
    else if (old !== value) lines.push(`~ ${key}`);
  }
  for (const key of before.keys()) if (!after.has(key)) lines.push(`- ${key}`);
  return lines;
};
