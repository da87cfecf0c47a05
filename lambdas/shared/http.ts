import middy, { type MiddlewareObj } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { GLOBAL_PARAMS, operations, type Operation } from '../../infra/routes';
import { OpenSearchError, isOpenSearchError, unrecognizedParameters, type ErrorEnvelope } from './errors';
import { allowedMethodsText, methodsOfTemplate } from './allowed-methods';
import { checkNestingDepth } from './json-depth';
import { filterResponse } from './filter-path';
import { logger } from './logger';
import type { Query } from './params';
import { decodeComponent, UriDecodeError } from './uri';

/**
 * The HTTP edge of every API handler. A handler is a plain async function from an
 * {@link ApiRequest} to an {@link ApiResponse}; body decoding, parameter checks, the error
 * envelope and logging are middlewares written once here.
 */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly pathParams: Readonly<Record<string, string>>;
  readonly query: Query;
  /** Parsed JSON body; undefined when the request had none. */
  readonly body: unknown;
  readonly rawBody: string | undefined;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type ApiEvent = APIGatewayProxyEventV2;
export type ApiResult = APIGatewayProxyStructuredResultV2;
export type ApiHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/** DynamoDB's item limit bounds every stored document; larger bodies are refused up front. */
export const MAX_BODY_BYTES = 350 * 1024;

interface HandlerState {
  request?: ApiRequest;
}

export const operationByName = (name: string): Operation => {
  const op = operations.find((o) => o.operation === name);
  if (!op) throw new Error(`unknown operation ${name}`);
  return op;
};

export const decodeBody = (event: ApiEvent): string | undefined => {
  if (event.body === undefined || event.body === null) return undefined;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
};

const parseJson = (raw: string): unknown => {
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new OpenSearchError(
      400,
      'json_parse_exception',
      `Failed to parse request body: ${(e as Error).message}`,
    );
  }
};

/** How a handler takes its request. */
export interface ApiHandlerOptions {
  /**
   * Leave the body unparsed (`body` stays undefined, `rawBody` holds the text): for operations
   * that hand the body to the cluster, so its parse errors (with their `[line:column]`) are the
   * cluster's own.
   */
  readonly rawBody?: boolean;
}

/**
 * An answer of OpenSearch's REST layer itself rather than its error envelope: RestController's
 * 405 for a path parameter it cannot decode.
 */
export class RestLayerAnswer extends Error {
  constructor(
    readonly status: number,
    readonly body: { error: string; status?: number },
    readonly headers: Record<string, string> = {},
  ) {
    super(body.error);
    this.name = 'RestLayerAnswer';
  }
}

/** API Gateway hands path parameters over encoded; a malformed escape is OpenSearch's 405. */
const decodePathParams = (event: ApiEvent): Record<string, string> => {
  try {
    return Object.fromEntries(
      Object.entries(event.pathParameters ?? {}).map(([k, v]) => [k, decodeComponent(v ?? '')]),
    );
  } catch (e) {
    if (!(e instanceof UriDecodeError)) throw e;
    const methods = methodsOfTemplate(event.routeKey.split(' ')[1] ?? '');
    throw new RestLayerAnswer(
      405,
      { error: `Unexpected HTTP method, allowed: [${allowedMethodsText(methods)}]`, status: 405 },
      { Allow: methods.join(',') },
    );
  }
};

export const toRequest = (
  event: ApiEvent,
  allowedParams: readonly string[],
  options: ApiHandlerOptions = {},
): ApiRequest => {
  const query: Record<string, string | undefined> = { ...(event.queryStringParameters ?? {}) };
  const path = event.rawPath;
  const unknown = Object.keys(query).filter(
    (p) => !allowedParams.includes(p) && !(GLOBAL_PARAMS as readonly string[]).includes(p),
  );
  if (unknown.length > 0) throw unrecognizedParameters(path, unknown);
  const rawBody = decodeBody(event);
  if (rawBody !== undefined && Buffer.byteLength(rawBody) > MAX_BODY_BYTES) {
    throw new OpenSearchError(
      413,
      'content_too_long_exception',
      `request body is too large: ${Buffer.byteLength(rawBody)} bytes, the limit is ${MAX_BODY_BYTES} bytes`,
    );
  }
  checkNestingDepth(rawBody);
  const hasBody = rawBody !== undefined && rawBody.trim() !== '';
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path,
    pathParams: decodePathParams(event),
    query,
    body: hasBody && !options.rawBody ? parseJson(rawBody) : undefined,
    rawBody: hasBody ? rawBody : undefined,
  };
};

/**
 * A header value as HTTP can carry it: characters outside printable ASCII (a unicode id in a
 * `Location`) are percent-encoded as UTF-8, as in a URI, instead of failing the whole answer.
 */
export const headerValue = (value: string): string =>
  value.replace(/[^\t\x20-\x7e]/gu, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );

const headerValues = (headers: Record<string, string> = {}): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, headerValue(String(v))]));

export const toResult = (response: ApiResponse, method: string, query: Query): ApiResult => {
  const pretty = query.pretty !== undefined && query.pretty !== 'false';
  const body =
    method === 'HEAD' || response.body === undefined
      ? ''
      : typeof response.body === 'string'
        ? response.body
        : JSON.stringify(response.body, null, pretty ? 2 : undefined);
  return {
    statusCode: response.status,
    headers: { 'content-type': 'application/json; charset=UTF-8', ...headerValues(response.headers) },
    body,
  };
};

