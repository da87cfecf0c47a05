import { systemClock } from '../../shared/clock';
import { runDue, type RunSummary } from '../../shared/jobs/run-due';
import { logger } from '../../shared/logger';
import { workerHandler } from '../../shared/worker';
import { ingestionCluster, ingestionHandover, ingestionService, shardStore } from '../deps';
import { CHECKPOINT_EVERY_MS, pollShard } from '../poller';
import { createConsumer } from '../sources';
import type { ShardConsumer } from '../sources/source';

/**
 * The `ingestion-poller` worker: every due shard, under its lease, reads its stream and indexes
 * into its index until the stream is drained (or it has had its turn), then is due again at once.
 *
 * INGESTION_LINGER_MS: how long a shard keeps polling an idle stream in one invocation (lower
 * put-to-searchable delay against a longer-running function); default 0.
 * INGESTION_CHECKPOINT_MS: least time between two checkpoints of a shard that keeps reading full
 * batches (see PollerOptions.checkpointEveryMs); default 1000.
 */
const lingerMs = Number(process.env.INGESTION_LINGER_MS ?? 0);
const maxRunMs = Number(process.env.INGESTION_MAX_RUN_MS ?? 50_000);
const checkpointEveryMs = Number(process.env.INGESTION_CHECKPOINT_MS ?? CHECKPOINT_EVERY_MS);

export const handler = workerHandler('ingestion-poller', async (invocation): Promise<RunSummary> => {
  const consumers = new Map<string, ShardConsumer>();
  const handover = ingestionHandover();
  try {
    // Rollovers whose caller died between the cluster's rollover and the handover's end
    // (looked for once per run: by the coordinator, not by its fan-out copies).
    const resolved = invocation.fanOut?.partition
      ? undefined
      : await handover.resolvePending().catch((error: unknown) => {
          logger.warn('pending rollover handovers not resolved; tried again next run', {
            error: error as Error,
          });
          return undefined;
        });
    if (resolved && resolved.completed.length + resolved.undone.length > 0)
      logger.info('rollover handovers resolved', { ...resolved });
    return await runDue({
      store: shardStore(),
      clock: systemClock,
      owner: invocation.invocationId,
      budgetMs: invocation.budgetMs(),
      fanOut: invocation.fanOut,
      leaseMs: maxRunMs + 60_000,
      concurrency: 32,
      retryDelayMs: 5_000,
      work: pollShard({
        cluster: ingestionCluster(),
        lingerMs,
        maxRunMs,
        checkpointEveryMs,
        handoverTarget: (index) => handover.target(index),
        keepAcknowledged: (held, acknowledged) => ingestionService().keepAcknowledged(held, acknowledged),
        consumer: (s) => {
          const key = `${s.index}#${s.shard}`;
          let c = consumers.get(key);
          if (!c) consumers.set(key, (c = createConsumer(s.source, s.shard)));
          return c;
        },
      }),
      onError: (id, error) =>
        logger.warn('ingestion shard failed; retried shortly', { id, error: error as Error }),
    });
  } finally {
    await Promise.all([...consumers.values()].map((c) => c.close().catch(() => undefined)));
  }
});
