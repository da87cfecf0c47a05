import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataPlaneProxy, fallback, operations } from '../../infra/routes';
import { workers } from '../../infra/workers';
import type { ApiEvent, ApiResult } from '../../lambdas/shared/http';
import type { WorkerEvent } from '../../lambdas/shared/worker';
import {
  EVENTS_DIR,
  bodyText,
  invokeOperation,
  invokeTargets,
  invokeWorker,
  loadEvent,
} from '../../local/invoke';
import { SAMPLE_POLICY_ID, sampleEvents } from '../../local/make-events';
import { ensureTable } from '../../local/table';

/**
 * Every sample event in events/ drives its real handler in-process (the code path of
 * `npm run invoke`) against DynamoDB Local and the OpenSearch node from globalSetup, in the
 * order a user would try them: create the policy, read it, list it, then delete it.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const allEventFiles = fs
  .readdirSync(EVENTS_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => path.basename(f, '.json'));
const workerNames = workers.map((w) => w.worker);
/** API Gateway events (the rest are the workers' EventBridge events). */
const eventFiles = allEventFiles.filter((name) => !workerNames.includes(name));

/** Puts first and deletes last; any operation added later runs in between. */
const ORDER = [
  'ism.put_policy',
  'ism.get_policy',
  'ism.exists_policy',
  'ism.get_policies',
  'sm.create_policy',
  'sm.get_policy',
  'sm.get_policies',
  'sm.explain_policy',
  'sm.stop_policy',
  'sm.start_policy',
  'notifications.create_config',
  'notifications.get_config',
  'notifications.get_configs',
  'notifications.send_test',
  'notifications.update_config',
  'rollups.put',
  'indices.create',
  'ingestion.pause',
  'ingestion.resume',
  'ingestion.get_state',
  'indices.get_settings',
];
const LAST = [
  'ism.delete_policy',
  'sm.delete_policy',
  'notifications.delete_config',
  'notifications.delete_configs',
  'rollups.delete',
];
const rank = (name: string): number =>
  ORDER.includes(name) ? ORDER.indexOf(name) : LAST.includes(name) ? 1000 + LAST.indexOf(name) : ORDER.length;
const ordered = [...eventFiles].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

const invoke = async (name: string, event: ApiEvent = loadEvent(path.join(EVENTS_DIR, `${name}.json`))) => {
  const result = await invokeOperation(name, event);
  const text = bodyText(result);
  const method = event.requestContext.http.method;
  return {
    result,
    status: result.statusCode ?? 200,
    method,
    text,
    body: text === '' ? undefined : (JSON.parse(text) as Json),
  };
};

/** What any OpenSearch client can rely on: JSON bodies, and errors in one of OpenSearch's shapes. */
const expectOpenSearchShape = (r: {
  result: ApiResult;
  status: number;
  method: string;
  text: string;
  body?: Json;
}) => {
  expect(r.status).toBeLessThan(500);
  expect(String(r.result.headers?.['content-type'])).toMatch(/^application\/json/);
  if (r.method === 'HEAD') {
    expect(r.text).toBe('');
    return;
  }
  expect(r.body).toEqual(expect.any(Object));
  if (r.status >= 400) {
    // The error envelope, or the plain `{"error": "..."}` OpenSearch's REST layer sends for unknown routes.
    const error = r.body?.error;
    if (typeof error === 'string') expect(error.length).toBeGreaterThan(0);
    else
      expect(error).toMatchObject({
        type: expect.any(String),
        reason: expect.any(String),
        root_cause: expect.any(Array),
      });
  }
};

beforeAll(async () => {
  if (!process.env.AWS_ENDPOINT_URL_DYNAMODB)
    throw new Error('AWS_ENDPOINT_URL_DYNAMODB is not set: run through jest (globalSetup)');
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  process.env.TABLE_NAME = `invoke-events-${randomUUID()}`;
  await ensureTable(process.env.TABLE_NAME);
});

