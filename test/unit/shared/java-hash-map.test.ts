import {
  grownCapacity,
  hashMapOrder,
  javaStringHash,
  putAllCapacity,
} from '../../../lambdas/shared/java-hash-map';

describe("java.util.HashMap's iteration order", () => {
  it("hashes strings as Java's String.hashCode does", () => {
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('a')).toBe(97);
    expect(javaStringHash('cf-mcls-x1')).toBe(56477055);
    // Overflows wrap in 32 bits.
    expect(javaStringHash('cf-mrem-a')).toBe(-954370997);
  });

  it('sizes a putAll table for the incoming map, a grown table in steps of 16', () => {
    expect([1, 2, 3, 6, 12, 13].map(putAllCapacity)).toEqual([2, 4, 8, 16, 32, 32]);
    expect([0, 12, 13, 25].map(grownCapacity)).toEqual([16, 16, 32, 64]);
  });

  const order = (names: string[], capacity: number): string[] => hashMapOrder(names, (n) => n, capacity);

  it('walks buckets in order, and a bucket in insertion order', () => {
    // 4 buckets: cf-mcls-x2 is in bucket 1, cf-mcls-x1 in bucket 2 (the plugin's add answer).
    expect(order(['cf-mcls-x1', 'cf-mcls-x2'], 4)).toEqual(['cf-mcls-x2', 'cf-mcls-x1']);
    expect(order(['cf-mcls-x1', 'cf-mcls-x2'], 16)).toEqual(['cf-mcls-x1', 'cf-mcls-x2']);
    // Same bucket of 4: the order they came in, here from a table of 16.
    expect(order(order(['cf-mret-a', 'cf-mret-u'], 16), 4)).toEqual(['cf-mret-u', 'cf-mret-a']);
  });
});
