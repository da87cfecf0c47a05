import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, ScheduledEvent } from 'aws-lambda';
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
}

export type WorkerHandler<R> = (event: WorkerEvent, context: Context) => Promise<R>;

/** Time kept back from the Lambda timeout to save the last item and return. */
const SAFETY_MARGIN_MS = 10_000;

export const workerHandler = <R extends object>(
  worker: string,
  run: (invocation: WorkerInvocation) => Promise<R>,
): WorkerHandler<R> =>
  middy(async (event: WorkerEvent, context: Context): Promise<R> => {
    const started = Date.now();
    const summary = await run({
      event,
      invocationId: context.awsRequestId,
      budgetMs: () => Math.max(0, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS),
    });
    logger.info(`${worker} run finished`, { worker, tookMs: Date.now() - started, ...summary });
    return summary;
  }).use(injectLambdaContext(logger)) as unknown as WorkerHandler<R>;
