import type { Context } from 'aws-lambda';
import { handler as passThrough } from '../../core/handlers/data-plane-proxy';
import { apiHandler, decodeBody, type ApiEvent, type ApiHandler, type ApiResult } from '../../shared/http';
import { ingestionCluster, ingestionService } from '../deps';
import { hasIngestionSource, parseIngestionSource, splitSettings } from '../model';

/**
 * PUT /<index>. Only a body with `settings.ingestion_source` is ours: the index is created on
 * the cluster without that setting and its shards are registered with the ingestion poller.
 * Every other create-index request goes to the cluster unchanged, as the data-plane proxy
 * passes any other path.
 */
const QUERY_PASSED = ['wait_for_active_shards', 'timeout', 'master_timeout', 'cluster_manager_timeout'];

const createIngestingIndex = apiHandler('indices.create', async ({ pathParams, query, body }) => {
  const index = pathParams.index;
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
    await ingestionService().register(index, await cluster.shardRoutings(index, resolved.shards), source);
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

export const handler: ApiHandler = async (event: ApiEvent, context: Context): Promise<ApiResult> => {
  let body: unknown;
  try {
    const raw = decodeBody(event);
    body = raw ? JSON.parse(raw) : undefined;
  } catch {
    return passThrough(event, context);
  }
  if (!isObject(body) || !hasIngestionSource(body.settings)) return passThrough(event, context);
  return createIngestingIndex(event, context);
};
