import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Which fuzz case wrote what, while many run at once: the API server runs in this process, so
 * each request it serves carries its case (the `x-robustness-case` header, taken into an
 * AsyncLocalStorage as the server starts on the request), and every DynamoDB write and every
 * cluster request a handler makes on its behalf is recorded under that case:
 *
 * - DynamoDB: a middleware on the one document client every handler uses records each write
 *   that succeeded (not the `_seq_no` counters: see snapshot.ts);
 * - the cluster: node's `http.client.*` diagnostics channels record each request to the
 *   cluster's host that could change it (not GET/HEAD, not a search or other read) and got a 2xx.
 *
 * A rejected request must have neither. The fuzzer checks the same with real before/after
 * snapshots on the cases it runs alone (fuzz.ts), which also keeps this observer honest.
 */
export const CASE_HEADER = 'x-robustness-case';

export interface Write {
  readonly where: 'table' | 'cluster';
  readonly what: string;
}

const current = new AsyncLocalStorage<string | undefined>();
const writes = new Map<string, Write[]>();

const record = (write: Write, id = current.getStore()): void => {
  if (id === undefined) return;
  writes.set(id, [...(writes.get(id) ?? []), write]);
};

/** The statuses the cluster answered a case's requests with. */
const clusterStatuses = new Map<string, number[]>();

/** The writes made for a case so far, and the cluster's answers to it; forgets both. */
export const takeWrites = (caseId: string): Write[] => {
  const list = writes.get(caseId) ?? [];
  writes.delete(caseId);
  return list;
};

export const takeClusterStatuses = (caseId: string): number[] => {
  const list = clusterStatuses.get(caseId) ?? [];
  clusterStatuses.delete(caseId);
  return list;
};

const WRITE_COMMANDS = new Set([
  'PutCommand',
  'UpdateCommand',
  'DeleteCommand',
  'BatchWriteCommand',
  'TransactWriteCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

interface KeyedInput {
  Key?: { pk?: unknown; sk?: unknown };
  Item?: { pk?: unknown; sk?: unknown };
}

export const observeTable = (client: DynamoDBDocumentClient): void => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const command = (context as { commandName?: string }).commandName ?? '';
      if (!WRITE_COMMANDS.has(command)) return result;
      const input = args.input as KeyedInput;
      const key = input.Key ?? input.Item;
      if (key?.pk === '_seq_no') return result;
      // A delete of what is not there changes nothing (when the store asked to see it).
      const output = (result as { output?: { Attributes?: unknown } }).output;
      const deletes = command === 'DeleteCommand' || command === 'DeleteItemCommand';
      if (
        deletes &&
        (args.input as { ReturnValues?: string }).ReturnValues === 'ALL_OLD' &&
        !output?.Attributes
      )
        return result;
      record({
        where: 'table',
        what: `${command} ${key ? `${String(key.pk)}/${String(key.sk)}` : ''}`.trim(),
      });
      return result;
    },
    { step: 'initialize', name: 'robustnessWriteObserver' },
  );
};

/** Cluster APIs that read, whatever their method. */
const READ_APIS =
  /\/(_search|_msearch|_count|_mget|_validate|_explain|_field_caps|_analyze|_resolve|_cat|_stats|_mapping|_settings|_alias|_aliases|_cluster\/(state|health|settings)|_nodes|_tasks|_render|_rank_eval|_termvectors|_mtermvectors|_ingest\/pipeline\/[^/]+\/_simulate|_search_shards|_pit|_scroll)(\/|$|\?)/;

export const observeCluster = (clusterUrl: string): void => {
  const host = new URL(clusterUrl).host;
  const seen = new WeakMap<ClientRequest, { id: string; what: string; writes: boolean }>();
  diagnostics.subscribe('http.client.request.start', (message) => {
    const { request } = message as { request: ClientRequest };
    const id = current.getStore();
    if (id === undefined || request.getHeader('host') !== host) return;
    const method = request.method.toUpperCase();
    const writes =
      method !== 'GET' &&
      method !== 'HEAD' &&
      (!READ_APIS.test(request.path) ||
        (method === 'PUT' && /\/_(cluster\/settings|settings|mapping|alias)/.test(request.path)));
    seen.set(request, { id, what: `${method} ${request.path}`, writes });
  });
  diagnostics.subscribe('http.client.response.finish', (message) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    const sent = seen.get(request);
    if (!sent) return;
    const status = response.statusCode ?? 0;
    clusterStatuses.set(sent.id, [...(clusterStatuses.get(sent.id) ?? []), status]);
    if (sent.writes && status < 300) record({ where: 'cluster', what: `${sent.what} → ${status}` }, sent.id);
  });
};

/** Each request the API server starts serving runs as the case its header names (or none). */
export const attributeServerRequests = (): void => {
  diagnostics.subscribe('http.server.request.start', (message) => {
    const { request } = message as { request: IncomingMessage };
    const id = request.headers[CASE_HEADER];
    current.enterWith(typeof id === 'string' ? id : undefined);
  });
};
