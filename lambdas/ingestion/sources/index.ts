import type { IngestionSource, Position, SourceType } from '../model';
import { FileShardConsumer, describeFilePosition } from './file';
import { KafkaShardConsumer, describeKafkaPosition } from './kafka';
import { KinesisShardConsumer, describeKinesisPosition } from './kinesis';
import type { ShardConsumer } from './source';

/** The consumer of one shard for the index's source type. */
export const createConsumer = (source: IngestionSource, shard: number): ShardConsumer => {
  switch (source.type) {
    case 'file':
      return new FileShardConsumer(source, shard);
    case 'kinesis':
      return new KinesisShardConsumer(source, shard);
    case 'kafka':
      return new KafkaShardConsumer(source, shard);
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
