import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { FAN_OUT_DETAIL_TYPE, FAN_OUT_SOURCE } from '../../infra/workers';
import type { FanOut } from './jobs/run-due';
import { partitionOf, type Partition } from './jobs/partition';
import { logger } from './logger';

/**
 * The edge of every scheduled worker, as `apiHandler` is for the API: the EventBridge event
 * and the Lambda context in, the run's summary out (logged, and returned for `npm run tick`).
 */
export type WorkerEvent = ScheduledEvent<Record<string, unknown>>;

export interface WorkerInvocation {
  readonly event: WorkerEvent;
  /** Milliseconds this invocation may still spend on work, leaving a margin to save and exit. */
  budgetMs(): number;
  /** Identifies the invocation in leases and logs. */
  readonly invocationId: string;
  /** This invocation's part in a fan-out: pass it to `runDue`. */
  readonly fanOut: FanOut;
}

export type WorkerHandler<R> = (event: WorkerEvent, context: Context) => Promise<R>;

/** Time kept back from the Lambda timeout to save the last item and return. */
const SAFETY_MARGIN_MS = 10_000;

/** PutEvents takes at most this many entries a call. */
const PUT_EVENTS_BATCH = 10;

const numberFromEnv = (name: string): number | undefined => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
};

/**
 * Deployed (`WORKER_FAN_OUT=eventbridge`, set by the stack): copies are started by events on the
 * default bus, which a rule per worker routes to the same function. The SDK client is loaded on
 * first use only: most runs never fan out.
 */
const dispatchByEvents =
  (worker: string) =>
  async (partitions: Partition[]): Promise<void> => {
    const { EventBridgeClient, PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    const client = new EventBridgeClient({});
    for (let i = 0; i < partitions.length; i += PUT_EVENTS_BATCH) {
      const out = await client.send(
        new PutEventsCommand({
          Entries: partitions.slice(i, i + PUT_EVENTS_BATCH).map((partition) => ({
            Source: FAN_OUT_SOURCE,
            DetailType: FAN_OUT_DETAIL_TYPE,
            Detail: JSON.stringify({ worker, partition }),
          })),
        }),
      );
      if (out.FailedEntryCount) {
        throw new Error(`${out.FailedEntryCount} fan-out event(s) of ${worker} were not accepted`);
      }
    }
  };

export const workerHandler = <R extends object>(
  worker: string,
  run: (invocation: WorkerInvocation) => Promise<R>,
): WorkerHandler<R> => {
  const handler = middy(async (event: WorkerEvent, context: Context): Promise<R> => {
    const started = Date.now();
    // Local runs (npm start, npm run tick, tests): copies run in this process, and the
    // coordinator's summary waits for theirs.
    const local: Promise<unknown>[] = [];
    const dispatchHere = async (partitions: Partition[]): Promise<void> => {
      for (const partition of partitions) {
        const copyEvent: WorkerEvent = { ...event, id: randomUUID(), detail: { worker, partition } };
        const copyContext: Context = { ...context, awsRequestId: randomUUID() };
        local.push(handler(copyEvent, copyContext));
      }
    };
    const summary = await run({
      event,
      invocationId: context.awsRequestId,
      budgetMs: () => Math.max(0, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS),
      fanOut: {
        partition: partitionOf(event.detail),
        dispatch: process.env.WORKER_FAN_OUT === 'eventbridge' ? dispatchByEvents(worker) : dispatchHere,
        perInvocation: numberFromEnv('WORKER_FAN_OUT_PER_INVOCATION'),
        max: numberFromEnv('WORKER_FAN_OUT_MAX'),
      },
    });
    logger.info(`${worker} run finished`, { worker, tookMs: Date.now() - started, ...summary });
    if (!local.length) return summary;
    const copyRuns = (await Promise.allSettled(local)).map((r) =>
      r.status === 'fulfilled' ? r.value : { error: String(r.reason) },
    );
    return { ...summary, copyRuns };
  }).use(injectLambdaContext(logger)) as unknown as WorkerHandler<R>;
  return handler;
};
