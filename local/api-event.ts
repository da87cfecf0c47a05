import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { ApiEvent } from '../lambdas/shared/http';

/**
 * Builds the API Gateway (HTTP API, payload 2.0) event that the deployed stack would hand a
 * handler, so local requests, `npm run invoke` and tests run the handlers exactly as Lambda does.
 */
export interface RequestLike {
  method: string;
  /** Path as received, percent-encoded. */
  path: string;
  /** Raw query string without `?`. */
  rawQueryString?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  pathParameters?: Record<string, string>;
  routeKey?: string;
}

const isTextBody = (headers: Record<string, string>): boolean => {
  const type = headers['content-type'] ?? '';
  return type === '' || /json|text|ndjson|x-www-form-urlencoded|yaml/.test(type);
};

export const toApiEvent = (req: RequestLike): ApiEvent => {
  const headers = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const rawQueryString = req.rawQueryString ?? '';
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQueryString)) query[k] = k in query ? `${query[k]},${v}` : v;
  const buffer =
    req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
  const text = isTextBody(headers);
  const hasBody = buffer !== undefined && buffer.length > 0;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: req.routeKey ?? '$default',
    rawPath: req.path,
    rawQueryString,
    headers,
    queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
    pathParameters: req.pathParameters,
    body: hasBody ? (text ? buffer.toString('utf8') : buffer.toString('base64')) : undefined,
    isBase64Encoded: hasBody && !text,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: req.method.toUpperCase(),
        path: req.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: `local-${now.getTime()}-${Math.random().toString(16).slice(2)}`,
      routeKey: req.routeKey ?? '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
  };
};

/** A Lambda context for in-process calls; the remaining time counts down from `timeoutMs`. */
export const lambdaContext = (functionName: string, timeoutMs = 30_000): Context => {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
