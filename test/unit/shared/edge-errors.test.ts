import { errors } from '@opensearch-project/opensearch';
import { errorResult } from '../../../lambdas/shared/http';
import { checkNestingDepth, nestingDepth } from '../../../lambdas/shared/json-depth';

const body = (r: { body?: string }): unknown => JSON.parse(r.body ?? '');

describe('errors that reach the edge unhandled', () => {
  it("a function out of time answers 504 in OpenSearch's envelope with Retry-After, not 500", () => {
    const timeout = new Error('[AbortError]: The operation was aborted.', {
      cause: { package: '@middy/core' },
    });
    timeout.name = 'TimeoutError';
    const result = errorResult(timeout, 'PUT');
    expect(result.statusCode).toBe(504);
    expect(result.headers).toMatchObject({ 'Retry-After': '1' });
    expect(body(result)).toMatchObject({ error: { type: 'timeout_exception' }, status: 504 });
  });

  it("a cluster client's 4xx is answered as the cluster answered it", () => {
    const envelope = {
      error: {
        root_cause: [{ type: 'illegal_argument_exception', reason: 'bad' }],
        type: 'illegal_argument_exception',
        reason: 'bad',
      },
      status: 400,
    };
    const refused = new errors.ResponseError({
      body: envelope,
      statusCode: 400,
      headers: {},
      warnings: null,
      meta: {} as never,
    });
    const result = errorResult(refused, 'POST');
    expect(result.statusCode).toBe(400);
    expect(body(result)).toEqual(envelope);
  });

  it('DynamoDB throttling once the SDK gave up is a 429 with Retry-After; out of reach, a 503', () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400, attempts: 4 },
    });
    const busy = errorResult(throttled, 'PUT');
    expect(busy.statusCode).toBe(429);
    expect(busy.headers).toMatchObject({ 'Retry-After': '1' });
    expect(body(busy)).toMatchObject({ error: { type: 'rejected_execution_exception' }, status: 429 });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
      $metadata: { attempts: 4 },
    });
    const away = errorResult(refused, 'GET');
    expect(away.statusCode).toBe(503);
    expect(away.headers).toMatchObject({ 'Retry-After': '1' });
    expect(body(away)).toMatchObject({ error: { type: 'status_exception' }, status: 503 });
  });

  it('anything else is still a 500 that names no detail', () => {
    const result = errorResult(new Error('boom'), 'GET');
    expect(result.statusCode).toBe(500);
    expect(body(result)).toMatchObject({ error: { type: 'exception' }, status: 500 });
  });
});

describe('nesting depth', () => {
  it('counts brackets outside strings only', () => {
    expect(nestingDepth('{"a":[{"b":"[[[{{{"}]}')).toBe(3);
    expect(nestingDepth('"\\"[[["')).toBe(0);
    expect(nestingDepth('{"a":1}\n{"b":{"c":2}}\n')).toBe(2);
  });

  it('takes 1000 levels and refuses 1001 as Jackson does', () => {
    expect(() => checkNestingDepth('['.repeat(1000) + ']'.repeat(1000))).not.toThrow();
    expect(() => checkNestingDepth('['.repeat(1001) + ']'.repeat(1001))).toThrow(
      'Document nesting depth (1001) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNestingDepth()`)',
    );
  });
});
