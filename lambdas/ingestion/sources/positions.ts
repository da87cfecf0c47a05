import type { Position } from '../model';

/**
 * OpenSearch's text of a concrete position (`batch_start_pointer`) per source type. Kept apart
 * from the consumers, so that the routes that only show positions (state, pause, resume) do not
 * load the stream clients.
 */
export const describeFilePosition = (position: Position): string | undefined => {
  if (position.at === 'offset') return `FileOffset{line=${position.value}}`;
  if (position.at === 'after') return `FileOffset{line=${Number(position.value) + 1}}`;
  return undefined;
};

export const describeKafkaPosition = (position: Position): string | undefined => {
  if (position.at === 'offset') return `KafkaOffset{offset=${position.value}}`;
  if (position.at === 'after') return `KafkaOffset{offset=${BigInt(position.value) + 1n}}`;
  return undefined;
};

export const describeKinesisPosition = (position: Position): string | undefined =>
  position.at === 'offset' || position.at === 'after'
    ? `SequenceNumber{sequenceNumber=${position.value}}`
    : undefined;
