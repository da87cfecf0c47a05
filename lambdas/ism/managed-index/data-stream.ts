import { seg, type ClusterApi } from '../cluster-api';

/** The data stream an index backs, as rollover and delete (and their validation) need it. */
export interface ParentDataStream {
  name: string;
  /** The stream's backing indices, oldest first; the last one is the write index. */
  backing: string[];
  isWriteIndex: boolean;
  /** The backing index created right after this one (by the rollover that left it), if any. */
  next?: string;
}

/**
 * The plugin reads `parentDataStream` from the cluster state's indices lookup; over REST the
 * same is `GET _resolve/index/<index>` (names the stream) and `GET _data_stream/<name>` (its
 * backing indices in generation order). Backing indices are always named `.ds-<stream>-<gen>`,
 * so other indices cost no call.
 */
export const parentDataStream = async (
  cluster: ClusterApi,
  index: string,
): Promise<ParentDataStream | undefined> => {
  if (!index.startsWith('.ds-')) return undefined;
  const out = await cluster.request<{ indices?: { name: string; data_stream?: string }[] }>(
    'GET',
    `/_resolve/index/${seg(index)}`,
  );
  const name = out.indices?.find((i) => i.name === index)?.data_stream;
  if (!name) return undefined;
  const ds = await cluster.request<{ data_streams?: { name: string; indices?: { index_name: string }[] }[] }>(
    'GET',
    `/_data_stream/${seg(name)}`,
  );
  const backing = (ds.data_streams?.find((d) => d.name === name)?.indices ?? []).map((i) => i.index_name);
  const at = backing.indexOf(index);
  return {
    name,
    backing,
    isWriteIndex: at >= 0 && at === backing.length - 1,
    next: at >= 0 && at < backing.length - 1 ? backing[at + 1] : undefined,
  };
};
