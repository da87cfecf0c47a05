import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CatalogueEntry } from './catalogue';
import { envelopeProblem } from './checks';
import type { DynamoProxy } from '../support/dynamo-proxy';
import { send } from './http-client';
import { differences, tableSnapshot } from './snapshot';

/**
 * The faults phase: DynamoDB throttling every request, then out of reach (test/support/dynamo-proxy.ts),
 * while every operation of the route table is called with its sample request. Each answer is a
 * 2xx (an operation that needs no stored state), the cluster's own, or a 429 / 503 in
 * OpenSearch's envelope with `Retry-After`; never another 5xx. Nothing is written meanwhile, and
 * once DynamoDB is back the same requests are answered as before.
 *
 * Not covered yet: a store that fails part-way through a request (partial writes), and the
 * workers resuming after an outage.
 */
export interface FaultsResult {
  readonly faults: number;
  readonly fiveXx: number;
  readonly problems: readonly string[];
  /** The statuses answered under each fault. */
  readonly answered: readonly string[];
  /** With `partial`: requests that failed part-way and left writes behind (reported, not failed on). */
  readonly partial: readonly string[];
}

const samplePath = (op: CatalogueEntry): string =>
  op.paths[0].replace(/\{([^}]+)\}/g, (_m, p: string) => encodeURIComponent(op.sample.pathParams[p] ?? 'x'));

export const faults = async (
  apiUrl: string,
  proxy: DynamoProxy,
  store: { dynamo: DynamoDBClient; table: string },
  ops: readonly CatalogueEntry[],
  options: { partial?: boolean; restore?: () => Promise<void> } = {},
): Promise<FaultsResult> => {
  const restore = options.restore ?? (async () => undefined);
  const partial: string[] = [];
  const problems: string[] = [];
  const answered: string[] = [];
  let calls = 0;
  let fiveXx = 0;
  const call = (op: CatalogueEntry) =>
    send(apiUrl, {
      method: op.method,
      path: samplePath(op),
      query: new URLSearchParams(op.sample.query as Record<string, string>).toString(),
      body: op.sample.rawBody,
      contentType: op.sample.rawBody ? 'application/json' : undefined,
    });
  for (const fault of ['throttled', 'out of reach'] as const) {
    const before = await tableSnapshot(store.dynamo, store.table);
    if (fault === 'throttled') proxy.throttle();
    else await proxy.down();
    const replies = await Promise.all(ops.map(async (op) => ({ op, reply: await call(op) })));
    await proxy.forward();
    calls += replies.length;
    const byStatus = new Map<number, number>();
    for (const { reply } of replies) byStatus.set(reply.status, (byStatus.get(reply.status) ?? 0) + 1);
    answered.push(
      `${fault}: ${[...byStatus]
        .sort(([a], [b]) => a - b)
        .map(([st, n]) => `${st}×${n}`)
        .join(' ')}`,
    );
    for (const { op, reply } of replies) {
      const what = `${fault}: ${op.operation} → ${reply.status}`;
      if (reply.status === 429 || reply.status === 503) {
        const problem = envelopeProblem(op.method, reply);
        if (problem) problems.push(`${what}: ${problem}`);
        if (!reply.headers['retry-after']) problems.push(`${what} without Retry-After`);
      } else if (reply.status >= 500) {
        fiveXx++;
        problems.push(`${what}: ${reply.text.slice(0, 200)}`);
      }
    }
    const changed = differences(before, await tableSnapshot(store.dynamo, store.table));
    if (changed.length) problems.push(`${fault}: the table changed: ${changed.join(', ')}`);
  }
  if (options.partial) {
    // DynamoDB failing part-way: each state-changing operation with its first k store calls
    // through and the rest failing. A request that did not succeed must leave nothing behind.
    for (const op of ops.filter((o) => o.changesState)) {
      for (const k of [1, 2, 3]) {
        await restore();
        const before = await tableSnapshot(store.dynamo, store.table);
        proxy.failAfter(k);
        const reply = await call(op);
        await proxy.forward();
        calls++;
        if (reply.status < 300) continue;
        const changed = differences(before, await tableSnapshot(store.dynamo, store.table));
        if (changed.length) {
          partial.push(
            `${op.operation} with store call ${k + 1} failing → ${reply.status}, left: ${changed.join(', ')}`,
          );
        }
      }
    }
  }
  // Back again: the same requests get their answers (a read of each namespace works).
  const after = await send(apiUrl, { method: 'GET', path: '/_plugins/_ism/policies' });
  if (after.status !== 200) problems.push(`after the faults: GET _plugins/_ism/policies → ${after.status}`);
  return { faults: calls, fiveXx, problems, answered, partial };
};
