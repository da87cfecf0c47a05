import type { Context } from 'aws-lambda';
import type { Client } from '@opensearch-project/opensearch';
import { passThrough } from '../../core/pass-through';
import { clusterClient } from '../../shared/cluster';
import {
  decodeBody,
  errorResult,
  toResult,
  withFilterPath,
  type ApiEvent,
  type ApiResult,
} from '../../shared/http';
import type { Query } from '../../shared/params';
import { searchScope, searchTargets, sourceIndexFields } from '../search/rollup-indices';
import { groupParams, scopedBody, shardGroups, shardsOf, type SearchScope } from '../search/scope';
import {
  RollupSearchError,
  rewriteRollupSearch,
  type RollupSearch,
  type SearchTargets,
} from '../search/rewrite';
import { mergeSearchResponses } from '../search/merge';
import { rollupSearchSettingsFrom } from '../search/settings';
import { PAINLESS_UNAVAILABLE, clusterHasPainless } from '../search/scripting';
import { pluginSettings } from '../../shared/plugin-settings-store';
import type { RollupJob } from '../job/model';
import { tryDecodeComponent } from '../../shared/uri';

/**
 * GET|POST /{index}/_search. A search on rollup indices (named directly, by pattern or through
 * an alias) is checked and rewritten as the plugin's interceptor does on each rollup shard, then
 * sent to the cluster; any other search goes to the cluster unchanged (this route is served even
 * when the data-plane proxy is off, so that rollup indices can be searched through the control
 * plane's endpoint).
 *
 * The plugin fails a rollup shard, not the search: a search that also names plain indices gets
 * their answer, with the rollup shards listed as failed (or fails whole when
 * `allow_partial_search_results=false`).
 *
 * The plugin's interceptor settings (lambdas/rollup/search/settings.ts) are read on every search:
 * with `plugins.rollup.search.enabled` false every search goes to the cluster as sent. On a
 * cluster without painless, `avg` and `value_count` fail as the plugin's scripts do there
 * (lambdas/rollup/search/scripting.ts).
 */
const ALL_STATUSES = Array.from({ length: 500 }, (_, i) => i + 100);

type JsonObject = Record<string, unknown>;

/** URI-search parameters that make a `query_string` query (RestSearchAction.parseSearchSource). */
const URI_QUERY_PARAMS: Record<string, string> = {
  df: 'default_field',
  analyzer: 'analyzer',
  analyze_wildcard: 'analyze_wildcard',
  lenient: 'lenient',
  default_operator: 'default_operator',
};

const send = (client: Client, index: string, querystring: Record<string, string>, body: unknown) =>
  client.transport.request(
    { method: 'POST', path: `/${encodeURIComponent(index)}/_search`, querystring, body: body as JsonObject },
    { ignore: ALL_STATUSES, maxRetries: 0 },
  );

export const handler = async (event: ApiEvent, context?: Context): Promise<ApiResult> => {
  const method = event.requestContext.http.method.toUpperCase();
  const query = event.queryStringParameters ?? {};
  try {
    const settings = rollupSearchSettingsFrom(await pluginSettings());
    // Disabled, the interceptor leaves every shard request alone: the cluster answers as is.
    if (!settings.enabled) return await passThrough(event, context);
    const index = tryDecodeComponent(event.pathParameters?.index ?? event.rawPath.split('/')[1] ?? '');
    // A name that cannot be decoded is the cluster's to answer (its 405 for the path).
    if (index === undefined) return await passThrough(event, context);
    const client = await clusterClient();
    const targets = await searchTargets(client, index);
    if (!targets) return passThrough(event, context);
    const raw = decodeBody(event);
    let search: JsonObject;
    try {
      search = raw && raw.trim() !== '' ? (JSON.parse(raw) as JsonObject) : {};
    } catch {
      // The cluster answers a malformed body with its own parse error.
      return passThrough(event, context);
    }
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params[k] = v;
    // filter_path applies to the finished answer (avg needs its hidden count), not the cluster's.
    delete params.filter_path;
    if (params.size !== undefined) search = { ...search, size: Number(params.size) };
    if (params.q !== undefined) {
      // `?q=` is a query_string query, which the interceptor then sees as such.
      const qs: JsonObject = { query: params.q };
      for (const [param, field] of Object.entries(URI_QUERY_PARAMS)) {
        if (params[param] !== undefined) qs[field] = params[param];
        delete params[param];
      }
      delete params.q;
      search = { ...search, query: { query_string: qs } };
    }
    const fields = JSON.stringify(search.query ?? null).includes('"query_string"')
      ? await sourceFieldsOf(client, targets)
      : undefined;
    let rewritten;
    try {
      rewritten = rewriteRollupSearch(search, targets, (job) => fields?.get(job), settings);
    } catch (e) {
      if (!(e instanceof RollupSearchError)) throw e;
      return await shardFailure(client, index, params, search, targets, e, method, query);
    }
    if (rewritten.scripted && !(await clusterHasPainless(client))) {
      const error = new RollupSearchError(PAINLESS_UNAVAILABLE);
      return await shardFailure(client, index, params, search, targets, error, method, query);
    }
    if (rewritten.mixed !== 'none') {
      const scope = await scopeOfSearch(client, index, targets, params);
      return answer(await mixedSearch(client, params, targets, scope, rewritten), method, query);
    }
    const response = await send(client, index, params, rewritten.body);
    const body = response.body as JsonObject;
    const status = response.statusCode ?? 502;
    return answer({ status, body: status < 300 ? rewritten.finish(body) : body }, method, query);
  } catch (error) {
    return errorResult(error, method, query);
  }
};

