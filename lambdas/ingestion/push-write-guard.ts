import type { Context } from 'aws-lambda';
import { passThrough } from '../core/pass-through';
import { isRetryableClusterError } from '../shared/cluster';
import { OpenSearchError, illegalArgument } from '../shared/errors';
import { logger } from '../shared/logger';
import { applyFilterPaths, parseFilterPath } from '../shared/filter-path';
import { decodeBody, errorResult, toResult, type ApiEvent, type ApiResult } from '../shared/http';
import { ingestedTargets, ingestionCluster } from './deps';
import { mentionsAny, ourIndex, type IngestedTargets } from './ingested-targets';
import {
  MalformedBulk,
  PUSH_DELETION,
  PUSH_INDEXING,
  answerWrites,
  generatedId,
  parseBulk,
  updateBody,
  type BulkItem,
  type IndexFacts,
  type ItemResult,
  type OurWrite,
  type WriteOp,
} from './push-writes';

/**
 * Document writes (`_doc`, `_create`, `_update`, `DELETE _doc`, `_bulk`) through our endpoint's
 * data-plane pass-through.
 * A write to an index our poller ingests (by name, or through an alias whose write index it is)
 * is refused as OpenSearch 3.x refuses it for an index with `ingestion_source` (see
 * ../push-writes.ts); every other write goes to the cluster as sent, after one look at a
 * per-container cache (../ingested-targets.ts). The poller itself writes to the cluster directly.
 */
type Json = Record<string, unknown>;

const SINGLE_OPS: Record<string, Record<string, WriteOp>> = {
  _doc: { PUT: 'index', POST: 'index', DELETE: 'delete' },
  _create: { PUT: 'create', POST: 'create' },
  _update: { POST: 'update' },
};

const BY_QUERY = new Set(['_delete_by_query', '_update_by_query']);

const segmentsOf = (path: string): string[] =>
  path
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });

/** Whether a request is a document write (by method and path alone: no I/O). */
export const isDocumentWrite = (method: string, path: string): boolean => {
  const m = method.toUpperCase();
  if (m !== 'PUT' && m !== 'POST' && m !== 'DELETE') return false;
  const s = path.split('/').filter(Boolean);
  if (BY_QUERY.has(s[1] ?? '')) return m === 'POST' && s.length === 2 && !s[0].startsWith('_');
  if (s[0] === '_bulk' || s[1] === '_bulk') return s.length === (s[0] === '_bulk' ? 1 : 2) && m !== 'DELETE';
  if (s.length < 2 || s.length > 3 || s[0].startsWith('_')) return false;
  const op = SINGLE_OPS[s[1]]?.[m];
  return op !== undefined && (s.length === 3 || (s[1] === '_doc' && m === 'POST'));
};

/** The indices our poller ingests, or undefined when they cannot be known here (no table). */
const lookUpTargets = async (): Promise<IngestedTargets | undefined> => {
  if (!process.env.TABLE_NAME) return undefined;
  try {
    return await ingestedTargets().get();
  } catch (error) {
    // Writes keep flowing when the table cannot be read; the next request looks again.
    logger.warn('ingested indices unknown, write passed through', { error: error as Error });
    return undefined;
  }
};

export const guardWrite = async (event: ApiEvent, context?: Context): Promise<ApiResult> => {
  const method = event.requestContext.http.method.toUpperCase();
  const query = event.queryStringParameters ?? {};
  try {
    const targets = await lookUpTargets();
    if (!targets || targets.indices.size === 0) return await passThrough(event, context);
    const segments = segmentsOf(event.rawPath);
    if (BY_QUERY.has(segments[1])) return await byQuery(event, context, targets, segments[0], segments[1]);
    if (segments[0] === '_bulk' || segments[1] === '_bulk') {
      return await bulk(event, context, targets, segments[1] === '_bulk' ? segments[0] : undefined);
    }
    const op = SINGLE_OPS[segments[1]]?.[method];
    const index = ourIndex(targets, segments[0]);
    if (!op || !index) return await passThrough(event, context);
    return await single(event, context, targets, op, index, segments[2]);
  } catch (error) {
    if (isRetryableClusterError(error)) {
      const reason = `the cluster did not answer: ${(error as Error).message}`;
      return errorResult(new OpenSearchError(502, 'cluster_unavailable_exception', reason), method, query);
    }
    return errorResult(error, method, query);
  }
};

