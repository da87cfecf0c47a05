import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { apiHandler, withFilterPath } from '../../../lambdas/shared/http';
import { statusException } from '../../../lambdas/shared/errors';

/** `filter_path` on every operation of the route table, as the plugin's REST layer applies it. */
const event = (query: Record<string, string>): APIGatewayProxyEventV2 =>
  ({
    rawPath: '/_plugins/_rollup/jobs/x',
    queryStringParameters: query,
    pathParameters: { id: 'x' },
    requestContext: { http: { method: 'GET' } },
  }) as unknown as APIGatewayProxyEventV2;

const context = { functionName: 'test', awsRequestId: '1' } as unknown as Context;

const doc = { _id: 'x', _seq_no: 1, rollup: { rollup_id: 'x', enabled: true, page_size: 10 } };

describe('filter_path', () => {
  test('keeps only the listed paths of a handler answer', async () => {
    const handler = apiHandler('rollups.get', async () => ({ status: 200, body: doc }));
    const res = await handler(event({ filter_path: 'rollup.enabled,rollup.rollup_id' }), context);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body as string)).toEqual({ rollup: { rollup_id: 'x', enabled: true } });
  });

  test('an answer filtered to nothing is an empty object', async () => {
    const handler = apiHandler('rollups.get', async () => ({ status: 200, body: doc }));
    const res = await handler(event({ filter_path: 'nothing.here' }), context);
    expect(JSON.parse(res.body as string)).toEqual({});
  });

  test('never filters an error (the rest channel builds errors unfiltered)', async () => {
    const handler = apiHandler('rollups.get', async () => {
      throw statusException(404, 'Rollup not found');
    });
    const res = await handler(event({ filter_path: 'rollup.enabled' }), context);
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body as string).error.reason).toBe('Rollup not found');
    const envelope = { error: { type: 't', reason: 'r', root_cause: [] }, status: 400 };
    expect(withFilterPath({ status: 400, body: envelope }, { filter_path: 'x' }).body).toBe(envelope);
    // Nor the REST layer's plain form that a passed-on cluster answer may have.
    const plain = { error: 'no handler found for uri [/_settings/x] and method [GET]' };
    expect(withFilterPath({ status: 400, body: plain }, { filter_path: 'x' }).body).toBe(plain);
  });

  test('exclusions and wildcards, and no parameter leaves the answer alone', () => {
    expect(withFilterPath({ status: 200, body: doc }, { filter_path: '-rollup.page_size,-_*' }).body).toEqual(
      {
        rollup: { rollup_id: 'x', enabled: true },
      },
    );
    expect(withFilterPath({ status: 200, body: doc }, { filter_path: '*.enabled' }).body).toEqual({
      rollup: { enabled: true },
    });
    expect(withFilterPath({ status: 200, body: doc }, {}).body).toBe(doc);
  });
});