describe('the sample events', () => {
  it('cover every handler: each operation of the route table, the fallback and the proxy', () => {
    expect([...allEventFiles].sort()).toEqual(
      invokeTargets()
        .map((t) => t.operation)
        .sort(),
    );
  });

  it('are what local/make-events.ts generates from the route table (rerun it after changing the table)', () => {
    for (const [name, event] of sampleEvents()) {
      expect(loadEvent(path.join(EVENTS_DIR, `${name}.json`))).toEqual(JSON.parse(JSON.stringify(event)));
    }
  });

  it('are API Gateway HTTP API (payload 2.0) events for their own route', () => {
    for (const name of eventFiles) {
      const event = loadEvent(path.join(EVENTS_DIR, `${name}.json`));
      expect(event.version).toBe('2.0');
      expect(event.rawPath).toBe(event.requestContext.http.path);
      expect(event.routeKey).toBe(event.requestContext.routeKey);
      const op = operations.find((o) => o.operation === name);
      if (op) {
        expect(event.requestContext.http.method).toBe(op.method);
        expect(op.paths.map((p) => `${op.method} ${p}`)).toContain(event.routeKey);
      }
    }
  });
});

describe.each(ordered)('invoking %s with its sample event', (name) => {
  it('answers without a server error, in OpenSearch shape', async () => {
    if (name === dataPlaneProxy.operation && !process.env.OPENSEARCH_URL && !process.env.CLUSTER_ENDPOINT) {
      throw new Error('OPENSEARCH_URL is not set: globalSetup should start or point at an OpenSearch node');
    }
    expectOpenSearchShape(await invoke(name));
  });
});

if (workerNames.length > 0) {
  describe.each(workerNames)('invoking the %s worker with its scheduled event', (name) => {
    it('is an EventBridge scheduled event, and the run returns its summary', async () => {
      const event = loadEvent<WorkerEvent>(path.join(EVENTS_DIR, `${name}.json`));
      expect(event).toMatchObject({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
      const summary = (await invokeWorker(name, event)) as Json;
      expect(summary).toEqual(expect.objectContaining({ kind: expect.any(String) }));
    });
  });
}

describe('the policy lifecycle through the sample events', () => {
  const policyEvent = (name: string): ApiEvent => loadEvent(path.join(EVENTS_DIR, `${name}.json`));
  const withId = (event: ApiEvent, id: string): ApiEvent => ({
    ...event,
    rawPath: event.rawPath.replace(SAMPLE_POLICY_ID, id),
    pathParameters: { ...event.pathParameters, policy_id: id },
    requestContext: {
      ...event.requestContext,
      http: { ...event.requestContext.http, path: event.rawPath.replace(SAMPLE_POLICY_ID, id) },
    },
  });

  it('creates the policy with put, and get returns the same states', async () => {
    const id = `lifecycle-${randomUUID()}`;
    const put = await invoke('ism.put_policy', withId(policyEvent('ism.put_policy'), id));
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({
      _id: id,
      _version: 1,
      _seq_no: expect.any(Number),
      _primary_term: expect.any(Number),
    });

    const get = await invoke('ism.get_policy', withId(policyEvent('ism.get_policy'), id));
    expect(get.status).toBe(200);
    expect(get.body).toMatchObject({
      _id: id,
      _seq_no: put.body?._seq_no,
      _primary_term: put.body?._primary_term,
    });
    const sent = JSON.parse(policyEvent('ism.put_policy').body as string) as Json;
    expect(get.body?.policy.default_state).toBe(sent.policy.default_state);
    expect((get.body?.policy.states as Json[]).map((s) => s.name)).toEqual(
      (sent.policy.states as Json[]).map((s) => s.name),
    );

    const exists = await invoke('ism.exists_policy', withId(policyEvent('ism.exists_policy'), id));
    expect(exists.status).toBe(200);

    const del = await invoke('ism.delete_policy', withId(policyEvent('ism.delete_policy'), id));
    expect(del.status).toBe(200);
    const gone = await invoke('ism.get_policy', withId(policyEvent('ism.get_policy'), id));
    expect(gone.status).toBe(404);
    expectOpenSearchShape(gone);
  });

  it('answers a method no operation serves with 405 from the fallback', async () => {
    const r = await invoke(fallback.operation);
    expect(r.status).toBe(405);
    expect(r.body?.error).toMatch(/Incorrect HTTP method/);
  });

  it("passes the proxy's request to the cluster and returns the cluster's answer", async () => {
    const r = await invoke(dataPlaneProxy.operation);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      cluster_name: expect.any(String),
      status: expect.stringMatching(/^(green|yellow|red)$/),
    });
  });
});