/** The registered indices among `indices` that are still the registered ones on the cluster. */
const currentFacts = async (
  targets: IngestedTargets,
  indices: readonly string[],
): Promise<Map<string, IndexFacts>> => {
  const facts = await ingestionCluster().indexFacts([...new Set(indices)]);
  for (const [name, f] of facts) {
    if (!targets.indices.has(name)) facts.delete(name);
    const registered = targets.indices.get(name);
    // Deleted and created again behind our back: not ours any more.
    if (registered !== undefined && registered !== f.uuid) facts.delete(name);
  }
  return facts;
};

const errorBody = (r: ItemResult): Json => {
  const cause = r.error as Json;
  return { error: { root_cause: [cause], ...cause }, status: r.status };
};

const single = async (
  event: ApiEvent,
  context: Context | undefined,
  targets: IngestedTargets,
  op: WriteOp,
  index: string,
  pathId: string | undefined,
): Promise<ApiResult> => {
  const method = event.requestContext.http.method.toUpperCase();
  const query = event.queryStringParameters ?? {};
  const raw = decodeBody(event);
  // The cluster refuses a missing body before anything is written: its own message.
  if (op !== 'delete' && (raw === undefined || raw.trim() === '')) return passThrough(event, context);
  let body: unknown;
  if (op !== 'delete') {
    try {
      body = JSON.parse(raw as string);
    } catch (e) {
      throw new OpenSearchError(
        400,
        op === 'update' ? 'x_content_parse_exception' : 'mapper_parsing_exception',
        op === 'update' ? (e as Error).message : 'failed to parse',
        {},
        op === 'update' ? undefined : { type: 'json_parse_exception', reason: (e as Error).message },
      );
    }
  }
  const update = op === 'update' ? updateBody(body) : undefined;
  // No doc and no script: the cluster's validation error, nothing written.
  if (op === 'update' && !update) return passThrough(event, context);
  const facts = await currentFacts(targets, [index]);
  if (!facts.has(index)) return passThrough(event, context);
  const write: OurWrite = {
    op,
    index,
    id: pathId ?? generatedId(),
    ...(query.routing !== undefined ? { routing: query.routing } : {}),
    ...(update ? { update } : {}),
  };
  const [stored] = update ? await ingestionCluster().documents([write]) : [];
  const [result] = answerWrites([write], facts, () => stored);
  if (result.error) return toResult({ status: result.status, body: errorBody(result) }, method, query);
  // A noop: the one write that succeeds (single-document answers count no shard).
  const answer: Json = {
    _index: result._index,
    _id: result._id,
    _version: result._version,
    result: result.result,
    _shards: { total: 0, successful: 0, failed: 0 },
  };
  return toResult(
    { status: result.status, body: applyFilterPaths(answer, parseFilterPath(query.filter_path)) },
    method,
    query,
  );
};

