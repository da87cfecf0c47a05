import { backoffDelayMs, CLUSTER_BACKOFF } from '../../../lambdas/shared/backoff';

const MINUTE = 60_000;

test('cluster backoff: 1-2 min, doubling, jittered, never over 15 min', () => {
  for (let attempt = 1; attempt <= 12; attempt++) {
    const base = MINUTE * 2 ** (attempt - 1);
    const delays = Array.from({ length: 200 }, () => backoffDelayMs(attempt));
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(Math.min(base, CLUSTER_BACKOFF.maxMs));
      expect(d).toBeLessThanOrEqual(Math.min(2 * base, CLUSTER_BACKOFF.maxMs));
    }
    // Below the cap the delays are spread, so items that failed together come back apart.
    if (2 * base <= CLUSTER_BACKOFF.maxMs) expect(new Set(delays).size).toBeGreaterThan(100);
  }
  expect(backoffDelayMs(30)).toBe(CLUSTER_BACKOFF.maxMs);
});

test('a policy of its own', () => {
  const d = backoffDelayMs(3, { firstMs: 1_000, factor: 3, maxMs: 60_000 });
  expect(d).toBeGreaterThanOrEqual(9_000);
  expect(d).toBeLessThan(18_000);
});
