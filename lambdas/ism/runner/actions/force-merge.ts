import { errorMessage, isClusterError, seg, type ClusterApi } from '../../cluster-api';
import type { ForceMergeConfig } from '../../policy/model';
import { completed, failed, settingsStep, waiting, type ActionDefinition, type Step } from '../step';

/**
 * force_merge: write block, start the merge, wait for it. The merge is started without waiting
 * (`wait_for_completion=false`, or a plain call on clusters that lack it); a resumed start first
 * checks the segments, and merging an already merged index is a no-op, so nothing runs twice.
 */
const DEFAULT_WAIT_MS = 12 * 3_600_000;

type SegmentStats = {
  indices?: Record<string, { shards?: Record<string, { segments?: { count?: number } }[]> }>;
};

/** Shards (copies) with more segments than allowed. */
const shardsOverLimit = async (cluster: ClusterApi, index: string, max: number): Promise<number> => {
  const out = await cluster.request<SegmentStats>('GET', `/${seg(index)}/_stats/segments`, {
    query: { level: 'shards' },
  });
  let over = 0;
  for (const copies of Object.values(out.indices?.[index]?.shards ?? {})) {
    for (const c of copies) if ((c.segments?.count ?? 0) > max) over++;
  }
  return over;
};

const callForceMerge: Step<ForceMergeConfig> = {
  name: 'attempt_call_force_merge',
  async execute({ cluster, index, config, resumed }) {
    const i = index.name;
    const properties = { max_num_segments: config.max_num_segments };
    try {
      if (resumed && (await shardsOverLimit(cluster, i, config.max_num_segments)) === 0) {
        return { ...completed(`Successfully completed force merge [index=${i}]`), properties };
      }
      const query = { max_num_segments: config.max_num_segments };
      try {
        await cluster.request('POST', `/${seg(i)}/_forcemerge`, {
          query: { ...query, wait_for_completion: false },
        });
      } catch (e) {
        if (!isClusterError(e, 400)) throw e;
        await cluster.request('POST', `/${seg(i)}/_forcemerge`, { query });
      }
      return { ...completed(`Successfully called force merge [index=${i}]`), properties };
    } catch (e) {
      return failed(`Failed to start force merge [index=${i}]`, errorMessage(e));
    }
  },
};

const waitForForceMerge: Step<ForceMergeConfig> = {
  name: 'wait_for_force_merge',
  async execute({ cluster, index, properties, metadata, now, timeoutMs }) {
    const i = index.name;
    const max = properties.max_num_segments;
    if (typeof max !== 'number') {
      return failed(
        `Unable to retrieve [max_num_segments] from ActionProperties=${JSON.stringify(properties)}`,
      );
    }
    try {
      if ((await shardsOverLimit(cluster, i, max)) === 0) {
        return { ...completed(`Successfully confirmed segments force merged [index=${i}]`), properties: {} };
      }
    } catch (e) {
      return failed(
        `Failed to check segments when waiting for force merge to complete [index=${i}]`,
        errorMessage(e),
      );
    }
    const started = metadata.action?.start_time ?? now;
    if (now - started > (timeoutMs ?? DEFAULT_WAIT_MS)) return failed(`Force merge timed out [index=${i}]`);
    return waiting(`Waiting for force merge to complete [index=${i}]`);
  },
};

export const forceMerge: ActionDefinition<'force_merge'> = {
  type: 'force_merge',
  steps: () => [
    settingsStep(
      'attempt_set_read_only',
      () => ({ 'index.blocks.write': true }),
      (i) => `Successfully set index to read-only [index=${i}]`,
      (i) => `Failed to set index to read-only [index=${i}]`,
    ),
    callForceMerge,
    waitForForceMerge,
  ],
};
