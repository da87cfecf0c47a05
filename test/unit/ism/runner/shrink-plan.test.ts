import {
  freeBytesAfterShrink,
  greatestFactorAtMost,
  highWatermarkFloorBytes,
  invalidIndexNameReason,
  smallestFactorAtLeast,
  targetShardCount,
} from '../../../../lambdas/ism/runner/actions/shrink-plan';

describe('shrink target shard count (AttemptMoveShardsStep)', () => {
  it('num_new_shards takes the greatest divisor of the source count not above it', () => {
    expect(targetShardCount({ num_new_shards: 5, switch_aliases: false }, 12, 0)).toBe(4);
    expect(targetShardCount({ num_new_shards: 20, switch_aliases: false }, 12, 0)).toBe(12);
    expect(targetShardCount({ num_new_shards: 1, switch_aliases: false }, 7, 0)).toBe(1);
  });

  it('percentage_of_source_shards floors, then takes a divisor', () => {
    expect(targetShardCount({ percentage_of_source_shards: 0.5, switch_aliases: false }, 4, 0)).toBe(2);
    expect(targetShardCount({ percentage_of_source_shards: 0.4, switch_aliases: false }, 10, 0)).toBe(2);
    expect(targetShardCount({ percentage_of_source_shards: 0.1, switch_aliases: false }, 4, 0)).toBe(1);
  });

  it('max_shard_size takes the smallest divisor that keeps shards under the size', () => {
    const gb = 1024 ** 3;
    expect(targetShardCount({ max_shard_size: '10gb', switch_aliases: false }, 12, 25 * gb)).toBe(3);
    expect(targetShardCount({ max_shard_size: '10gb', switch_aliases: false }, 12, 0)).toBe(1);
    expect(targetShardCount({ max_shard_size: '1gb', switch_aliases: false }, 4, 100 * gb)).toBe(4);
  });

  it('factor helpers', () => {
    expect(greatestFactorAtMost(12, 0)).toBe(1);
    expect(smallestFactorAtLeast(15, 4)).toBe(5);
  });
});

describe('target index name (validateIndexOrAliasName)', () => {
  it('refuses what OpenSearch refuses, but leaves lowercase to the _shrink call', () => {
    expect(invalidIndexNameReason('logs_shrunken')).toBeUndefined();
    expect(invalidIndexNameReason('Logs')).toBeUndefined();
    expect(invalidIndexNameReason('a b')).toBe(
      'Invalid index name [a b], must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?]',
    );
    expect(invalidIndexNameReason('a#b')).toBe("Invalid index name [a#b], must not contain '#'");
    expect(invalidIndexNameReason('_x')).toBe(
      "Invalid index name [_x], must not start with '_', '-', or '+'",
    );
    expect(invalidIndexNameReason('..')).toBe("Invalid index name [..], must not be '.' or '..'");
  });
});

describe('disk needed on the shrink node', () => {
  it('keeps twice the index plus the high watermark floor free', () => {
    expect(highWatermarkFloorBytes('90%', 1000)).toBe(100);
    expect(highWatermarkFloorBytes('0.95', 1000)).toBe(50);
    expect(highWatermarkFloorBytes('1kb', 1_000_000)).toBe(1024);
    expect(freeBytesAfterShrink(500, 1000, 100, undefined)).toBe(200);
    expect(freeBytesAfterShrink(250, 1000, 100, '90%')).toBeLessThan(0);
  });
});
