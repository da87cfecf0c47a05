import type { Context } from 'aws-lambda';
import type { Readable } from 'node:stream';
import { clusterClient, isRetryableClusterError } from '../shared/cluster';
import { OpenSearchError } from '../shared/errors';
import { decodeBody, errorResult, type ApiEvent, type ApiResult } from '../shared/http';
import { checkNestingDepth } from '../shared/json-depth';
import { logger } from '../shared/logger';

/**
 * Passes a request straight to the cluster, so existing clients and tools work against one
 * endpoint. Status, body and content type come back as the cluster sent them.
 */
const PASSED_HEADERS = ['content-type', 'accept'];
/** Answer headers a client reads besides the content type: a created document's `Location`, deprecation warnings. */
const RETURNED_HEADERS = ['location', 'warning'];
const ALL_STATUSES = Array.from({ length: 500 }, (_, i) => i + 100);

const readAll = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
};

const isText = (contentType: string): boolean =>
  /json|text|yaml|cbor|smile|xml|ndjson/.test(contentType) && !/cbor|smile/.test(contentType);

export const passThrough = async (event: ApiEvent, _context?: Context): Promise<ApiResult> => {
  const method = event.requestContext.http.method.toUpperCase();
  try {
    // A body nested deep enough takes an OpenSearch 2.x node down: it never gets there.
    checkNestingDepth(decodeBody(event));
  } catch (error) {
    return errorResult(error, method);
  }
  try {
    const client = await clusterClient();
    const headers = Object.fromEntries(
      Object.entries(event.headers ?? {}).filter(([k]) => PASSED_HEADERS.includes(k.toLowerCase())),
    );
    const body = decodeBody(event);
    const response = await client.transport.request(
      {
        method,
        path: event.rawPath,
        querystring: event.rawQueryString || undefined,
        body: body || undefined,
      },
      { asStream: true, ignore: ALL_STATUSES, headers, maxRetries: 0 },
    );
    const raw = await readAll(response.body as unknown as Readable);
    const contentType = String(response.headers?.['content-type'] ?? 'application/json; charset=UTF-8');
    const text = isText(contentType);
    return {
      statusCode: response.statusCode ?? 502,
      headers: {
        ...Object.fromEntries(
          RETURNED_HEADERS.flatMap((h) => (response.headers?.[h] ? [[h, String(response.headers[h])]] : [])),
        ),
        'content-type': contentType,
      },
      body: method === 'HEAD' ? '' : text ? raw.toString('utf8') : raw.toString('base64'),
      isBase64Encoded: method !== 'HEAD' && !text,
    };
  } catch (error) {
    logger.warn('data plane request failed', { error: error as Error, path: event.rawPath });
    const reason = isRetryableClusterError(error)
      ? `the cluster did not answer: ${(error as Error).message}`
      : `the request could not be passed to the cluster: ${(error as Error).message}`;
    return errorResult(new OpenSearchError(502, 'cluster_unavailable_exception', reason), method);
  }
};
