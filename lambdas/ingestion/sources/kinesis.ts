import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  type GetShardIteratorCommandInput,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { IngestionSource, Position } from '../model';
import type { ReadResult, ShardConsumer } from './source';
import { describeKinesisPosition } from './positions';

/**
 * The `kinesis` source: index shard N reads the stream's N-th shard (shards in id order), as
 * OpenSearch's ingestion-kinesis does. Pointers are sequence numbers; `param.region`,
 * `param.endpoint_override`, `param.access_key`/`param.secret_key` as in OpenSearch (without
 * keys the function's own role is used).
 */
export class KinesisShardConsumer implements ShardConsumer {
  readonly supportsTimestamp = true;
  private readonly client: KinesisClient;
  private readonly stream: string;
  private shardIdPromise?: Promise<string | undefined>;
  /** The iterator that continues the last read, and the position it stands for. */
  private cursor?: { position: string; iterator: string };

  constructor(
    source: IngestionSource,
    private readonly shard: number,
  ) {
    const p = source.params;
    this.stream = p.stream;
    this.client = new KinesisClient({
      region: p.region || process.env.AWS_REGION || 'us-east-1',
      endpoint: p.endpoint_override || undefined,
      credentials:
        p.access_key && p.secret_key
          ? { accessKeyId: p.access_key, secretAccessKey: p.secret_key }
          : undefined,
      // HTTP/1.1: Kinesis-compatible local servers (kinesalite) do not speak HTTP/2.
      requestHandler: new NodeHttpHandler(),
    });
  }

  private shardId(): Promise<string | undefined> {
    this.shardIdPromise ??= (async () => {
      const ids: string[] = [];
      let token: string | undefined;
      do {
        const out = await this.client.send(
          new ListShardsCommand(token ? { NextToken: token } : { StreamName: this.stream }),
        );
        ids.push(...(out.Shards ?? []).map((s) => s.ShardId as string));
        token = out.NextToken;
      } while (token);
      return ids.sort()[this.shard];
    })();
    return this.shardIdPromise;
  }

  private async iterator(shardId: string, from: Position): Promise<string | undefined> {
    const key = JSON.stringify(from);
    if (this.cursor?.position === key) return this.cursor.iterator;
    const input: GetShardIteratorCommandInput = {
      StreamName: this.stream,
      ShardId: shardId,
      ShardIteratorType: 'TRIM_HORIZON',
    };
    if (from.at === 'offset')
      Object.assign(input, { ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: from.value });
    else if (from.at === 'after')
      Object.assign(input, {
        ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
        StartingSequenceNumber: from.value,
      });
    else if (from.at === 'timestamp')
      Object.assign(input, { ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(from.value) });
    else if (from.at === 'latest') input.ShardIteratorType = 'LATEST';
    return (await this.client.send(new GetShardIteratorCommand(input))).ShardIterator;
  }

  async read(from: Position, max: number): Promise<ReadResult> {
    const shardId = await this.shardId();
    // A stream with fewer shards than the index: the extra index shards stay empty.
    if (!shardId) return { records: [], next: from, more: false };
    const iterator = await this.iterator(shardId, from);
    if (!iterator) return { records: [], next: from, more: false };
    const out = await this.client.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(max, 10_000) }),
    );
    const records = (out.Records ?? []).map((r) => ({
      pointer: r.SequenceNumber as string,
      payload: Buffer.from(r.Data ?? new Uint8Array()).toString('utf8'),
    }));
    const next: Position = records.length
      ? { at: 'after', value: records[records.length - 1].pointer }
      : from;
    this.cursor = out.NextShardIterator
      ? { position: JSON.stringify(next), iterator: out.NextShardIterator }
      : undefined;
    return { records, next, more: records.length >= max || (out.MillisBehindLatest ?? 0) > 0 };
  }

  async resolveLatest(): Promise<Position> {
    return { at: 'timestamp', value: Date.now() };
  }

  describe(position: Position): string | undefined {
    return describeKinesisPosition(position);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