/** The answer as the cluster's rest channel writes it: `filter_path` applied (never to an error). */
const answer = (response: { status: number; body: JsonObject }, method: string, query: Query): ApiResult =>
  toResult(withFilterPath(response, query), method, query);

const scopeOfSearch = (
  client: Client,
  index: string,
  targets: SearchTargets,
  params: Record<string, string>,
): Promise<SearchScope> =>
  searchScope(client, index, [...Object.keys(targets.rollup), ...targets.raw], params);

type SearchAnswer = { status: number; body: JsonObject };

/**
 * One half of a mixed search (its rollup or its plain indices, by name) answering as those
 * indices answer within the whole search: with the alias filters and routing the search's
 * expression gives them (see ../search/scope.ts). Indices reached with different routings are
 * searched apart and their answers reduced as the two halves are.
 */
const sendHalf = async (
  client: Client,
  indices: string[],
  params: Record<string, string>,
  body: JsonObject,
  scope: SearchScope,
): Promise<SearchAnswer> => {
  const groups = shardGroups(indices, scope);
  // Reached on no shard at all (a `_shards:` preference beyond every index): the cluster's own answer.
  if (groups.length === 0) groups.push({ indices });
  const answers = await Promise.all(
    groups.map(async (g) => {
      const res = await send(
        client,
        g.indices.join(','),
        groupParams(params, g),
        scopedBody(body, g.indices, scope),
      );
      return { status: res.statusCode ?? 502, body: res.body as JsonObject };
    }),
  );
  const failed = answers.find((a) => a.status >= 300);
  if (failed) return failed;
  const defs = (body.aggs ?? body.aggregations) as JsonObject | undefined;
  return answers.reduce((a, b) => ({ status: 200, body: mergeSearchResponses(a.body, b.body, defs) }));
};

/**
 * A search of rollup and plain indices with `search_source_indices`: the plain indices answer the
 * search as sent; the rollup indices answer the rewritten search (`merge`, reduced with the plain
 * answer) or, when no job can answer, match nothing (`neutralize`: they count as successful
 * shards that contributed nothing). Each half keeps the alias filters and routing of the search.
 */
const mixedSearch = async (
  client: Client,
  params: Record<string, string>,
  targets: SearchTargets,
  scope: SearchScope,
  rewritten: RollupSearch,
): Promise<SearchAnswer> => {
  const rollupIndices = Object.keys(targets.rollup);
  if (rewritten.mixed === 'neutralize') {
    const raw = await sendHalf(client, targets.raw, params, rewritten.body, scope);
    if (raw.status >= 300) return raw;
    const shards = shardsOf(scope, rollupIndices).length;
    const counts = (raw.body._shards ?? {}) as { total?: number; successful?: number };
    raw.body._shards = {
      ...counts,
      total: (counts.total ?? 0) + shards,
      successful: (counts.successful ?? 0) + shards,
    };
    return raw;
  }
  const rawBody = rewritten.rawBody ?? {};
  const [rolled, raw] = await Promise.all([
    sendHalf(client, rollupIndices, params, rewritten.body, scope),
    sendHalf(client, targets.raw, params, rawBody, scope),
  ]);
  for (const res of [rolled, raw]) if (res.status >= 300) return res;
  const defs = (rawBody.aggs ?? rawBody.aggregations) as JsonObject | undefined;
  const merged = mergeSearchResponses(rolled.body, raw.body, defs);
  return { status: 200, body: rewritten.finish(merged) };
};

/** The source fields of the job a `query_string` is read against (the first rollup index's first job). */
const sourceFieldsOf = async (
  client: Client,
  targets: SearchTargets,
): Promise<Map<RollupJob, string[] | undefined>> => {
  const first = targets.rollup[Object.keys(targets.rollup).sort()[0]]?.[0];
  const out = new Map<RollupJob, string[] | undefined>();
  if (first) out.set(first, await sourceIndexFields(client, first.source_index));
  return out;
};

/**
 * The rollup shards failed. The cluster parses the search before any shard sees it, so a search
 * it cannot parse gets the cluster's own error first; plain indices in the search still answer.
 */
const shardFailure = async (
  client: Client,
  index: string,
  params: Record<string, string>,
  search: JsonObject,
  targets: SearchTargets,
  error: RollupSearchError,
  method: string,
  query: Record<string, string | undefined>,
): Promise<ApiResult> => {
  const probe = await send(
    client,
    Object.keys(targets.rollup).join(','),
    { ...params, size: '0' },
    { ...search, size: 0 },
  );
  const probeError = (probe.body as { error?: { type?: string } }).error;
  if ((probe.statusCode ?? 500) >= 400 && probeError?.type !== 'search_phase_execution_exception') {
    return answer({ status: probe.statusCode ?? 400, body: probe.body as JsonObject }, method, query);
  }
  const scope = await scopeOfSearch(client, index, targets, params);
  const shards = shardsOf(scope, Object.keys(targets.rollup));
  if (targets.raw.length === 0) throw error.onShards(shards);
  if (params.allow_partial_search_results === 'false') throw error.onShards(shards, 'Partial shards failure');
  const { status, body } = await sendHalf(client, targets.raw, params, search, scope);
  if (status >= 300) return answer({ status, body }, method, query);
  const counts = (body._shards ?? {}) as { total?: number; failed?: number; failures?: unknown[] };
  body._shards = {
    ...counts,
    total: (counts.total ?? 0) + shards.length,
    failed: (counts.failed ?? 0) + shards.length,
    failures: [...(counts.failures ?? []), ...error.onShards(shards).failedShards],
  };
  return answer({ status, body }, method, query);
};
