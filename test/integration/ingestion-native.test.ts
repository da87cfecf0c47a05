import {
  CreateStreamCommand,
  KinesisClient,
  PutRecordsCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Kafka, Partitioners, logLevel, type Admin, type Producer } from 'kafkajs';
import type { ShardState } from '../../lambdas/ingestion/model';
import { documentClient } from '../../lambdas/shared/dynamo';
import { JobStore } from '../../lambdas/shared/jobs/job-store';
import { resolveKafka, type KafkaService } from '../../local/services/kafka';
import {
  NATIVE_INGESTION_OPENSEARCH_VERSION,
  ingestionKafkaPlugin,
  ingestionKinesisPlugin,
  startOpenSearch,
  type OpenSearchHandle,
} from '../../local/services/opensearch';
import { startTestApi, type TestApi } from '../support/api';
import { pollOnce } from '../support/ingestion-harness';
import { startClusterProxy, type ClusterProxy } from '../support/cluster-proxy';
import { validateResponse } from '../support/spec';

/**
 * Native mode against an OpenSearch 3.x node with the `ingestion-kafka` and `ingestion-kinesis`
 * plugins (started here, only this file needs it: the first run fetches the distribution and the
 * plugins' jars from Maven Central into the same cache as the default node). The cluster pulls
 * from a real Kafka broker and from kinesalite itself; our endpoint hands it the create request
 * and its pause, resume and `_state`, and registers nothing.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
jest.setTimeout(90_000);

let node: OpenSearchHandle;
let proxy: ClusterProxy;
let broker: KafkaService;
let api: TestApi;
let admin: Admin;
let producer: Producer;
const globalCluster = {
  CLUSTER_ENDPOINT: process.env.CLUSTER_ENDPOINT,
  OPENSEARCH_URL: process.env.OPENSEARCH_URL,
};

beforeAll(async () => {
  const version = NATIVE_INGESTION_OPENSEARCH_VERSION;
  [node, broker] = await Promise.all([
    startOpenSearch({
      version,
      plugins: [ingestionKafkaPlugin(version), ingestionKinesisPlugin(version)],
      startTimeoutMs: 240_000,
    }),
    resolveKafka(),
  ]);
  // This file's handlers talk to the 3.x node (through a proxy that can fail requests), not to
  // the 2.x node of globalSetup.
  proxy = await startClusterProxy(node.url);
  process.env.CLUSTER_ENDPOINT = proxy.url;
  process.env.OPENSEARCH_URL = proxy.url;
  api = await startTestApi();
  const kafka = new Kafka({
    brokers: [broker.bootstrapServers],
    clientId: 'test',
    logLevel: logLevel.NOTHING,
  });
  admin = kafka.admin();
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await Promise.all([admin.connect(), producer.connect()]);
}, 900_000);

afterAll(async () => {
  delete process.env.INGESTION_MODE;
  await Promise.all([producer?.disconnect(), admin?.disconnect()]);
  await Promise.all([api?.close(), proxy?.close(), broker?.stop(), node?.stop()]);
  Object.assign(process.env, globalCluster);
});

afterEach(() => {
  delete process.env.INGESTION_MODE;
});

/** The cluster itself, bypassing our endpoint. */
const cluster = async (
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> => {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
};

const produce = async (topic: string, ids: string[]): Promise<void> => {
  await producer.send({
    topic,
    messages: ids.map((id) => ({ partition: 0, value: JSON.stringify({ _id: id, _source: { name: id } }) })),
  });
};

const newTopic = async (topic: string): Promise<void> => {
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
};

const kafkaIndex = (topic: string, type = 'kafka'): Json => ({
  settings: {
    ingestion_source: {
      type,
      'pointer.init.reset': 'earliest',
      param: { topic, bootstrap_servers: broker.bootstrapServers },
    },
    index: { number_of_shards: 1, number_of_replicas: 0, 'replication.type': 'SEGMENT' },
  },
  mappings: { properties: { name: { type: 'keyword' } } },
});

/** Ids in the index as the cluster has them, once they are `expected` (the cluster polls on its own). */
const idsOnCluster = async (index: string, expected: string[]): Promise<string[]> => {
  let found: string[] = [];
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    await cluster('POST', `/${index}/_refresh`);
    const res = await cluster('GET', `/${index}/_search?size=100`);
    found = ((res.body.hits?.hits ?? []) as { _id: string }[]).map((h) => h._id).sort();
    if (JSON.stringify(found) === JSON.stringify([...expected].sort())) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return found;
};

const clusterPollerState = async (index: string, expected: string): Promise<string> => {
  let found = '';
  for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
    const res = await cluster('GET', `/${index}/ingestion/_state`);
    found = String(res.body.ingestion_state?.[index]?.[0]?.poller_state);
    if (found === expected) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return found;
};

const registered = async (index: string): Promise<string[]> =>
  (await new JobStore<ShardState>(documentClient(), api.tableName, 'ingestion').list(`${index}#`)).map(
    (r) => r.id,
  );

const stateThroughUs = async (index: string): Promise<Json> => {
  const res = await api.request<Json>('GET', `/${index}/ingestion/_state`);
  expect(res.status).toBe(200);
  expect(validateResponse('ingestion', 'GET', '/{index}/ingestion/_state', 200, res.body)).toEqual([]);
  return res.body;
};

const pluginLookups = (): number => proxy.seen.filter((l) => l.startsWith('GET /_nodes/plugins')).length;

// First in this file: the container has not asked the cluster for its plugins yet.
test('a cluster that will not list its plugins is refused native mode with a reason, and that answer is not kept', async () => {
  await proxy.answer(403, /^GET \/_nodes\/plugins/);
  const res = await api.request<Json>('PUT', '/native-0?ingestion=native', kafkaIndex('native-0'));
  proxy.forward();
  expect(res.status).toBe(400);
  expect(res.body.error.type).toBe('illegal_argument_exception');
  expect(res.body.error.reason).toBe(
    "native ingestion needs to know the cluster's plugins, but GET _nodes/plugins answered 403 " +
      '(injected 403 by the test proxy); create the index with ?ingestion=control-plane to let the control plane ingest it',
  );
  expect((await cluster('HEAD', '/native-0')).status).toBe(404);
  expect(pluginLookups()).toBe(1);
});

test('?ingestion=native: the cluster ingests the topic itself, our pause, resume and _state are its own, nothing is registered with us', async () => {
  await newTopic('native-1');
  await produce('native-1', ['a', 'b', 'c']);

  const created = await api.request<Json>('PUT', '/native-1?ingestion=native', kafkaIndex('native-1'));
  expect(created.status).toBe(200);
  expect(created.body).toEqual({ acknowledged: true, shards_acknowledged: true, index: 'native-1' });

  // The cluster has the index with its ingestion source, and pulled the messages itself.
  const settings = await cluster('GET', '/native-1/_settings/index.ingestion_source.type');
  expect(settings.body['native-1'].settings.index.ingestion_source.type).toBe('kafka');
  expect(await idsOnCluster('native-1', ['a', 'b', 'c'])).toEqual(['a', 'b', 'c']);
  expect(await registered('native-1')).toEqual([]);

  // Our _state is the cluster's (it names the node holding the shard, which ours never does).
  const ours = await stateThroughUs('native-1');
  expect(ours).toEqual((await cluster('GET', '/native-1/ingestion/_state')).body);
  expect(ours.ingestion_state['native-1'][0]).toMatchObject({
    shard: 0,
    poller_state: 'POLLING',
    poller_paused: false,
    node: expect.any(String),
  });

  // Pause through us: the cluster's poller stops, a new message stays out until the resume.
  const paused = await api.request<Json>('POST', '/native-1/ingestion/_pause');
  expect(paused.status).toBe(200);
  expect(paused.body).toEqual({ acknowledged: true, shards_acknowledged: true });
  expect(validateResponse('ingestion', 'POST', '/{index}/ingestion/_pause', 200, paused.body)).toEqual([]);
  // The flag is set at once; the cluster's poller stops at its next loop.
  expect((await stateThroughUs('native-1')).ingestion_state['native-1'][0].poller_paused).toBe(true);
  expect(await clusterPollerState('native-1', 'PAUSED')).toBe('PAUSED');
  await produce('native-1', ['d']);
  await new Promise((r) => setTimeout(r, 2_000));
  expect(await idsOnCluster('native-1', ['a', 'b', 'c'])).toEqual(['a', 'b', 'c']);

  const resumed = await api.request<Json>('POST', '/native-1/ingestion/_resume', {});
  expect(resumed.status).toBe(200);
  expect(resumed.body).toEqual({ acknowledged: true, shards_acknowledged: true });
  expect(await idsOnCluster('native-1', ['a', 'b', 'c', 'd'])).toEqual(['a', 'b', 'c', 'd']);
  expect((await stateThroughUs('native-1')).ingestion_state['native-1'][0]).toMatchObject({
    poller_paused: false,
  });
  expect(await registered('native-1')).toEqual([]);
});

test('the deployment mode native applies without the parameter; ?ingestion=control-plane overrides it, and one request may not mix both kinds', async () => {
  process.env.INGESTION_MODE = 'native';
  await newTopic('native-2');
  await produce('native-2', ['x']);

  const native = await api.request<Json>('PUT', '/native-2', kafkaIndex('native-2'));
  expect(native.status).toBe(200);
  expect(await idsOnCluster('native-2', ['x'])).toEqual(['x']);
  expect(await registered('native-2')).toEqual([]);
  // The failed lookup of the first test was not kept; the good one is, for later creates too.
  expect(pluginLookups()).toBe(2);

  // Ours: the cluster's index has no ingestion source, its shard is registered with our poller.
  const ours = await api.request<Json>('PUT', '/ours-2?ingestion=control-plane', kafkaIndex('native-2'));
  expect(ours.status).toBe(200);
  expect(ours.body).toEqual({ acknowledged: true, shards_acknowledged: true, index: 'ours-2' });
  expect(await registered('ours-2')).toEqual(['ours-2#0']);
  const settings = await cluster('GET', '/ours-2/_settings');
  expect(settings.body['ours-2'].settings.index.ingestion_source).toBeUndefined();
  // Through us, GET _settings shows ours-2's ingestion source as it was given, not the cluster's
  // defaults for it; native-2's answer is the cluster's own.
  const q = '?include_defaults=true&flat_settings=true';
  const both = await api.request<Json>('GET', `/native-2,ours-2/_settings${q}`);
  expect(both.status).toBe(200);
  expect(validateResponse('indices', 'GET', '/{index}/_settings', 200, both.body)).toEqual([]);
  expect(both.body['native-2']).toEqual((await cluster('GET', `/native-2/_settings${q}`)).body['native-2']);
  const theirs = (await cluster('GET', `/ours-2/_settings${q}`)).body['ours-2'];
  expect(theirs.defaults['index.ingestion_source.type']).toBe('none');
  expect(both.body['ours-2'].settings).toEqual({
    ...theirs.settings,
    'index.ingestion_source.type': 'kafka',
    'index.ingestion_source.pointer.init.reset': 'earliest',
    'index.ingestion_source.param.topic': 'native-2',
    'index.ingestion_source.param.bootstrap_servers': broker.bootstrapServers,
  });
  // The same settings, rendered by the 3.x cluster for its own index and by us for ours.
  const nested = (await api.request<Json>('GET', '/native-2,ours-2/_settings')).body;
  expect(nested['ours-2'].settings.index.ingestion_source).toEqual(
    nested['native-2'].settings.index.ingestion_source,
  );
  // With filter_path, ours-2 through us answers as the 3.x cluster answers for its own native-2
  // (the same settings): filtered after the ingestion source is added.
  for (const f of [
    '**.ingestion_source',
    '*.settings.index.ingestion_source.param.*,*.settings.index.number_of_shards',
    // What tells the two indices apart, in both renderings.
    '-**.uuid,-**.creation_date,-**.provided_name,-**.version,-*.*.index\\.uuid,-*.*.index\\.creation_date,-*.*.index\\.provided_name,-*.*.index\\.version\\.created',
    '**.ingestion_source.pointer.init.reset,-**.param',
    '*.*.index.ingestion_source.type',
    '**.index\\.ingestion_source\\.type',
  ]) {
    for (const q of ['', '&flat_settings=true']) {
      const fp = `?filter_path=${encodeURIComponent(f)}${q}`;
      const ourAnswer = await api.request<Json>('GET', `/ours-2/_settings${fp}`);
      const native = (await cluster('GET', `/native-2/_settings${fp}`)).body;
      expect([f, q, ourAnswer.status, ourAnswer.body['ours-2']]).toEqual([f, q, 200, native['native-2']]);
    }
  }
  const defaults = { ...theirs.defaults };
  for (const k of ['type', 'pointer.init.reset']) delete defaults[`index.ingestion_source.${k}`];
  expect(both.body['ours-2'].defaults).toEqual(defaults);
  const state = await stateThroughUs('ours-2');
  expect(state.ingestion_state['ours-2'][0]).toMatchObject({ shard: 0, poller_state: 'NONE' });
  expect(state.ingestion_state['ours-2'][0].node).toBeUndefined();

  const mixed = await api.request<Json>('POST', '/native-2,ours-2/ingestion/_pause');
  expect(mixed.status).toBe(400);
  expect(mixed.body.error.type).toBe('illegal_argument_exception');
  expect(mixed.body.error.reason).toBe(
    'indices [native-2] are ingested by the cluster and [ours-2] by the control plane; send one request for each',
  );
});

test('push writes to an index our poller ingests answer as the 3.x cluster answers for its natively ingested twin', async () => {
  // ours-2 (our poller) and native-2 (the cluster's) ingest the same topic, with the same settings.
  await pollOnce();
  expect(await idsOnCluster('ours-2', ['x'])).toEqual(['x']);
  const uuid = async (index: string): Promise<string> =>
    (await cluster('GET', `/${index}/_settings/index.uuid`)).body[index].settings.index.uuid;
  const [nativeUuid, oursUuid] = [await uuid('native-2'), await uuid('ours-2')];
  const asOurs = (body: unknown): Json =>
    JSON.parse(
      JSON.stringify(body)
        .replaceAll('native-2', 'ours-2')
        .replaceAll(nativeUuid, oursUuid)
        .replaceAll('p-native', 'p-ours')
        .replace(/"(took|_seq_no)":\d+/g, '"$1":0'),
    ) as Json;
  const cases: [string, string, unknown][] = [
    ['PUT', '/{i}/_doc/1', { name: 'a' }],
    ['POST', '/{i}/_doc/1?refresh=true', { name: 'a' }],
    ['PUT', '/{i}/_create/1', { name: 'a' }],
    ['POST', '/{i}/_create/1', { name: 'a' }],
    ['DELETE', '/{i}/_doc/x', undefined],
    ['DELETE', '/{i}/_doc/nope', undefined],
    ['POST', '/{i}/_update/nope', { doc: { name: 'b' } }],
    ['POST', '/{i}/_update/nope', { doc: { name: 'b' }, doc_as_upsert: true }],
    ['POST', '/{i}/_update/x', { doc: { name: 'b' } }],
    ['POST', '/{i}/_update/x', { doc: { name: 'x' } }],
  ];
  for (const [method, p, body] of cases) {
    const ours = await api.request<Json>(method, p.replace('{i}', 'ours-2'), body);
    const theirs = await cluster(method, p.replace('{i}', 'native-2'), body);
    expect([method, p, ours.status, asOurs(ours.body)]).toEqual([
      method,
      p,
      theirs.status,
      asOurs(theirs.body),
    ]);
  }
  expect(
    (await cluster('PUT', '/push-plain', { settings: { number_of_shards: 1, number_of_replicas: 0 } }))
      .status,
  ).toBe(200);
  const bulkOf = (index: string, plainId: string): string =>
    [
      { update: { _index: index, _id: 'x' } },
      { doc: { name: 'x' } },
      { update: { _index: index, _id: 'nope' } },
      { doc: { name: 'b' } },
      { index: { _index: 'push-plain', _id: plainId } },
      { name: 'p' },
      { delete: { _index: index, _id: 'x' } },
      { index: { _index: index, _id: 'y' } },
      { name: 'y' },
    ]
      .map((l) => `${JSON.stringify(l)}\n`)
      .join('');
  const send = async (base: string, body: string): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${base}/_bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body,
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const ours = await send(api.url, bulkOf('ours-2', 'p-ours'));
  const theirs = await send(node.url, bulkOf('native-2', 'p-native'));
  expect(ours.status).toBe(theirs.status);
  expect(asOurs(ours.body)).toEqual(asOurs(theirs.body));
  expect(theirs.body.items[2].index.status).toBe(201);
  expect(await idsOnCluster('ours-2', ['x'])).toEqual(['x']);

  // By query: alone, and with a plain index whose documents do change.
  const byQuery: [string, string, unknown][] = [
    ['/{i}/_delete_by_query', '', { query: { match_all: {} } }],
    ['/{i}/_update_by_query', '?q=name:x', undefined],
    ['/{i}/_update_by_query', '?max_docs=1&conflicts=proceed', { query: { match_all: {} } }],
    ['/{i}/_delete_by_query', '', { query: { term: { name: 'zzz' } } }],
  ];
  for (const [p, q, body] of byQuery) {
    const ours = await api.request<Json>('POST', `${p.replace('{i}', 'ours-2')}${q}`, body);
    const theirs = await cluster('POST', `${p.replace('{i}', 'native-2')}${q}`, body);
    expect([p, q, ours.status, asOurs(ours.body)]).toEqual([p, q, theirs.status, asOurs(theirs.body)]);
  }
  const mixed = async (
    index: string,
    base: string,
    plainId: string,
  ): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${base}/${index},push-plain/_delete_by_query?refresh=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: { ids: { values: ['x', plainId] } } }),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  await cluster('POST', '/push-plain/_refresh');
  const oursMixed = await mixed('ours-2', api.url, 'p-ours');
  const theirsMixed = await mixed('native-2', node.url, 'p-native');
  expect([oursMixed.status, asOurs(oursMixed.body)]).toEqual([theirsMixed.status, asOurs(theirsMixed.body)]);
  expect(theirsMixed.body).toMatchObject({ total: 2, deleted: 1 });
  expect(await idsOnCluster('ours-2', ['x'])).toEqual(['x']);
});

