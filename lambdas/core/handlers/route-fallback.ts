import type { Context } from 'aws-lambda';
import type { ApiEvent, ApiResult } from '../../shared/http';
import { allowedMethodsText } from '../../shared/allowed-methods';
import { tryDecodeComponent } from '../../shared/uri';
import { matchRoute } from '../router';

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
    // RestController: a parameter it cannot decode is an "Unexpected HTTP method" for the path.
    const what = match.malformed
      ? 'Unexpected HTTP method'
      : `Incorrect HTTP method for uri [${path}] and method [${method}]`;
    return json(405, { error: `${what}, allowed: [${allowedMethodsText(match.allowed)}]`, status: 405 });
  }
  // It names the uri as java.net.URI reads it (decoded), and cannot name one URI refuses.
  const uri = /[\s"<>\\^`{}|]/.test(path) ? undefined : tryDecodeComponent(path);
  if (uri === undefined) return json(400, { error: 'invalid uri has been requested' });
  return json(400, { error: `no handler found for uri [${uri}] and method [${method}]` });
};

export const handler = async (event: ApiEvent, _context?: Context): Promise<ApiResult> =>
  fallbackResult(event.requestContext.http.method.toUpperCase(), event.rawPath);