const bulk = async (
  event: ApiEvent,
  context: Context | undefined,
  targets: IngestedTargets,
  pathIndex: string | undefined,
): Promise<ApiResult> => {
  const method = event.requestContext.http.method.toUpperCase();
  const query = event.queryStringParameters ?? {};
  const text = decodeBody(event) ?? '';
  if (!mentionsAny(targets, `${pathIndex ?? ''}\n${text}`)) return passThrough(event, context);
  let items: BulkItem[];
  try {
    items = parseBulk(text, { index: pathIndex, routing: query.routing });
  } catch (e) {
    if (!(e instanceof MalformedBulk)) throw e;
    // Not forwarded: a parser more lenient than ours (comments) could write to our index.
    throw illegalArgument(
      `Malformed action/metadata line [${e.message.replace('line ', '')}], expected a JSON object with one of [index, create, update, delete]`,
    );
  }
  const oursByItem = items.map((item) => ourIndex(targets, item.index));
  if (oursByItem.every((i) => i === undefined)) return passThrough(event, context);
  const facts = await currentFacts(
    targets,
    oursByItem.filter((i): i is string => i !== undefined),
  );
  const writes = new Map<number, OurWrite>();
  for (const [i, item] of items.entries()) {
    const index = oursByItem[i];
    if (!index || !facts.has(index)) continue;
    const update = item.op === 'update' ? updateBody(item.body) : undefined;
    // The cluster refuses the whole request for these before anything is written.
    if ((item.op === 'update' || item.op === 'delete') && item.id === undefined)
      return passThrough(event, context);
    if (item.op === 'update' && !update) return passThrough(event, context);
    writes.set(i, {
      op: item.op,
      index,
      id: item.id ?? generatedId(),
      ...(item.routing !== undefined ? { routing: item.routing } : {}),
      ...(update ? { update } : {}),
    });
  }
  if (writes.size === 0) return passThrough(event, context);

  const started = Date.now();
  const others = items.filter((_, i) => !writes.has(i));
  const querystring = new URLSearchParams(event.rawQueryString ?? '');
  querystring.delete('filter_path');
  let theirs: Json | undefined;
  if (others.length > 0) {
    const reply = await ingestionCluster().sendText(
      method,
      event.rawPath,
      querystring.toString() || undefined,
      `${others.flatMap((o) => o.lines).join('\n')}\n`,
      event.headers?.['content-type'] ?? 'application/x-ndjson',
    );
    // The whole request refused (a bad parameter, say): nothing was written anywhere.
    if (reply.status !== 200) return toResult({ status: reply.status, body: reply.body }, method, query);
    theirs = reply.body as Json;
  }
  const ours = [...writes.entries()];
  const updates = ours.filter(([, w]) => w.update);
  const docs = await ingestionCluster().documents(updates.map(([, w]) => w));
  const stored = new Map(updates.map(([i], k) => [i, docs[k]]));
  const results = answerWrites(
    ours.map(([, w]) => w),
    facts,
    (k) => stored.get(ours[k][0]),
  );
  const ourResults = new Map(ours.map(([i], k) => [i, results[k]]));
  const theirItems = ((theirs?.items ?? []) as Json[])[Symbol.iterator]();
  const merged = items.map((item, i) => {
    const mine = ourResults.get(i);
    return mine ? { [item.op]: mine } : (theirItems.next().value as Json);
  });
  const errors = merged.some((m) => (Object.values(m)[0] as ItemResult).error !== undefined);
  const answer: Json = {
    took: theirs?.took ?? Date.now() - started,
    ...(theirs?.ingest_took !== undefined ? { ingest_took: theirs.ingest_took } : {}),
    errors,
    items: merged,
  };
  return toResult(
    { status: 200, body: applyFilterPaths(answer, parseFilterPath(query.filter_path)) },
    method,
    query,
  );
};

/** Parameters of a by-query request that shape its search (the rest concern the writes). */
const SEARCH_PARAMS = [
  'q',
  'df',
  'analyzer',
  'analyze_wildcard',
  'default_operator',
  'lenient',
  'routing',
  'preference',
];
const INDEX_OPTIONS = ['expand_wildcards', 'ignore_unavailable', 'allow_no_indices'];
/** OpenSearch's default scroll size of a by-query request: its first batch. */
const DEFAULT_SCROLL_SIZE = 1000;

/**
 * `_delete_by_query` / `_update_by_query` over indices that include ours: OpenSearch's first
 * batch fails on every document of an ingesting index (one `ingestion_engine_exception`
 * failure each, status 400) and nothing there changes. Ours are searched for that batch; the
 * other indices of the expression get the request as sent, and the two answers are summed.
 */
