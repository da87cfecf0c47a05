import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

/**
 * kinesalite, a Kinesis-compatible server, in this process on loopback (its CLI would bind
 * every interface): the local stand-in for Amazon Kinesis Data Streams. Data lives in memory
 * and goes with the process.
 */
export interface KinesisHandle {
  endpoint: string;
  stop(): Promise<void>;
}

export const startKinesalite = async (port = 0): Promise<KinesisHandle> => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const kinesalite = require('kinesalite') as (options: {
    createStreamMs: number;
    deleteStreamMs: number;
  }) => Server;
  const server = kinesalite({ createStreamMs: 50, deleteStreamMs: 50 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
