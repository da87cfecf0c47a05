import {
  MAX_FAN_OUT,
  copyPartitions,
  fanOutWidth,
  inPartition,
  partitionOf,
} from '../../../lambdas/shared/jobs/partition';

describe('fan-out partitions', () => {
  it('puts every id in exactly one partition, spread evenly', () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `index-${i}`);
    const of = 4;
    const sizes = Array.from(
      { length: of },
      (_, index) => ids.filter((id) => inPartition(id, { index, of })).length,
    );
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(3000);
    for (const size of sizes) expect(Math.abs(size - 750)).toBeLessThan(120);
    // Stable: the same id lands in the same partition every time.
    expect(inPartition('index-7', { index: 2, of })).toBe(inPartition('index-7', { index: 2, of }));
  });

  it('needs one invocation per perInvocation items, within the cap', () => {
    expect(fanOutWidth(0, 250, 8)).toBe(1);
    expect(fanOutWidth(250, 250, 8)).toBe(1);
    expect(fanOutWidth(251, 250, 8)).toBe(2);
    expect(fanOutWidth(2000, 250, 8)).toBe(8);
    expect(fanOutWidth(100_000, 250, 8)).toBe(8);
    expect(fanOutWidth(100_000, 1, 1000)).toBe(MAX_FAN_OUT);
  });

  it('hands partitions 1..n-1 to the copies', () => {
    expect(copyPartitions(1)).toEqual([]);
    expect(copyPartitions(3)).toEqual([
      { index: 1, of: 3 },
      { index: 2, of: 3 },
    ]);
  });

  it('reads a partition from an event detail, and nothing else', () => {
    expect(partitionOf({ worker: 'ism-runner', partition: { index: 1, of: 3 } })).toEqual({
      index: 1,
      of: 3,
    });
    expect(partitionOf({})).toBeUndefined();
    expect(partitionOf(undefined)).toBeUndefined();
    expect(partitionOf({ partition: { index: 3, of: 3 } })).toBeUndefined();
    expect(partitionOf({ partition: { index: 0, of: 1 } })).toBeUndefined();
    expect(partitionOf({ partition: { index: '1', of: 3 } })).toBeUndefined();
    expect(partitionOf({ partition: { index: 0, of: MAX_FAN_OUT + 1 } })).toBeUndefined();
  });
});