/**
 * A cluster error that reached the edge unhandled, carrying the cluster's 4xx answer (ISM's
 * ClusterCallError, the cluster client's ResponseError: a status and the cluster's envelope):
 * the request is refused as the cluster refused it.
 */
const clusterRefusal = (error: unknown): { status: number; body: ErrorEnvelope } | undefined => {
  const e = error as {
    status?: unknown;
    statusCode?: unknown;
    body?: { error?: unknown; status?: unknown };
  } | null;
  const status = e?.status ?? e?.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  const body = e?.body;
  if (!body || typeof body.error !== 'object' || body.status !== status) return undefined;
  return { status, body: body as ErrorEnvelope };
};

/** middy's answer when the function's time is nearly up (`timeoutEarlyInMillis`): a cluster that never answered. */
const isOutOfTime = (error: unknown): boolean =>
  error instanceof Error &&
  error.name === 'TimeoutError' &&
  (error.cause as { package?: string } | undefined)?.package === '@middy/core';

const THROTTLED = ['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded'];
const UNREACHABLE = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
];

/**
 * DynamoDB throttling or out of reach once the SDK's own retries are spent (an AWS SDK error
 * carries `$metadata`): the caller is told to come back (429 or 503, with Retry-After), as
 * OpenSearch tells a client its thread pool is full, instead of a 500.
 */
const storeOutage = (error: unknown): OpenSearchError | undefined => {
  const e = error as { $metadata?: { httpStatusCode?: number }; name?: string; code?: string } | null;
  if (!e || typeof e !== 'object' || !('$metadata' in e)) return undefined;
  if (THROTTLED.includes(e.name ?? '')) {
    return new OpenSearchError(
      429,
      'rejected_execution_exception',
      'the control plane store (DynamoDB) is throttling requests; retry after a moment',
    );
  }
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (UNREACHABLE.includes(e.code ?? '') || e.name === 'TimeoutError' || status >= 500) {
    return new OpenSearchError(
      503,
      'status_exception',
      `the control plane store (DynamoDB) is unavailable (${e.code ?? e.name ?? status}); retry later`,
    );
  }
  return undefined;
};

export const errorResult = (error: unknown, method: string, query: Query = {}): ApiResult => {
  const outage = storeOutage(error);
  if (outage) {
    logger.warn('store unavailable', error as Error);
    return toResult(
      { status: outage.status, body: outage.toEnvelope(), headers: { 'Retry-After': '1' } },
      method,
      query,
    );
  }
  if (isOutOfTime(error)) {
    logger.warn('out of time', error as Error);
    const timeout = new OpenSearchError(
      504,
      'timeout_exception',
      "the request did not finish within the function's time: the cluster did not answer in time; try again",
    );
    return toResult(
      { status: 504, body: timeout.toEnvelope(), headers: { 'Retry-After': '1' } },
      method,
      query,
    );
  }
  const refused = clusterRefusal(error);
  if (refused) return toResult(refused, method, query);
  if (error instanceof RestLayerAnswer)
    return toResult({ status: error.status, body: error.body, headers: error.headers }, method, query);
  if (isOpenSearchError(error))
    return toResult({ status: error.status, body: error.toEnvelope() }, method, query);
  logger.error('unhandled error', error as Error);
  const internal = new OpenSearchError(500, 'exception', 'Internal error; see the control plane logs');
  return toResult({ status: 500, body: internal.toEnvelope() }, method, query);
};

/** An error answer: the envelope, or the REST layer's plain `{"error": "no handler found ..."}`. */
const isErrorEnvelope = (body: unknown): boolean =>
  body !== null && typeof body === 'object' && 'error' in body;

/**
 * OpenSearch's rest channel applies `filter_path` to every answer it writes, except an error's
 * envelope (built unfiltered); so do we, for every operation of the route table.
 */
export const withFilterPath = (response: ApiResponse, query: Query): ApiResponse =>
  query.filter_path === undefined || isErrorEnvelope(response.body)
    ? response
    : { ...response, body: filterResponse(response.body, query.filter_path) };

const openSearchEdge = (
  operation: Operation,
  options: ApiHandlerOptions,
): MiddlewareObj<ApiEvent, ApiResult, Error, Context> & { state: WeakMap<ApiEvent, HandlerState> } => {
  const state = new WeakMap<ApiEvent, HandlerState>();
  return {
    state,
    before: (request) => {
      state.set(request.event, { request: toRequest(request.event, operation.params, options) });
    },
    onError: (request) => {
      const method = request.event.requestContext?.http?.method ?? 'GET';
      request.response = errorResult(request.error, method, request.event.queryStringParameters ?? {});
    },
  };
};

/** Builds the Lambda handler of one operation of the route table. */
export const apiHandler = (
  operationName: string,
  fn: (request: ApiRequest) => Promise<ApiResponse>,
  options: ApiHandlerOptions = {},
): ApiHandler => {
  const operation = operationByName(operationName);
  const edge = openSearchEdge(operation, options);
  return middy<ApiEvent, ApiResult, Error, Context>()
    .use(injectLambdaContext(logger))
    .use(edge)
    .handler(async (event) => {
      const request = edge.state.get(event)?.request as ApiRequest;
      const response = withFilterPath(await fn(request), request.query);
      return toResult(response, request.method, request.query);
    }) as unknown as ApiHandler;
};
