import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { dataPlaneProxy, fallback } from '../infra/routes';
import { matchRoute } from '../lambdas/core/router';
import type { ApiHandler, ApiResult } from '../lambdas/shared/http';
import { lambdaContext, toApiEvent } from './api-event';

/**
 * The local API: mounts the route table through the same handlers the CDK stack deploys, one
 * module per operation, and passes every other path to the cluster.
 */
const ROOT = path.resolve(__dirname, '..');
const handlers = new Map<string, ApiHandler>();

const loadHandler = (module: string): ApiHandler => {
  let handler = handlers.get(module);
  if (!handler) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = (require(path.join(ROOT, module)) as { handler: ApiHandler }).handler;
    handlers.set(module, handler);
  }
  return handler;
};

const readBody = (req: http.IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

export const dispatch = async (req: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}): Promise<ApiResult> => {
  const [rawPath, rawQueryString = ''] = req.url.split('?', 2);
  const normalized = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
  const match = matchRoute(req.method, normalized);
  const base = { method: req.method, path: normalized, rawQueryString, headers: req.headers, body: req.body };
  if (match.kind === 'operation') {
    const event = toApiEvent({
      ...base,
      pathParameters: match.rawPathParams,
      routeKey: `${req.method} ${normalized}`,
    });
    return loadHandler(match.operation.handler)(event, lambdaContext(match.operation.operation));
  }
  if (match.kind === 'data_plane') {
    return loadHandler(dataPlaneProxy.handler)(toApiEvent(base), lambdaContext(dataPlaneProxy.operation));
  }
  // OpenSearch's 405/400 name the uri as sent, trailing slash included (as API Gateway's rawPath does).
  return loadHandler(fallback.handler)(
    toApiEvent({ ...base, path: rawPath }),
    lambdaContext(fallback.operation),
  );
};

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

export const startApiServer = async (port = 0, host = '127.0.0.1'): Promise<ApiServer> => {
  const server = http.createServer(async (req, res) => {
    try {
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
      );
      const result = await dispatch({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers,
        body: await readBody(req),
      });
      const body =
        result.body === undefined ? '' : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
      res.writeHead(result.statusCode ?? 200, {
        ...(result.headers as Record<string, string>),
        'content-length': String(body.length),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { type: 'exception', reason: String(error) }, status: 500 }));
    }
  });
  // Longer than clients' own idle timeout (undici's fetch: 4 s), so the client closes an idle
  // connection first and never reuses one the server is closing (ECONNRESET on the next request).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
