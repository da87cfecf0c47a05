import { templatePolicyFor } from '../../../../lambdas/ism/managed-index/templates';
import type { Policy } from '../../../../lambdas/ism/policy/model';
import { formatBytes, formatMillis } from '../../../../lambdas/ism/runner/format';
import { backoffMs } from '../../../../lambdas/ism/runner/run-managed-index';

describe('retry back-off, as the plugin computes it (n = consumed retries)', () => {
  it.each([
    ['exponential', 1, 60_000],
    ['exponential', 2, 120_000],
    ['exponential', 3, 240_000],
    ['constant', 3, 60_000],
    ['linear', 3, 180_000],
  ] as const)('%s after %i retries waits %i ms', (backoff, n, ms) => {
    expect(backoffMs({ count: 3, backoff, delay: '1m' }, n)).toBe(ms);
  });
});

describe("OpenSearch's human renderings in info.conditions", () => {
  it('truncates to one decimal in the largest unit', () => {
    expect(formatMillis(2.35 * 3_600_000)).toBe('2.3h');
    expect(formatMillis(86_400_000)).toBe('1d');
    expect(formatMillis(450)).toBe('450ms');
    expect(formatBytes(1260)).toBe('1.2kb');
    expect(formatBytes(10)).toBe('10b');
  });
});

describe('ism_template choice', () => {
  const policy = (id: string, patterns: string[], priority: number, updated: number) => ({
    id,
    version: 1,
    seqNo: 0,
    primaryTerm: 1,
    source: { ism_template: [{ index_patterns: patterns, priority, last_updated_time: updated }] } as Policy,
  });

  it('takes the highest priority among templates written before the index was created', () => {
    const docs = [
      policy('low', ['logs-*'], 1, 100),
      policy('high', ['logs-a*'], 5, 100),
      policy('late', ['logs-*'], 9, 500),
    ];
    expect(templatePolicyFor('logs-a1', 300, docs)?.id).toBe('high');
    expect(templatePolicyFor('logs-b1', 300, docs)?.id).toBe('low');
    expect(templatePolicyFor('logs-b1', 600, docs)?.id).toBe('late');
    expect(templatePolicyFor('other', 600, docs)).toBeUndefined();
  });
});
