import type { IngestionSource, Position, SourceType } from '../model';
import { describeFilePosition, describeKafkaPosition, describeKinesisPosition } from './positions';
import type { ShardConsumer } from './source';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use (see createConsumer) */

/**
 * The consumer of one shard for the index's source type. Each source's module (and its client:
 * kafkajs, the Kinesis SDK) is loaded on first use, so a function that never reads that kind of
 * stream (most API routes, a rollover of a plain index) does not pay for it at cold start.
 */
export const createConsumer = (source: IngestionSource, shard: number): ShardConsumer => {
  switch (source.type) {
    case 'file': {
      const { FileShardConsumer } = require('./file') as typeof import('./file');
      return new FileShardConsumer(source, shard);
    }
    case 'kinesis': {
      const { KinesisShardConsumer } = require('./kinesis') as typeof import('./kinesis');
      return new KinesisShardConsumer(source, shard);
    }
    case 'kafka': {
      const { KafkaShardConsumer } = require('./kafka') as typeof import('./kafka');
      return new KafkaShardConsumer(source, shard);
    }
  }
};

/** OpenSearch's text of a concrete position (`batch_start_pointer`), per source type. */
export const describePosition = (type: SourceType, position: Position): string | undefined => {
  switch (type) {
    case 'file':
      return describeFilePosition(position);
    case 'kinesis':
      return describeKinesisPosition(position);
    case 'kafka':
      return describeKafkaPosition(position);
  }
};
