import type { Context } from 'aws-lambda';
import { handler as passThrough } from '../../core/handlers/data-plane-proxy';
import { clusterClient } from '../../shared/cluster';
import { decodeBody, errorResult, toResult, type ApiEvent, type ApiResult } from '../../shared/http';
import { rollupJobsOf } from '../search/rollup-indices';
import { rewriteRollupSearch } from '../search/rewrite';

/**
 * GET|POST /{index}/_search. A search on rollup indices is checked and rewritten as the plugin's
 * interceptor does, then sent to the cluster; any other search goes to the cluster unchanged
 * (this route is served even when the data-plane proxy is off, so that rollup indices can be
 * searched through the control plane's endpoint).
 */
const ALL_STATUSES = Array.from({ length: 500 }, (_, i) => i + 100);

export const handler = async (event: ApiEvent, context?: Context): Promise<ApiResult> => {
  const method = event.requestContext.http.method.toUpperCase();
  const query = event.queryStringParameters ?? {};
  try {
    const index = decodeURIComponent(event.pathParameters?.index ?? event.rawPath.split('/')[1] ?? '');
    const client = await clusterClient();
    const jobsByIndex = await rollupJobsOf(client, index);
    if (!jobsByIndex) return passThrough(event, context);
    const raw = decodeBody(event);
    let search: Record<string, unknown>;
    try {
      search = raw && raw.trim() !== '' ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      // The cluster answers a malformed body with its own parse error.
      return passThrough(event, context);
    }
    if (query.size !== undefined) search = { ...search, size: Number(query.size) };
    const rewritten = rewriteRollupSearch(search, jobsByIndex);
    const response = await client.transport.request(
      {
        method: 'POST',
        path: `/${encodeURIComponent(index)}/_search`,
        querystring: event.rawQueryString || undefined,
        body: rewritten.body,
      },
      { ignore: ALL_STATUSES, maxRetries: 0 },
    );
    const body = response.body as Record<string, unknown>;
    const status = response.statusCode ?? 502;
    return toResult({ status, body: status < 300 ? rewritten.finish(body) : body }, method, query);
  } catch (error) {
    return errorResult(error, method, query);
  }
};
