import { createHash } from 'node:crypto';
import { OpenSearchError } from '../shared/errors';
import type { ISMRollup } from '../ism/policy/model';
import type { RollupJob, RollupMetadata } from './job/model';
import { ROLLUP_SCHEMA_VERSION } from './job/parse';
import type { RollupService } from './rollup-service';

/**
 * What the ISM `rollup` action needs from rollup jobs (AttemptCreateRollupJobStep and
 * WaitForRollupCompletionStep): a job built from the action's `ism_rollup` for one managed
 * index, with the plugin's id, created (or restarted) idempotently, and its progress.
 *
 *   const { rollupId } = await startIsmRollup(rollupService(), 'logs-000001', action.rollup.ism_rollup);
 *   const progress = await ismRollupProgress(rollupService(), rollupId); // e.g. { status: 'finished', ... }
 */

/** ISMRollup.toString(): target, page size, each dimension's type and field, each metric's field and types. */
const ismRollupString = (r: ISMRollup): string =>
  [
    r.target_index,
    String(r.page_size),
    ...r.dimensions.map((d) => {
      const [type, value] = Object.entries(d)[0] as [string, { source_field: string }];
      return `${type}${value.source_field}`;
    }),
    ...r.metrics.map((m) => `${m.source_field}${m.metrics.map((x) => Object.keys(x)[0]).join('')}`),
  ].join('');

/** ISMRollup.toRollup: the id is the SHA-1 (hex) of the managed index name and the rollup's string. */
export const ismRollupJobId = (indexName: string, rollup: ISMRollup): string =>
  createHash('sha1')
    .update(`${indexName}${ismRollupString(rollup)}`, 'utf8')
    .digest('hex');

/** ISMRollup.toRollup: a one-shot job over the managed index, every minute, enabled now. */
export const rollupJobFromIsm = (indexName: string, rollup: ISMRollup, now: number): RollupJob => ({
  rollup_id: ismRollupJobId(indexName, rollup),
  enabled: true,
  schedule: { interval: { start_time: now, period: 1, unit: 'Minutes', schedule_delay: 0 } },
  last_updated_time: now,
  enabled_time: now,
  description: rollup.description,
  schema_version: ROLLUP_SCHEMA_VERSION,
  source_index: indexName,
  target_index: rollup.target_index,
  metadata_id: null,
  page_size: rollup.page_size,
  delay: null,
  continuous: false,
  dimensions: rollup.dimensions.map((d) =>
    'date_histogram' in d
      ? { date_histogram: { ...d.date_histogram, format: d.date_histogram.format ?? null } }
      : d,
  ),
  metrics: rollup.metrics,
});

/**
 * Creates the job for this index (AttemptCreateRollupJobStep). When it exists already (a retried
 * step, or the same rollup run again) it is started instead, as the plugin does.
 */
export const startIsmRollup = async (
  service: RollupService,
  indexName: string,
  rollup: ISMRollup,
  now: number,
): Promise<{ rollupId: string; created: boolean }> => {
  const job = rollupJobFromIsm(indexName, rollup, now);
  try {
    await service.put(job.rollup_id, { rollup: job }, undefined, undefined);
    return { rollupId: job.rollup_id, created: true };
  } catch (e) {
    if (!(e instanceof OpenSearchError && e.status === 409)) throw e;
    await service.start(job.rollup_id);
    return { rollupId: job.rollup_id, created: false };
  }
};

export interface IsmRollupProgress {
  /** null: the job has not run yet (or is gone: `exists` false). */
  readonly status: RollupMetadata['status'] | null;
  readonly failureReason: string | null;
  readonly exists: boolean;
  readonly metadata: RollupMetadata | null;
}

/** WaitForRollupCompletionStep reads the job's explain: finished, failed/stopped, or still running. */
export const ismRollupProgress = async (
  service: RollupService,
  rollupId: string,
): Promise<IsmRollupProgress> => {
  const entry = (await service.explain(rollupId))[rollupId] ?? null;
  const metadata = entry?.rollup_metadata ?? null;
  return {
    status: metadata?.status ?? null,
    failureReason: metadata?.failure_reason ?? null,
    exists: entry !== null,
    metadata,
  };
};
