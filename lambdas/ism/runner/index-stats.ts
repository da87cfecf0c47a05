import { seg, type ClusterApi } from '../cluster-api';

/** Primaries' doc count and store size, and the largest primary shard (for rollover and transitions). */
export interface IndexStats {
  docCount: number;
  sizeBytes: number;
  largestPrimaryShard: { shard: number; bytes: number };
}

interface ShardStats {
  routing?: { primary?: boolean };
  store?: { size_in_bytes?: number };
}

interface StatsResponse {
  indices?: Record<
    string,
    {
      primaries?: { docs?: { count?: number }; store?: { size_in_bytes?: number } };
      shards?: Record<string, ShardStats[]>;
    }
  >;
}

export const indexStats = async (cluster: ClusterApi, index: string, shards = false): Promise<IndexStats> => {
  const out = await cluster.request<StatsResponse>('GET', `/${seg(index)}/_stats/docs,store`, {
    query: shards ? { level: 'shards' } : undefined,
  });
  const stats = out.indices?.[index];
  let largest = { shard: 0, bytes: 0 };
  for (const [shard, copies] of Object.entries(stats?.shards ?? {})) {
    for (const copy of copies) {
      const bytes = copy.store?.size_in_bytes ?? 0;
      if (copy.routing?.primary && bytes > largest.bytes) largest = { shard: Number(shard), bytes };
    }
  }
  return {
    docCount: stats?.primaries?.docs?.count ?? 0,
    sizeBytes: stats?.primaries?.store?.size_in_bytes ?? 0,
    largestPrimaryShard: largest,
  };
};
