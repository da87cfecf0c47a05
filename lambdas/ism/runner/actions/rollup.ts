import { createHash } from 'node:crypto';
import Mustache from 'mustache';
import { errorMessage, isClusterError, seg } from '../../cluster-api';
import type { RollupConfig } from '../../policy/model';
import { completed, failed, waiting, type ActionDefinition, type Step, type StepResult } from '../step';

/**
 * rollup: create the rollup job, then wait for it. The job id is a hash of the source index and
 * the config (deterministic), so a re-run finds the job it created.
 *
 * The job is one of this control plane's rollup jobs (lambdas/rollup, through `ctx.rollups`);
 * without that port (e.g. a caller that does not wire it) the cluster's own `_plugins/_rollup`
 * API is used, which a cluster without the plugin answers with an error (the step's cause).
 */
const jobId = (index: string, config: RollupConfig): string =>
  createHash('sha1')
    .update(`${index}${JSON.stringify(config.ism_rollup)}`)
    .digest('hex');

const alreadyExists = (id: string, i: string): StepResult => ({
  status: 'completed',
  info: { info: `Rollup job [${id}] already exists, skipping creation [index=${i}]` },
  properties: { rollup_id: id },
});

const createRollup: Step<RollupConfig> = {
  name: 'attempt_create_rollup',
  // Recorded before the job is created, so that the id is known whatever happens next.
  intent: ({ index, config, rollups }) => ({
    rollup_id: rollups ? rollups.id(index.name, config.ism_rollup) : jobId(index.name, config),
  }),
  async execute({ cluster, index, config, rollups, now, properties }) {
    const i = index.name;
    if (rollups) {
      const id = rollups.id(i, config.ism_rollup);
      // As the plugin: an existing job is restarted only after this action saw it fail;
      // otherwise (e.g. created just before a crash) it is left to run, and the step goes on.
      const failedBefore = properties.has_rollup_failed === true;
      try {
        if (!failedBefore && (await rollups.progress(id)).exists) return alreadyExists(id, i);
        const out = await rollups.start(i, config.ism_rollup, now);
        if (!out.created && !failedBefore) return alreadyExists(out.rollupId, i);
        return {
          ...completed(
            out.created
              ? `Successfully created the rollup job [${out.rollupId}] [index=${i}]`
              : `Successfully restarted the rollup job [${out.rollupId}] [index=${i}]`,
          ),
          properties: { rollup_id: out.rollupId },
        };
      } catch (e) {
        return failed(
          failedBefore
            ? `Failed to start the rollup job [${id}] [index=${i}]`
            : `Failed to create the rollup job [${id}] [index=${i}]`,
          errorMessage(e),
        );
      }
    }
    const id = jobId(i, config);
    const r = config.ism_rollup;
    const render = (s: string) => Mustache.render(s, { ctx: { index: i } });
    const job = {
      rollup: {
        enabled: true,
        schedule: { interval: { period: 1, unit: 'Minutes', start_time: Date.now() } },
        description: r.description,
        source_index: i,
        target_index: render(r.target_index),
        page_size: r.page_size,
        delay: 0,
        continuous: false,
        dimensions: r.dimensions,
        metrics: r.metrics,
      },
    };
    try {
      await cluster.request('PUT', `/_plugins/_rollup/jobs/${seg(id)}`, {
        body: job,
      });
      return {
        ...completed(`Successfully created the rollup job [${id}] [index=${i}]`),
        properties: { rollup_id: id },
      };
    } catch (e) {
      if (isClusterError(e, 409)) {
        return {
          status: 'completed',
          info: { info: `Rollup job [${id}] already exists, skipping creation [index=${i}]` },
          properties: { rollup_id: id },
        };
      }
      return failed(`Failed to create the rollup job [${id}] [index=${i}]`, errorMessage(e));
    }
  },
};

const waitForRollup: Step<RollupConfig> = {
  name: 'wait_for_rollup_completion',
  async execute({ cluster, index, properties, rollups }) {
    const i = index.name;
    const id = properties.rollup_id;
    if (typeof id !== 'string') return failed(`Rollup job was not found [index=${i}]`);
    if (rollups) {
      try {
        const p = await rollups.progress(id);
        if (!p.exists) return failed(`Rollup job was not found [index=${i}]`);
        if (p.status === 'finished') return completed(`Rollup job [${id}] completed [index=${i}]`);
        if (p.status === 'failed' || p.status === 'stopped') {
          return {
            ...failed(`Rollup job [${id}] failed [index=${i}]`, p.failureReason ?? 'Rollup job was stopped'),
            properties: { rollup_id: id, has_rollup_failed: true },
          };
        }
        return waiting(`Rollup job [${id}] is still processing [index=${i}]`);
      } catch (e) {
        return failed(`Rollup job [${id}] failed [index=${i}]`, errorMessage(e));
      }
    }
    try {
      const out = await cluster.request<
        Record<string, { metadata?: { status?: string; failure_reason?: string } }>
      >('GET', `/_plugins/_rollup/jobs/${seg(id)}/_explain`);
      const status = out[id]?.metadata?.status;
      if (status === 'finished') return completed(`Rollup job [${id}] completed [index=${i}]`);
      if (status === 'failed' || status === 'stopped') {
        return {
          ...failed(
            `Rollup job [${id}] failed [index=${i}]`,
            out[id]?.metadata?.failure_reason ?? 'Rollup job was stopped',
          ),
          properties: { rollup_id: id, has_rollup_failed: true },
        };
      }
      return waiting(`Rollup job [${id}] is still processing [index=${i}]`);
    } catch (e) {
      return failed(`Rollup job [${id}] failed [index=${i}]`, errorMessage(e));
    }
  },
};

export const rollup: ActionDefinition<'rollup'> = {
  type: 'rollup',
  steps: () => [createRollup, waitForRollup],
};
