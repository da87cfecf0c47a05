import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BODY_CHARS,
  COLD_START_CASES,
  needsCluster,
  wrongAnswer,
  type ColdStartCase,
} from '../../../bench/cold-start-cases';
import { dataPlaneProxy, fallback, operations } from '../../../infra/routes';
import { matchRoute } from '../../../lambdas/core/router';
import type { ApiEvent } from '../../../lambdas/shared/http';

/** The cold-start checks of `npm run bench`: one exact expectation per handler, strictly applied. */
const ROOT = path.resolve(__dirname, '../../..');
const sample = (name: string): ApiEvent =>
  JSON.parse(fs.readFileSync(path.join(ROOT, 'events', `${name}.json`), 'utf8')) as ApiEvent;

describe('the cold-start cases', () => {
  it('cover every handler of the route table, the fallback, the proxy and the bare handler, and nothing else', () => {
    const handlers = [
      'bare',
      ...operations.map((o) => o.operation),
      fallback.operation,
      dataPlaneProxy.operation,
    ];
    expect(Object.keys(COLD_START_CASES).sort()).toEqual(handlers.sort());
  });

  it('expect one status each, a success except where OpenSearch answers otherwise (the fallback)', () => {
    for (const [name, c] of Object.entries(COLD_START_CASES)) {
      expect(Number.isInteger(c.status)).toBe(true);
      if (name !== fallback.operation) expect([200, 201]).toContain(c.status);
    }
  });

  it("expect the fallback's status for its sample event from the router: 405 for a method no operation serves", () => {
    const event = sample(fallback.operation);
    const match = matchRoute(event.requestContext.http.method, event.rawPath);
    expect(match.kind).toBe('method_not_allowed');
    expect(COLD_START_CASES[fallback.operation].status).toBe(405);
  });

  it('set up a cluster for every operation that talks to one', () => {
    for (const op of operations.filter((o) => o.cluster)) {
      expect(needsCluster(COLD_START_CASES[op.operation], false)).toBe(true);
    }
    expect(needsCluster(COLD_START_CASES[dataPlaneProxy.operation], false)).toBe(true);
    expect(needsCluster(COLD_START_CASES['ism.get_policy'], false)).toBe(false);
  });

  it('make a fresh document only for conditional updates, whose sample names a seq_no and primary term', () => {
    for (const [name, c] of Object.entries(COLD_START_CASES)) {
      const q = name === 'bare' ? undefined : sample(name).queryStringParameters;
      const conditional = q?.if_seq_no !== undefined && q?.if_primary_term !== undefined;
      expect([name, c.needs.some((n) => n.startsWith('fresh-'))]).toEqual([name, conditional]);
    }
  });

  it('make what a create makes absent first, and what a read reads present first', () => {
    expect(COLD_START_CASES['ism.put_policy'].needs).toContain('no-ism-policy');
    expect(COLD_START_CASES['sm.create_policy'].needs).toContain('no-sm-policy');
    expect(COLD_START_CASES['rollups.put'].needs).toContain('no-rollup-job');
    expect(COLD_START_CASES['notifications.create_config'].needs).toContain('no-channel');
    expect(COLD_START_CASES['indices.create'].needs).toContain('no-orders-index');
    expect(COLD_START_CASES['ism.retry_index'].needs).toContain('logs-failed');
    expect(COLD_START_CASES['sm.start_policy'].needs).toContain('sm-policy-stopped');
    expect(COLD_START_CASES['rollups.stop'].needs).toContain('rollup-job-started');
  });

  it('check bodies the child keeps whole (BODY_CHARS is the limit in bench/cold-start-child.js)', () => {
    const child = fs.readFileSync(path.join(ROOT, 'bench', 'cold-start-child.js'), 'utf8');
    expect(child).toContain(`const BODY_CHARS = ${BODY_CHARS};`);
    expect(child).toContain('response.body.slice(0, BODY_CHARS)');
  });
});

describe('a run is checked strictly', () => {
  const retry: ColdStartCase = COLD_START_CASES['ism.retry_index'];
  const done = '{"updated_indices":1,"failures":false,"failed_indices":[]}';

  it('passes exactly the expected status with every expected body text', () => {
    expect(wrongAnswer(retry, { statusCode: 200, body: done })).toBeUndefined();
    expect(
      wrongAnswer(COLD_START_CASES[fallback.operation], {
        statusCode: 405,
        body: '{"error":"Incorrect HTTP method for uri"}',
      }),
    ).toBeUndefined();
  });

  it('fails any other status, even another success or the 4xx a missing prerequisite gives', () => {
    expect(wrongAnswer(retry, { statusCode: 201, body: done })).toMatch(/^status 201, expected 200/);
    expect(
      wrongAnswer(retry, { statusCode: 404, body: '{"error":{"type":"index_not_found_exception"}}' }),
    ).toMatch(/^status 404, expected 200: .*index_not_found_exception/);
    expect(wrongAnswer(COLD_START_CASES[fallback.operation], { statusCode: 400, body: '{}' })).toMatch(
      /expected 405/,
    );
    expect(wrongAnswer(retry, { body: done })).toMatch(/^status undefined/);
  });

  it('fails a 200 whose body reports that nothing was done', () => {
    const failed =
      '{"updated_indices":0,"failures":true,"failed_indices":[{"index_name":"logs-000001","reason":"This index is not in failed state."}]}';
    expect(wrongAnswer(retry, { statusCode: 200, body: failed })).toMatch(
      /the body lacks "updated_indices":1 and "failures":false/,
    );
    const undelivered = '{"status_list":[{"delivery_status":{"status_code":"500","status_text":"Failed"}}]}';
    expect(
      wrongAnswer(COLD_START_CASES['notifications.send_test'], { statusCode: 200, body: undelivered }),
    ).toMatch(/lacks "status_code":"200"/);
  });

  it('fails a handler that threw and a child that gave no answer', () => {
    expect(wrongAnswer(retry, { error: 'handler threw: boom' })).toBe('handler threw: boom');
    expect(wrongAnswer(retry, undefined)).toBe('no answer');
  });
});
