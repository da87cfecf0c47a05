import { createHash } from 'node:crypto';

/**
 * Fan-out of one worker run over several invocations. When more items are due than one
 * invocation should take, the run that found them (the coordinator) starts copies of itself,
 * each told to take one partition of the due items; the coordinator takes partition 0. Items are
 * split by a stable hash of their id, so copies never compete for the same item's lease, and a
 * copy never fans out again.
 */
export interface Partition {
  /** 0-based. */
  readonly index: number;
  /** How many partitions the due items were split into (at least 2). */
  readonly of: number;
}

/** At most this many invocations share one run (the coordinator included). */
export const MAX_FAN_OUT = 32;

/** Whether the item belongs to the partition. */
export const inPartition = (id: string, partition: Partition): boolean =>
  createHash('sha1').update(id).digest().readUInt32BE(0) % partition.of === partition.index;

/**
 * How many invocations `due` items need at `perInvocation` each, capped at `max`: 1 means no
 * fan-out.
 */
export const fanOutWidth = (due: number, perInvocation: number, max: number): number =>
  Math.max(1, Math.min(max, MAX_FAN_OUT, Math.ceil(due / Math.max(1, perInvocation))));

/** The partitions the coordinator hands to its copies (all but its own partition 0). */
export const copyPartitions = (width: number): Partition[] =>
  Array.from({ length: width - 1 }, (_, i) => ({ index: i + 1, of: width }));

/** The partition named in a worker event's detail, if it names a valid one. */
export const partitionOf = (detail: unknown): Partition | undefined => {
  const p = (detail as { partition?: unknown } | null | undefined)?.partition as
    { index?: unknown; of?: unknown } | undefined;
  if (!p || !Number.isInteger(p.index) || !Number.isInteger(p.of)) return undefined;
  const index = p.index as number;
  const of = p.of as number;
  return of >= 2 && of <= MAX_FAN_OUT && index >= 0 && index < of ? { index, of } : undefined;
};
