import type { Context } from 'aws-lambda';
import { passThrough } from '../../core/pass-through';
import { illegalArgument, isOpenSearchError } from '../../shared/errors';
import {
  apiHandler,
  decodeBody,
  errorResult,
  type ApiEvent,
  type ApiHandler,
  type ApiResult,
} from '../../shared/http';
import { clusterPlugins, ingestedTargets, ingestionCluster, ingestionService } from '../deps';
import { tryDecodeComponent } from '../../shared/uri';
import { hasIngestionSource, parseIngestionSource, splitSettings } from '../model';
import {
  cannotIngestNatively,
  deploymentMode,
  MODE_PARAM,
  requestMode,
  sourceType,
  type NodePlugins,
} from '../native';

/**
 * PUT /<index>. Only a body with `settings.ingestion_source` is ours: the index is created on
 * the cluster without that setting and its shards are registered with the ingestion poller.
 * In native mode (the deployment's `INGESTION_MODE`, or `?ingestion=native` on the request) a
 * cluster with the plugin for the source type gets the request unchanged and ingests itself;
 * nothing is registered here. Every other create-index request goes to the cluster unchanged,
 * as the data-plane proxy passes any other path. `?ingestion=` never reaches the cluster.
 */
const QUERY_PASSED = ['wait_for_active_shards', 'timeout', 'master_timeout', 'cluster_manager_timeout'];

/** The cluster's plugins; a cluster that will not tell (e.g. a 403 on `_nodes`) cannot be trusted to ingest. */
const nodePlugins = async (): Promise<NodePlugins[]> => {
  try {
    return await clusterPlugins();
  } catch (error) {
    if (isOpenSearchError(error) && error.status >= 400 && error.status < 500) {
      throw illegalArgument(
        `native ingestion needs to know the cluster's plugins, but GET _nodes/plugins answered ${error.status} (${error.message}); ` +
          `create the index with ?${MODE_PARAM}=control-plane to let the control plane ingest it`,
      );
    }
    throw error;
  }
};

const createIngestingIndex = apiHandler('indices.create', async (apiRequest) => {
  const { pathParams, query, body } = apiRequest;
  const index = pathParams.index;
  if (requestMode(query[MODE_PARAM], deploymentMode()) === 'native') {
    const type = sourceType((body as { settings?: unknown }).settings);
    const problem = type === undefined ? undefined : cannotIngestNatively(type, await nodePlugins());
    if (problem) throw illegalArgument(problem);
    const passed = { ...query, [MODE_PARAM]: undefined };
    const created = await ingestionCluster().forward('PUT', apiRequest.path, passed, apiRequest.rawBody);
    return { status: created.status, body: created.body };
  }
  const request = body as { settings: Record<string, unknown>; [k: string]: unknown };
  const { cluster: settings, ingestion } = splitSettings(request.settings);
  const source = parseIngestionSource(ingestion);
  const querystring = Object.fromEntries(
    QUERY_PASSED.filter((k) => query[k] !== undefined).map((k) => [k, query[k] as string]),
  );
  const cluster = ingestionCluster();
  const created = await cluster.createIndex(index, { ...request, settings }, querystring);
  if (created.status >= 300) return { status: created.status, body: created.body };
  try {
    const [resolved] = await cluster.resolve(index, {});
    const routings = await cluster.shardRoutings(index, resolved.shards);
    await ingestionService().register(index, routings, source, resolved.uuid);
    // Push writes checked in this container see the new index at once (others within the TTL).
    ingestedTargets().forget();
  } catch (error) {
    // No half-registered index: the cluster's index goes too.
    await ingestionService()
      .unregister(index)
      .catch(() => undefined);
    await cluster.deleteIndex(index).catch(() => undefined);
    throw error;
  }
  return { status: created.status, body: created.body };
});

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The event without `?ingestion=` (checked first: a wrong value is refused even here). */
const withoutModeParam = (event: ApiEvent): ApiEvent => {
  const params = event.queryStringParameters ?? {};
  if (!(MODE_PARAM in params)) return event;
  requestMode(params[MODE_PARAM], 'control-plane');
  const rest = Object.fromEntries(Object.entries(params).filter(([k]) => k !== MODE_PARAM));
  const rawQueryString = (event.rawQueryString ?? '')
    .split('&')
    .filter((p) => p !== '' && tryDecodeComponent(p.split('=')[0].replace(/\+/g, ' ')) !== MODE_PARAM)
    .join('&');
  return { ...event, queryStringParameters: rest, rawQueryString };
};

const passThroughPlain = async (event: ApiEvent, context: Context): Promise<ApiResult> => {
  let passed: ApiEvent;
  try {
    passed = withoutModeParam(event);
  } catch (error) {
    return errorResult(error, event.requestContext.http.method, event.queryStringParameters ?? {});
  }
  return passThrough(passed, context);
};

export const handler: ApiHandler = async (event: ApiEvent, context: Context): Promise<ApiResult> => {
  let body: unknown;
  try {
    const raw = decodeBody(event);
    body = raw ? JSON.parse(raw) : undefined;
  } catch {
    return passThroughPlain(event, context);
  }
  if (!isObject(body) || !hasIngestionSource(body.settings)) return passThroughPlain(event, context);
  return createIngestingIndex(event, context);
};
