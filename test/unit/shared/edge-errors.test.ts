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
