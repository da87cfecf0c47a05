import type { Context } from 'aws-lambda';
import type { ApiEvent, ApiResult } from '../../shared/http';
import { matchRoute } from '../router';

/**
 * The order OpenSearch lists a path's methods in its 405 (its handlers' method map, as the
 * 2.19 plugin's policy routes show it: `[HEAD, PUT, GET, DELETE]`, `[PUT, GET]`); methods it
 * was never seen with come after, in the route table's order.
 */
const METHOD_ORDER = ['HEAD', 'PUT', 'GET', 'DELETE'];

const rank = (method: string): number => {
  const i = METHOD_ORDER.indexOf(method);
  return i === -1 ? METHOD_ORDER.length : i;
};

export const allowedMethodsText = (allowed: readonly string[]): string =>
  [...allowed].sort((a, b) => rank(a) - rank(b)).join(', ');

/**
 * Answers requests under the index-management prefixes that match no operation, with the
 * bodies OpenSearch itself sends (these two are not the usual error envelope). `path` is the
 * path as sent, a trailing slash included.
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
      error: `Incorrect HTTP method for uri [${path}] and method [${method}], allowed: [${allowedMethodsText(match.allowed)}]`,
      status: 405,
    });
  }
  return json(400, { error: `no handler found for uri [${path}] and method [${method}]` });
};

export const handler = async (event: ApiEvent, _context?: Context): Promise<ApiResult> =>
  fallbackResult(event.requestContext.http.method.toUpperCase(), event.rawPath);