test('a Kinesis source: the cluster reads the stream itself (kinesalite through param.endpoint_override)', async () => {
  const kinesis = new KinesisClient({
    endpoint: process.env.KINESIS_ENDPOINT,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(),
  });
  await kinesis.send(new CreateStreamCommand({ StreamName: 'native-kinesis', ShardCount: 1 }));
  await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30 }, { StreamName: 'native-kinesis' });
  await kinesis.send(
    new PutRecordsCommand({
      StreamName: 'native-kinesis',
      Records: ['k1', 'k2'].map((id) => ({
        PartitionKey: id,
        Data: Buffer.from(JSON.stringify({ _id: id, _source: { name: id } })),
      })),
    }),
  );

  const created = await api.request<Json>('PUT', '/native-kinesis?ingestion=native', {
    settings: {
      ingestion_source: {
        type: 'kinesis',
        'pointer.init.reset': 'earliest',
        param: {
          stream: 'native-kinesis',
          region: 'us-east-1',
          access_key: 'local',
          secret_key: 'local',
          endpoint_override: process.env.KINESIS_ENDPOINT,
        },
      },
      index: { number_of_shards: 1, number_of_replicas: 0, 'replication.type': 'SEGMENT' },
    },
  });
  expect(created.status).toBe(200);
  expect(await idsOnCluster('native-kinesis', ['k1', 'k2'])).toEqual(['k1', 'k2']);
  expect((await stateThroughUs('native-kinesis')).ingestion_state['native-kinesis'][0]).toMatchObject({
    poller_state: 'POLLING',
    batch_start_pointer: expect.stringMatching(/^SequenceNumber\{sequenceNumber=\d+\}$/),
    node: expect.any(String),
  });
  expect(await registered('native-kinesis')).toEqual([]);
  kinesis.destroy();
});

