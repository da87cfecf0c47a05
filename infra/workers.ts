import type { ControlPlaneConfig } from './config';

/**
 * The worker table: the single source of truth for the scheduled workers, as the route table is
 * for the API. The CDK stack builds one Lambda and one EventBridge rule per worker from it, the
 * local scheduler (local/scheduler.ts) runs the same handlers on the same schedules, and
 * `npm run tick -- <kind>` runs one invocation on demand.
 */
export interface Worker {
  /** Short name, used by `npm run tick -- <kind>` and as the job-store kind, e.g. `sm`. */
  readonly kind: string;
  /** Function name, e.g. `sm-runner`; its logical id is derived from it (`SmRunner`). */
  readonly worker: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  readonly handler: string;
  /**
   * EventBridge schedule expression: `rate(1 minute)` or `cron(...)`. Items keep their own
   * next-run time; the rule only sets how often the worker looks for due items.
   */
  readonly schedule: string;
  /** Lambda timeout; the worker stops taking new items well before it. */
  readonly timeoutSeconds: number;
  /** Whether the worker talks to the cluster (gets its endpoint and credentials). */
  readonly cluster: boolean;
  /** Whether it delivers notifications (ISM, SM): may publish to SNS and assume a channel's role_arn. */
  readonly notify?: boolean;
  /** Whether it reads ingestion streams with its own role (Kinesis; see `kinesisStreamArns` in infra/config.ts). */
  readonly streams?: boolean;
  /** Extra environment for the function, from the deployment's context (see infra/config.ts). */
  readonly environment?: Readonly<Record<string, string>>;
  /** Environment derived from the deployment's configuration (CDK context), e.g. intervals. */
  readonly configEnvironment?: (config: ControlPlaneConfig) => Record<string, string>;
}

/**
 * Fan-out: a worker run that finds more due items than one invocation should take starts copies
 * of itself with events of this source and type on the default bus (detail: `{worker,
 * partition}`); a rule per worker routes them back to its function (lambdas/shared/worker.ts).
 */
export const FAN_OUT_SOURCE = 'serverless-index-management';
export const FAN_OUT_DETAIL_TYPE = 'Worker fan-out';

export const workers: readonly Worker[] = [
  {
    kind: 'rollup',
    worker: 'rollup-runner',
    handler: 'lambdas/rollup/handlers/rollup-runner.ts',
    schedule: 'rate(1 minute)',
    timeoutSeconds: 900,
    cluster: true,
  },
  {
    kind: 'transform',
    worker: 'transform-runner',
    handler: 'lambdas/transform/handlers/transform-runner.ts',
    schedule: 'rate(1 minute)',
    timeoutSeconds: 900,
    cluster: true,
  },
  {
    kind: 'sm',
    worker: 'sm-runner',
    handler: 'lambdas/sm/handlers/sm-runner.ts',
    schedule: 'rate(1 minute)',
    timeoutSeconds: 120,
    cluster: true,
    // policy notifications (creation, deletion, failure, time limit) go to SNS channels too
    notify: true,
  },
  {
    kind: 'ism',
    worker: 'ism-runner',
    handler: 'lambdas/ism/handlers/ism-runner.ts',
    // Each managed index keeps its own next run (job interval + jitter); the rule only looks.
    schedule: 'rate(1 minute)',
    timeoutSeconds: 300,
    cluster: true,
    // error_notification and the notification action (SNS channels need the grant).
    notify: true,
    // Its rollover action hands an ingesting index's stream over, reading the stream.
    streams: true,
    configEnvironment: (config) => ({
      ISM_JOB_INTERVAL_MINUTES: String(config.ism.jobIntervalMinutes),
      ISM_JITTER: String(config.ism.jitter),
      ...(config.ism.stepsPerRun ? { ISM_STEPS_PER_RUN: String(config.ism.stepsPerRun) } : {}),
      ISM_HISTORY_ENABLED: String(config.ism.history.enabled),
      ISM_HISTORY_MAX_DOCS: String(config.ism.history.maxDocs),
      ISM_HISTORY_MAX_AGE_HOURS: String(config.ism.history.maxAgeHours),
      ISM_HISTORY_RETENTION_DAYS: String(config.ism.history.retentionDays),
      ISM_HISTORY_REPLICAS: String(config.ism.history.replicas),
    }),
  },
  {
    kind: 'ingestion',
    worker: 'ingestion-poller',
    handler: 'lambdas/ingestion/handlers/poller.ts',
    schedule: 'rate(1 minute)',
    timeoutSeconds: 900,
    cluster: true,
    streams: true,
  },
];

export const findWorker = (kind: string): Worker | undefined =>
  workers.find((w) => w.kind === kind || w.worker === kind);