const byQuery = async (
  event: ApiEvent,
  context: Context | undefined,
  targets: IngestedTargets,
  expression: string,
  action: string,
): Promise<ApiResult> => {
  const method = event.requestContext.http.method.toUpperCase();
  const query = event.queryStringParameters ?? {};
  const cluster = ingestionCluster();
  const options = Object.fromEntries(
    INDEX_OPTIONS.filter((k) => query[k] !== undefined).map((k) => [k, query[k] as string]),
  );
  const concrete = await cluster.resolveNames(expression, options);
  // The expression resolves to nothing (or an error): the cluster answers it.
  if (!concrete || concrete.length === 0) return passThrough(event, context);
  const facts = await currentFacts(
    targets,
    concrete.filter((i) => targets.indices.has(i)),
  );
  const ours = concrete.filter((i) => facts.has(i));
  if (ours.length === 0) return passThrough(event, context);
  if (query.wait_for_completion === 'false') {
    throw illegalArgument(
      `[${action}] with wait_for_completion=false is not supported on indices ingested by the control plane [${ours.join(', ')}]`,
    );
  }
  const raw = decodeBody(event);
  let body: Json;
  try {
    body = raw && raw.trim() !== '' ? (JSON.parse(raw) as Json) : {};
  } catch (e) {
    // Not forwarded: a parser more lenient than ours (comments) could act on our index.
    throw new OpenSearchError(400, 'x_content_parse_exception', (e as Error).message);
  }
  const started = Date.now();
  const others = concrete.filter((i) => !facts.has(i));
  const querystring = new URLSearchParams(event.rawQueryString ?? '');
  querystring.delete('filter_path');
  let theirs: Json | undefined;
  if (others.length > 0) {
    const reply = await cluster.sendText(
      'POST',
      `/${others.map(encodeURIComponent).join(',')}/${action}`,
      querystring.toString() || undefined,
      raw ?? '',
      'application/json',
    );
    if (reply.status !== 200 && (reply.body as Json)?.failures === undefined) {
      return toResult({ status: reply.status, body: reply.body }, method, query);
    }
    theirs = reply.body as Json;
  }
  const maxDocs = Number(query.max_docs ?? body.max_docs ?? Infinity);
  const batch = Math.min(Number(query.scroll_size ?? DEFAULT_SCROLL_SIZE), maxDocs);
  const found = await cluster.searchIds(
    ours,
    Object.fromEntries(
      SEARCH_PARAMS.filter((k) => query[k] !== undefined).map((k) => [k, query[k] as string]),
    ),
    body.query,
    batch,
  );
  const total = Math.min(found.total, maxDocs);
  const reason = action === '_delete_by_query' ? PUSH_DELETION : PUSH_INDEXING;
  const failures = [
    ...((theirs?.failures as Json[] | undefined) ?? []),
    ...found.hits.map((h) => ({
      index: h.index,
      id: h.id,
      cause: { type: 'ingestion_engine_exception', reason },
      status: 400,
    })),
  ];
  const count = (k: string): number => Number(theirs?.[k] ?? 0);
  const answer: Json = {
    took: theirs?.took ?? Date.now() - started,
    timed_out: theirs?.timed_out ?? false,
    total: count('total') + total,
    ...(action === '_update_by_query' ? { updated: count('updated') } : {}),
    deleted: count('deleted'),
    batches: Math.max(count('batches'), total > 0 ? 1 : 0),
    version_conflicts: count('version_conflicts'),
    noops: count('noops'),
    retries: theirs?.retries ?? { bulk: 0, search: 0 },
    throttled_millis: count('throttled_millis'),
    requests_per_second: theirs?.requests_per_second ?? -1,
    throttled_until_millis: count('throttled_until_millis'),
    failures,
  };
  const status = failures.reduce((max, f) => Math.max(max, Number(f.status ?? 0)), 200);
  return toResult(
    { status, body: applyFilterPaths(answer, parseFilterPath(query.filter_path)) },
    method,
    query,
  );
};
