import path from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import type { Worker } from '../infra/workers';
import type { WorkerEvent, WorkerHandler } from '../lambdas/shared/worker';
import { lambdaContext } from './api-event';

/**
 * The local stand-in for EventBridge: wakes each worker of the worker table on its schedule and
 * runs its handler in this process, with the event EventBridge would send. A worker never runs
 * twice at once here (a late run is skipped, as a Lambda with reserved concurrency 1 would).
 */
const ROOT = path.resolve(__dirname, '..');

/** The event an EventBridge schedule rule sends to its target. */
export const scheduledEvent = (worker: Worker, time = new Date()): WorkerEvent => ({
  version: '0',
  id: `local-${time.getTime()}-${Math.random().toString(16).slice(2, 10)}`,
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '000000000000',
  time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  region: process.env.AWS_REGION ?? 'us-east-1',
  resources: [`arn:aws:events:local:000000000000:rule/${worker.worker}`],
  detail: {},
});

/** Runs one invocation of the worker's handler in this process and returns its summary. */
export const runWorker = async (worker: Worker, event = scheduledEvent(worker)): Promise<unknown> => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(ROOT, worker.handler)) as { handler?: WorkerHandler<unknown> };
  if (typeof mod.handler !== 'function') throw new Error(`${worker.handler} does not export a handler`);
  return mod.handler(event, lambdaContext(worker.worker, worker.timeoutSeconds * 1000));
};

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * When an EventBridge schedule expression next fires after `from`. `rate(...)` counts from
 * `from`; `cron(min hour day-of-month month day-of-week year)` is read in UTC, as EventBridge
 * does (the year field is dropped and `?` read as `*`).
 */
export const nextFire = (expression: string, from: number): number => {
  const rate = RATE.exec(expression);
  if (rate) return from + Number(rate[1]) * UNIT_MS[rate[2].replace(/s$/, '')];
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (!cron) throw new Error(`unsupported schedule expression [${expression}]`);
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) throw new Error(`an EventBridge cron has 6 fields: [${expression}]`);
  const unix = fields
    .slice(0, 5)
    .map((f) => (f === '?' ? '*' : f))
    .join(' ');
  return CronExpressionParser.parse(unix, { currentDate: new Date(from), tz: 'UTC' })
    .next()
    .getTime();
};

export interface SchedulerOptions {
  readonly workers: readonly Worker[];
  /**
   * Wake every worker this often instead of its rule's schedule (local development wants
   * quicker turns than production; items still run only when due).
   */
  readonly everyMs?: number;
  readonly onRun?: (worker: Worker, result: unknown) => void;
  readonly onError?: (worker: Worker, error: unknown) => void;
}

export interface LocalScheduler {
  stop(): Promise<void>;
}

export const startScheduler = (options: SchedulerOptions): LocalScheduler => {
  const timers = new Set<NodeJS.Timeout>();
  const running = new Map<string, Promise<void>>();
  let stopped = false;

  const arm = (worker: Worker): void => {
    if (stopped) return;
    const now = Date.now();
    const at = options.everyMs ? now + options.everyMs : nextFire(worker.schedule, now);
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!running.has(worker.kind)) {
        const run = runWorker(worker)
          .then((result) => options.onRun?.(worker, result))
          .catch((error: unknown) => options.onError?.(worker, error))
          .finally(() => running.delete(worker.kind));
        running.set(worker.kind, run);
      }
      arm(worker);
    }, at - now);
    timer.unref();
    timers.add(timer);
  };
  for (const worker of options.workers) arm(worker);

  return {
    stop: async () => {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await Promise.all(running.values());
    },
  };
};