test('native mode without the plugin for the source type is refused with a reason, and nothing is created', async () => {
  const res = await api.request<Json>('PUT', '/native-3?ingestion=native', {
    settings: { ingestion_source: { type: 'file', param: { stream: 's', base_directory: '/tmp' } } },
  });
  expect(res.status).toBe(400);
  expect(res.body.error.type).toBe('illegal_argument_exception');
  expect(res.body.error.reason).toBe(
    'the cluster cannot ingest [file] natively: no node has the [ingestion-fs] plugin (OpenSearch 3.x); ' +
      'install it on every node, or create the index with ?ingestion=control-plane to let the control plane ingest it',
  );
  expect((await cluster('HEAD', '/native-3')).status).toBe(404);
  expect(await registered('native-3')).toEqual([]);
});

test('?ingestion= never reaches the cluster, and a wrong value is refused', async () => {
  // The cluster would refuse an unknown parameter: a plain index created with it shows it was removed.
  const plain = await api.request<Json>('PUT', '/plain-4?ingestion=native&timeout=30s', {
    settings: { index: { number_of_shards: 1, number_of_replicas: 0 } },
  });
  expect(plain.status).toBe(200);
  expect(plain.body).toMatchObject({ acknowledged: true, index: 'plain-4' });

  for (const body of [kafkaIndex('native-4'), { settings: { index: { number_of_shards: 1 } } }]) {
    const wrong = await api.request<Json>('PUT', '/wrong-4?ingestion=nativ', body);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({
      type: 'illegal_argument_exception',
      reason: 'request parameter [ingestion] must be one of control-plane, native, got [nativ]',
    });
  }
  expect((await cluster('HEAD', '/wrong-4')).status).toBe(404);
});

