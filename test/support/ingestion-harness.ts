import { IngestionClusterAdapter } from '../../lambdas/ingestion/cluster-adapter';
import { ingestionHandover, shardStore } from '../../lambdas/ingestion/deps';
import { CHECKPOINT_EVERY_MS, pollShard, type PollerOptions } from '../../lambdas/ingestion/poller';
import { createConsumer } from '../../lambdas/ingestion/sources';
import type { ShardConsumer } from '../../lambdas/ingestion/sources/source';
import { clusterClient } from '../../lambdas/shared/cluster';
import { systemClock, type Clock } from '../../lambdas/shared/clock';
import { runDue, type RunSummary } from '../../lambdas/shared/jobs/run-due';

/**
 * One ingestion-poller run over every due shard, as the worker does it (the look for a rollover
 * handover included; consumers closed at the end), against the real table and node, with test
 * hooks: `overrides` replace poller options (a crash after the bulk, a cluster behind a proxy),
 * `clock` and `leaseMs` drive lease expiry. Needs the environment `startTestApi()` sets.
 */
export const pollOnce = async (
  overrides: Partial<PollerOptions> = {},
  run: { clock?: Clock; leaseMs?: number } = {},
): Promise<RunSummary> => {
  const consumers: ShardConsumer[] = [];
  try {
    return await runDue({
      store: shardStore(),
      clock: run.clock ?? systemClock,
      retryDelayMs: 0,
      ...(run.leaseMs !== undefined ? { leaseMs: run.leaseMs } : {}),
      work: pollShard({
        cluster: new IngestionClusterAdapter(clusterClient),
        consumer: (s) => {
          const c = createConsumer(s.source, s.shard);
          consumers.push(c);
          return c;
        },
        lingerMs: 0,
        maxRunMs: 60_000,
        checkpointEveryMs: CHECKPOINT_EVERY_MS,
        handoverTarget: (index) => ingestionHandover().target(index),
        ...overrides,
      }),
    });
  } finally {
    await Promise.all(consumers.map((c) => c.close().catch(() => undefined)));
  }
};
