import path from 'node:path';
import { freePort, isPortClash, makeWorkDir, spawnBound, waitUntilReady } from './process';

/**
 * kinesalite, a Kinesis-compatible server, on loopback (its CLI would bind every interface):
 * the local stand-in for Amazon Kinesis Data Streams. It runs as a process of its own (stopped
 * with ours, see process.ts), so that its work does not share the event loop of the code that
 * reads from it, as with the real service. Data lives in memory and goes with the process.
 */
export interface KinesisHandle {
  endpoint: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/** kinesalite answers (any answer with an AWS request id: not some other server on the port). */
const answers = async (port: number): Promise<boolean> => {
  const res = await fetch(`http://${HOST}:${port}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.ListStreams' },
    body: '{}',
  });
  await res.arrayBuffer();
  return res.headers.has('x-amzn-requestid');
};

const startOnce = async (port: number): Promise<KinesisHandle> => {
  const workDir = makeWorkDir('kinesalite');
  const proc = spawnBound({
    name: 'kinesalite',
    command: process.execPath,
    args: [path.join(__dirname, 'kinesalite-server.js'), String(port)],
    cwd: workDir,
    logFile: path.join(workDir, 'kinesalite.log'),
    graceSeconds: 2,
    cleanupDirIfOrphaned: workDir,
  });
  try {
    await waitUntilReady(proc, () => answers(port), { timeoutMs: 30_000, intervalMs: 100 });
  } catch (error) {
    await proc.stop(2_000);
    throw error;
  }
  return { endpoint: `http://${HOST}:${port}`, stop: () => proc.stop(5_000) };
};

/** Starts kinesalite on `port` (0: a free one, retried if another process takes it first). */
export const startKinesalite = async (port = 0): Promise<KinesisHandle> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(port || (await freePort(HOST)));
    } catch (error) {
      if (port || attempt >= 3 || !isPortClash(error)) throw error;
    }
  }
};
