import type { IngestionSource, Position } from '../model';

/**
 * A stream shard (Kinesis shard, Kafka partition, ndjson file) as the poller reads it. Every
 * source speaks in {@link Position}s; pointers are the source's own text (line number, sequence
 * number, offset), kept verbatim in the checkpoint.
 */
export interface StreamRecord {
  /** The record's own pointer; `{at: 'offset'}` of it reads it again. */
  readonly pointer: string;
  readonly payload: string;
}

export interface ReadResult {
  readonly records: readonly StreamRecord[];
  /** Where to read after these records (unchanged when there were none). */
  readonly next: Position;
  /** The shard holds more than was returned (a full batch, or the source says it lags). */
  readonly more: boolean;
}

export interface ShardConsumer {
  read(from: Position, max: number, timeoutMs: number): Promise<ReadResult>;
  /**
   * Pins `latest` to a concrete position, so that records written between two polls are not
   * skipped by re-reading "latest" each time.
   */
  resolveLatest(): Promise<Position>;
  /** OpenSearch's text of the pointer to resume from (`batch_start_pointer`), when concrete. */
  describe(position: Position): string | undefined;
  /** Whether the source can start at a timestamp (the file source cannot). */
  readonly supportsTimestamp: boolean;
  close(): Promise<void>;
}

export type ConsumerFactory = (source: IngestionSource, shard: number) => ShardConsumer;
