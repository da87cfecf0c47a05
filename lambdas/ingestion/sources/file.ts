import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { IngestionSource, Position } from '../model';
import type { ReadResult, ShardConsumer, StreamRecord } from './source';
import { describeFilePosition } from './positions';

/**
 * The `file` source of OpenSearch's `ingestion-fs` test plugin: shard N reads
 * `<base_directory>/<stream>/<N>.ndjson`, one message per line; the pointer is the line number
 * (from 0). A missing file is an empty shard. Timestamps are not supported (as in OpenSearch,
 * where a timestamp reset starts from the earliest line).
 */
export class FileShardConsumer implements ShardConsumer {
  readonly supportsTimestamp = false;
  private readonly file: string;

  constructor(source: IngestionSource, shard: number) {
    this.file = path.resolve(source.params.base_directory, source.params.stream, `${shard}.ndjson`);
  }

  private startLine(from: Position): number {
    switch (from.at) {
      case 'earliest':
      case 'timestamp':
        return 0;
      case 'offset':
        return Number(from.value);
      case 'after':
        return Number(from.value) + 1;
      case 'latest':
        throw new Error('resolve latest before reading');
    }
  }

  async read(from: Position, max: number): Promise<ReadResult> {
    const start = this.startLine(from);
    const records: StreamRecord[] = [];
    let more = false;
    if (existsSync(this.file)) {
      const lines = createInterface({ input: createReadStream(this.file, 'utf8'), crlfDelay: Infinity });
      let n = 0;
      for await (const line of lines) {
        if (n >= start) {
          if (records.length === max) {
            more = true;
            break;
          }
          records.push({ pointer: String(n), payload: line });
        }
        n++;
      }
      lines.close();
    }
    const next: Position = records.length
      ? { at: 'offset', value: String(start + records.length) }
      : from.at === 'timestamp' || from.at === 'earliest'
        ? { at: 'offset', value: '0' }
        : from;
    return { records, next, more };
  }

  async resolveLatest(): Promise<Position> {
    let n = 0;
    if (existsSync(this.file)) {
      const lines = createInterface({ input: createReadStream(this.file, 'utf8'), crlfDelay: Infinity });
      for await (const line of lines) n += line === undefined ? 0 : 1;
    }
    return { at: 'offset', value: String(n) };
  }

  describe(position: Position): string | undefined {
    return describeFilePosition(position);
  }

  async close(): Promise<void> {}
}