test("a rollover through us of an index the cluster ingests is the cluster's own: nothing is handed over, the old index goes on ingesting, as in OpenSearch", async () => {
  await newTopic('native-roll');
  await produce('native-roll', ['a', 'b']);
  const created = await api.request<Json>('PUT', '/nroll-000001?ingestion=native', {
    ...kafkaIndex('native-roll'),
    aliases: { nroll: { is_write_index: true } },
  });
  expect(created.status).toBe(200);
  expect(await idsOnCluster('nroll-000001', ['a', 'b'])).toEqual(['a', 'b']);

  const rolled = await api.request<Json>('POST', '/nroll/_rollover');
  expect(rolled.status).toBe(200);
  expect(rolled.body).toEqual({
    acknowledged: true,
    shards_acknowledged: true,
    old_index: 'nroll-000001',
    new_index: 'nroll-000002',
    rolled_over: true,
    dry_run: false,
    conditions: {},
  });
  expect(validateResponse('indices', 'POST', '/{alias}/_rollover', 200, rolled.body)).toEqual([]);
  // The cluster made the new index without a source (no template gives it one here), and the
  // stream goes on into the old one; nothing of either index is registered with us.
  const settings = await cluster('GET', '/nroll-000002/_settings');
  expect(settings.body['nroll-000002'].settings.index.ingestion_source).toBeUndefined();
  await produce('native-roll', ['c']);
  expect(await idsOnCluster('nroll-000001', ['a', 'b', 'c'])).toEqual(['a', 'b', 'c']);
  expect((await cluster('GET', '/nroll-000002/_count')).body.count).toBe(0);
  expect([...(await registered('nroll-000001')), ...(await registered('nroll-000002'))]).toEqual([]);
});
