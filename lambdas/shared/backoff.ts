import { createTimeout } from 'retry';

/**
 * Exponential backoff for work that waits on an unavailable cluster across worker runs: the delay
 * is persisted as the item's due time, never slept inside an invocation, so one item backing off
 * holds up no other. The computation is node-retry's (the library p-retry is built on):
 * `firstMs * factor^(attempt-1)`, times a random factor in [1, 2), capped at `maxMs`.
 *
 * At the cap the random factor no longer shows, but items whose outage began together are
 * already spread by the randomised delays before it, and keep that spread.
 */
export interface BackoffPolicy {
  /** Delay after the first failed attempt (before jitter). */
  readonly firstMs: number;
  readonly factor: number;
  /** No delay is longer. */
  readonly maxMs: number;
}

/** Attempt 1 waits 1-2 min (the workers' rule period), then 2-4, 4-8, 8-16 min, then 15 min at most. */
export const CLUSTER_BACKOFF: BackoffPolicy = { firstMs: 60_000, factor: 2, maxMs: 15 * 60_000 };

/** The delay after failed attempt `attempt` (1 = the first failure). */
export const backoffDelayMs = (attempt: number, policy: BackoffPolicy = CLUSTER_BACKOFF): number =>
  createTimeout(Math.max(0, attempt - 1), {
    minTimeout: policy.firstMs,
    factor: policy.factor,
    maxTimeout: policy.maxMs,
    randomize: true,
  });
