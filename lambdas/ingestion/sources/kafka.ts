import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import type { IngestionSource, Position } from '../model';
import { parseKafkaParams, type KafkaSettings } from './kafka-config';
import type { ReadResult, ShardConsumer, StreamRecord } from './source';
import { describeKafkaPosition } from './positions';

/**
 * The `kafka` source: index shard N reads partition N of `param.topic`, as OpenSearch's
 * ingestion-kafka does. Pointers are offsets (`KafkaOffset{offset=N}`).
 *
 * No consumer group: like OpenSearch (which assigns the partition and seeks), we fetch from an
 * explicit offset, so the shard's checkpoint is the only position there is; nothing is
 * committed to Kafka, and no group join (seconds of rebalance) slows a Lambda invocation down.
 * kafkajs has no public group-less consumer, so this uses its cluster object (the one its
 * consumer and admin use) through the client's own factory: kafkajs is pinned to an exact
 * version in package.json for that reason.
 */

/** What we use of kafkajs' internal cluster and broker objects. */
interface FetchedMessage {
  offset: string;
  timestamp: string;
  value: Buffer | null;
  isControlRecord?: boolean;
}
interface FetchedPartition {
  partition: number;
  errorCode: number;
  highWatermark: string;
  messages: FetchedMessage[];
}
interface KafkaBroker {
  fetch(request: {
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: FetchedPartition[] }[] }>;
}
interface KafkaCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader: number }[];
  findBroker(query: { nodeId: string }): Promise<KafkaBroker>;
  fetchTopicsOffset(
    topics: { topic: string; partitions: { partition: number }[]; fromTimestamp: number }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}
type ClusterFactory = (options: {
  allowAutoTopicCreation: boolean;
  metadataMaxAge: number;
  isolationLevel: number;
}) => KafkaCluster;

const EARLIEST = -2;
const LATEST = -1;
const READ_UNCOMMITTED = 0;
const READ_COMMITTED = 1;

const createCluster = (settings: KafkaSettings): KafkaCluster => {
  const kafka = new Kafka({
    brokers: [...settings.brokers],
    clientId: settings.clientId ?? 'serverless-index-management',
    ssl: settings.ssl,
    sasl: settings.sasl as SASLOptions | undefined,
    requestTimeout: settings.requestTimeoutMs,
    connectionTimeout: 3_000,
    // Errors reach the poller as exceptions (and are logged there); a short retry suits Lambda.
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 2_000 },
    logLevel: logLevel.NOTHING,
  });
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  const factory = symbol && (kafka as unknown as Record<symbol, ClusterFactory | undefined>)[symbol];
  if (typeof factory !== 'function') {
    throw new Error(
      'this kafkajs version has no cluster factory; pin kafkajs to the version in package.json',
    );
  }
  return factory({
    allowAutoTopicCreation: false,
    metadataMaxAge: 300_000,
    isolationLevel: settings.readCommitted ? READ_COMMITTED : READ_UNCOMMITTED,
  });
};

/**
 * Connections shared by the shards of one invocation that read the same brokers with the same
 * settings (one TCP connection per broker, not one per shard), closed with the last of them.
 */
const pool = new Map<string, { cluster: Promise<KafkaCluster>; users: number }>();

const acquire = (settings: KafkaSettings): { key: string; cluster: Promise<KafkaCluster> } => {
  const key = JSON.stringify({ ...settings, topic: undefined });
  let entry = pool.get(key);
  if (!entry) {
    const cluster = createCluster(settings);
    const connected = cluster.connect().then(() => cluster);
    entry = { cluster: connected, users: 0 };
    pool.set(key, entry);
    // A failed connect is not kept: the next invocation (or shard) tries again.
    connected.catch(() => {
      if (pool.get(key) === entry) pool.delete(key);
    });
  }
  entry.users++;
  return { key, cluster: entry.cluster };
};

const release = async (key: string, cluster: Promise<KafkaCluster>): Promise<void> => {
  const entry = pool.get(key);
  if (entry && entry.cluster === cluster && --entry.users > 0) return;
  if (entry?.cluster === cluster) pool.delete(key);
  await (await cluster.catch(() => undefined))?.disconnect();
};

interface Fetched {
  readonly records: StreamRecord[];
  /** The offset after the last one fetched (control records included). */
  readonly next: bigint;
  readonly highWatermark: bigint;
}

const isOutOfRange = (e: unknown): boolean => (e as { type?: string } | null)?.type === 'OFFSET_OUT_OF_RANGE';

export class KafkaShardConsumer implements ShardConsumer {
  readonly supportsTimestamp = true;
  private readonly settings: KafkaSettings;
  private connection?: { key: string; cluster: Promise<KafkaCluster> };
  private partitionExists?: Promise<boolean>;
  /** Records fetched beyond the last batch (Kafka returns whole record batches), from `from`. */
  private buffer?: { from: bigint; fetched: Fetched };

  constructor(
    source: IngestionSource,
    private readonly partition: number,
  ) {
    this.settings = parseKafkaParams(source.params);
  }

  private cluster(): Promise<KafkaCluster> {
    this.connection ??= acquire(this.settings);
    return this.connection.cluster;
  }

