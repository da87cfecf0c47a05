import type { Context } from 'aws-lambda';
import type { ApiEvent, ApiResult } from '../../shared/http';
import { matchRoute } from '../router';

/**
 * Answers requests under the index-management prefixes that match no operation, with the
 * bodies OpenSearch itself sends (these two are not the usual error envelope).
 */
export const fallbackResult = (method: string, path: string): ApiResult => {
  const match = matchRoute(method, path);
  const json = (statusCode: number, body: unknown): ApiResult => ({
    statusCode,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: method === 'HEAD' ? '' : JSON.stringify(body),
  });
  if (match.kind === 'method_not_allowed') {
    return json(405, {
      error: `Incorrect HTTP method for uri [${path}] and method [${method}], allowed: [${match.allowed.join(', ')}]`,
      status: 405,
    });
  }
  return json(400, { error: `no handler found for uri [${path}] and method [${method}]` });
};

export const handler = async (event: ApiEvent, _context?: Context): Promise<ApiResult> =>
  fallbackResult(event.requestContext.http.method.toUpperCase(), event.rawPath);
