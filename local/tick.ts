import fs from 'node:fs';
import { findWorker, workers } from '../infra/workers';
import type { WorkerEvent } from '../lambdas/shared/worker';
import { runWorker, scheduledEvent } from './scheduler';
import { readStackFile, useLocalStack } from './stack-file';

/**
 * `npm run tick -- <kind> [event.json]`: one invocation of a worker, now, against the running
 * local stack (`npm start`), with the event EventBridge would send (or the given one). Prints
 * the run's summary. Exit code 0 when the run finished, 1 when it threw, 2 on a usage error.
 */
const usage = (): string =>
  `usage: npm run tick -- <${workers.map((w) => w.kind).join('|') || 'worker'}> [event.json]`;

const main = async (): Promise<number> => {
  const [kind, eventFile] = process.argv.slice(2);
  if (!kind) {
    console.error(usage());
    return 2;
  }
  const worker = findWorker(kind);
  if (!worker) {
    console.error(`unknown worker [${kind}]; ${usage()}`);
    return 2;
  }
  const stack = readStackFile();
  if (!stack) {
    console.error('the local stack is not running: start it with `npm start` in another terminal');
    return 2;
  }
  useLocalStack(stack);
  const event = eventFile
    ? (JSON.parse(fs.readFileSync(eventFile, 'utf8')) as WorkerEvent)
    : scheduledEvent(worker);
  try {
    const summary = await runWorker(worker, event);
    console.log(JSON.stringify(summary, null, 2));
    return 0;
  } catch (error) {
    console.error(`${worker.worker} failed: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
};

void main().then((code) => process.exit(code));