  /** A topic with fewer partitions than the index has shards: the extra shards stay empty. */
  private hasPartition(): Promise<boolean> {
    this.partitionExists ??= (async () => {
      const cluster = await this.cluster();
      await cluster.addTargetTopic(this.settings.topic);
      return cluster
        .findTopicPartitionMetadata(this.settings.topic)
        .some((p) => p.partitionId === this.partition);
    })();
    this.partitionExists.catch(() => (this.partitionExists = undefined));
    return this.partitionExists;
  }

  private async offsetAt(timestamp: number): Promise<bigint> {
    const cluster = await this.cluster();
    const [topic] = await cluster.fetchTopicsOffset([
      { topic: this.settings.topic, partitions: [{ partition: this.partition }], fromTimestamp: timestamp },
    ]);
    const found = topic?.partitions.find((p) => p.partition === this.partition);
    return BigInt(found?.offset ?? '-1');
  }

  /**
   * The first offset to read for a position. A timestamp with no record at or after it starts
   * at the log end (the next record written is the first one after it), unless
   * `auto.offset.reset` is `earliest`.
   */
  private async startOffset(from: Position): Promise<bigint> {
    switch (from.at) {
      case 'earliest':
        return this.offsetAt(EARLIEST);
      case 'latest':
        return this.offsetAt(LATEST);
      case 'offset':
        return BigInt(from.value);
      case 'after':
        return BigInt(from.value) + 1n;
      case 'timestamp': {
        const offset = await this.offsetAt(from.value);
        if (offset >= 0n) return offset;
        return this.offsetAt(this.settings.autoOffsetReset === 'earliest' ? EARLIEST : LATEST);
      }
    }
  }

  private async fetch(offset: bigint, timeoutMs: number): Promise<Fetched> {
    const cluster = await this.cluster();
    const leader = cluster
      .findTopicPartitionMetadata(this.settings.topic)
      .find((p) => p.partitionId === this.partition)?.leader;
    if (leader === undefined)
      throw new Error(`partition ${this.partition} of ${this.settings.topic} has no leader`);
    const broker = await cluster.findBroker({ nodeId: String(leader) });
    const res = await broker.fetch({
      isolationLevel: this.settings.readCommitted ? READ_COMMITTED : READ_UNCOMMITTED,
      maxWaitTime: timeoutMs,
      minBytes: 1,
      maxBytes: this.settings.fetchMaxBytes,
      topics: [
        {
          topic: this.settings.topic,
          partitions: [
            {
              partition: this.partition,
              fetchOffset: offset.toString(),
              maxBytes: this.settings.maxPartitionFetchBytes,
            },
          ],
        },
      ],
    });
    const data = res.responses[0]?.partitions.find((p) => p.partition === this.partition);
    const records: StreamRecord[] = [];
    let next = offset;
    for (const m of data?.messages ?? []) {
      const at = BigInt(m.offset);
      // A fetch returns whole record batches, which may start before the offset asked for.
      if (at < offset) continue;
      next = at + 1n;
      if (m.isControlRecord) continue; // transaction markers take an offset but carry no message
      records.push({ pointer: m.offset, payload: m.value ? m.value.toString('utf8') : '' });
    }
    return { records, next, highWatermark: BigInt(data?.highWatermark ?? '0') };
  }

  async read(from: Position, max: number, timeoutMs = 1_000): Promise<ReadResult> {
    if (!(await this.hasPartition())) return { records: [], next: from, more: false };
    let offset = await this.startOffset(from);
    let fetched: Fetched;
    if (this.buffer?.from === offset) fetched = this.buffer.fetched;
    else {
      try {
        fetched = await this.fetch(offset, timeoutMs);
      } catch (e) {
        if (!isOutOfRange(e)) throw e;
        // The position fell out of the log (retention, or an offset past its end).
        if (this.settings.autoOffsetReset === 'none') {
          throw new Error(
            `offset ${offset} is out of range for partition ${this.partition} of topic [${this.settings.topic}]; resume with reset_settings, or set param.auto.offset.reset to earliest or latest`,
            { cause: e },
          );
        }
        offset = await this.offsetAt(this.settings.autoOffsetReset === 'earliest' ? EARLIEST : LATEST);
        fetched = await this.fetch(offset, timeoutMs);
      }
    }
    this.buffer = undefined;
    let { records, next } = fetched;
    if (records.length > max) {
      next = BigInt(records[max - 1].pointer) + 1n;
      this.buffer = { from: next, fetched: { ...fetched, records: records.slice(max) } };
      records = records.slice(0, max);
    }
    return {
      records,
      next: { at: 'offset', value: next.toString() },
      more: this.buffer !== undefined || fetched.highWatermark > next,
    };
  }

  async resolveLatest(): Promise<Position> {
    if (!(await this.hasPartition())) return { at: 'offset', value: '0' };
    return { at: 'offset', value: (await this.offsetAt(LATEST)).toString() };
  }

  describe(position: Position): string | undefined {
    return describeKafkaPosition(position);
  }

  async close(): Promise<void> {
    const c = this.connection;
    this.connection = undefined;
    this.buffer = undefined;
    if (c) await release(c.key, c.cluster);
  }
}
