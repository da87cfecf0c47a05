import type { Client } from '@opensearch-project/opensearch';
import { defaultEventFile, loadEvent } from '../../local/invoke';
import { lambdaContext } from '../../local/api-event';
import { OpenSearchRolloverCluster } from '../../lambdas/rollover/cluster-rollover';
import { rolloverHistory, rolloverService } from '../../lambdas/rollover/deps';
import { RolloverService } from '../../lambdas/rollover/rollover-service';
import { systemClock } from '../../lambdas/shared/clock';
import { createClusterClient } from '../../lambdas/shared/cluster';
import type { ApiHandler } from '../../lambdas/shared/http';
import { handler } from '../../lambdas/rollover/handlers/rollover';
import {
  registerRolloverHook,
  unregisterRolloverHook,
  type RolloverOutcome,
  type RolloverPlan,
} from '../../lambdas/rollover/hooks';
import { OpenSearchError } from '../../lambdas/shared/errors';
import { startTestApi, type Reply, type TestApi } from '../support/api';
import { validateResponse } from '../support/spec';

/**
 * The rollover API end to end: our endpoint (route table → handler → the cluster's `_rollover`,
 * history in DynamoDB Local) against the same request sent to the OpenSearch node directly.
 *
 * Each comparison builds the same indices twice, under two prefixes of equal length (so even
 * the `[line:column]` of parse errors match): one set is rolled over through us, the twin
 * directly on the node. The answers must be equal once the prefix and index UUIDs are
 * normalised: nothing else may differ.
 */
jest.setTimeout(60_000);

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.close());

const NODE = process.env.OPENSEARCH_URL as string;
const ONE = '/{alias}/_rollover';
const NAMED = '/{alias}/_rollover/{new_index}';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const node = async <T = any>(method: string, path: string, body?: unknown): Promise<Reply<T>> => {
  const res = await fetch(`${NODE}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body: parsed as never, text };
};

const ok = async (method: string, path: string, body?: unknown): Promise<void> => {
  const r = await node(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
};

let twins = 0;
// Unique per run, so that runs against a kept cluster (OPENSEARCH_URL) never meet old indices.
const RUN = Date.now().toString(36).slice(-4);
/** Two prefixes of the same length: `ru<run>7-` for our endpoint, `rc<run>7-` for the cluster. */
const prefixes = (): { ours: string; theirs: string } => {
  twins++;
  return { ours: `ru${RUN}${twins}-`, theirs: `rc${RUN}${twins}-` };
};

const normalise = (reply: Reply, prefix: string): { status: number; body: unknown } => {
  const text = JSON.stringify(reply.body)
    .split(prefix)
    .join('P-')
    .replace(/("index_uuid":")[^"]+"/g, '$1UUID"')
    .replace(/(\[[^\]/[]+\/)[A-Za-z0-9_-]{20,24}\]/g, '$1UUID]');
  return { status: reply.status, body: JSON.parse(text) };
};

interface Scenario {
  /** Builds the indices and aliases, names prefixed with `p`. */
  setup: (p: string) => Promise<void>;
  /** The request path (prefixed with `p`) and body. */
  request: (p: string) => { path: string; body?: unknown };
}

/** Runs a scenario through us and directly; asserts equal answers and returns ours. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const compare = async (scenario: Scenario): Promise<{ reply: Reply<any>; p: string }> => {
  const { ours, theirs } = prefixes();
  await Promise.all([scenario.setup(ours), scenario.setup(theirs)]);
  const mine = scenario.request(ours);
  const reference = scenario.request(theirs);
  const reply = await api.request('POST', mine.path, mine.body);
  const direct = await node('POST', reference.path, reference.body);
  expect(normalise(reply, ours)).toEqual(normalise(direct, theirs));
  const template = mine.path.split('?')[0].split('/').length > 3 ? NAMED : ONE;
  expect(validateResponse('indices', 'POST', template, reply.status, reply.body)).toEqual([]);
  return { reply, p: ours };
};

const oneShard = { number_of_shards: 1, number_of_replicas: 0 };

/** An index behind an alias, optionally marked as the write index, with `docs` documents. */
const aliased =
  (opts: { index?: string; isWriteIndex?: boolean; docs?: number } = {}) =>
  async (p: string): Promise<void> => {
    const alias = opts.isWriteIndex === undefined ? {} : { is_write_index: opts.isWriteIndex };
    const index = opts.index ?? 'logs-000001';
    // A date-math name keeps its brackets outermost: `<p-logs-{now/d}-000001>`.
    const name = index.startsWith('<') ? `<${p}${index.slice(1)}` : `${p}${index}`;
    await ok('PUT', `/${encodeURIComponent(name)}`, {
      settings: oneShard,
      aliases: { [`${p}logs`]: alias },
    });
    if (opts.docs) {
      const lines = Array.from({ length: opts.docs }, (_, i) => `{"index":{}}\n{"n":${i}}\n`).join('');
      const res = await fetch(`${NODE}/${p}logs/_bulk?refresh=true`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: lines,
      });
      if (!res.ok) throw new Error(await res.text());
    }
  };

const rollover =
  (body?: unknown, query = '') =>
  (p: string) => ({ path: `/${p}logs/_rollover${query}`, body });

describe('conditions', () => {
  test.each([
    ['max_docs not met', { max_docs: 5 }, 3, false],
    ['max_docs met', { max_docs: 3 }, 3, true],
    ['max_age not met', { max_age: '7d' }, 0, false],
    ['max_age met', { max_age: '1ms' }, 0, true],
    ['max_size not met', { max_size: '100gb' }, 1, false],
    ['max_size met', { max_size: '1b' }, 1, true],
    ['max_size in bytes, normalised in the answer', { max_size: '1048576b' }, 0, false],
    ['one of several met (OR)', { max_docs: 1000, max_age: '1ms', max_size: '100gb' }, 1, true],
    ['none of several met', { max_docs: 1000, max_age: '30d', max_size: '100gb' }, 1, false],
  ])('%s', async (_name, conditions, docs, met) => {
    const { reply, p } = await compare({ setup: aliased({ docs }), request: rollover({ conditions }) });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      old_index: `${p}logs-000001`,
      new_index: `${p}logs-000002`,
      rolled_over: met,
      acknowledged: met,
      shards_acknowledged: met,
      dry_run: false,
    });
    const exists = await node('HEAD', `/${p}logs-000002`);
    expect(exists.status).toBe(met ? 200 : 404);
  });

  test('the conditions are echoed in normalised form', async () => {
    const { reply } = await compare({
      setup: aliased(),
      request: rollover({ conditions: { max_size: '1024mb', max_age: '24h', max_docs: 10 } }),
    });
    expect(Object.keys(reply.body.conditions).sort()).toEqual([
      '[max_age: 1d]',
      '[max_docs: 10]',
      '[max_size: 1gb]',
    ]);
  });

  test('without conditions the rollover is unconditional', async () => {
    const { reply } = await compare({ setup: aliased(), request: rollover() });
    expect(reply.body).toMatchObject({ rolled_over: true, conditions: {} });
  });
});

describe('dry_run', () => {
  test('names the indices and evaluates the conditions without rolling over', async () => {
    const { reply, p } = await compare({
      setup: aliased({ docs: 2 }),
      request: rollover({ conditions: { max_docs: 1 } }, '?dry_run=true'),
    });
    expect(reply.body).toEqual({
      acknowledged: false,
      shards_acknowledged: false,
      old_index: `${p}logs-000001`,
      new_index: `${p}logs-000002`,
      rolled_over: false,
      dry_run: true,
      conditions: { '[max_docs: 1]': true },
    });
    expect((await node('HEAD', `/${p}logs-000002`)).status).toBe(404);
    expect(await rolloverHistory().forAlias(`${p}logs`)).toEqual([]);
  });

  test('a bare dry_run flag counts as true', async () => {
    const { reply } = await compare({ setup: aliased(), request: rollover(undefined, '?dry_run') });
    expect(reply.body.dry_run).toBe(true);
  });

  test('still reports validation errors', async () => {
    const { reply } = await compare({
      setup: aliased({ index: 'plain' }),
      request: rollover(undefined, '?dry_run'),
    });
    expect(reply.status).toBe(400);
  });
});

describe('the new index name', () => {
  test('an explicit name is used as given', async () => {
    const { reply, p } = await compare({
      setup: aliased(),
      request: (p) => ({ path: `/${p}logs/_rollover/${p}next` }),
    });
    expect(reply.body.new_index).toBe(`${p}next`);
  });

  test.each([
    ['logs-3', 'logs-000004'],
    ['logs-000009', 'logs-000010'],
    ['logs-1234567', 'logs-1234568'],
  ])('%s rolls over to %s', async (from, to) => {
    const { reply, p } = await compare({ setup: aliased({ index: from }), request: rollover() });
    expect(reply.body).toMatchObject({ old_index: `${p}${from}`, new_index: `${p}${to}` });
  });

  test('a date-math name is re-resolved with the counter incremented', async () => {
    const { reply, p } = await compare({
      setup: aliased({ index: '<logs-{now/d}-000001>' }),
      request: rollover(),
    });
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '.');
    expect(reply.body).toMatchObject({
      old_index: `${p}logs-${day}-000001`,
      new_index: `${p}logs-${day}-000002`,
    });
  });

  test('an explicit date-math name is resolved', async () => {
    const { reply, p } = await compare({
      setup: aliased(),
      request: (p) => ({ path: `/${p}logs/_rollover/${encodeURIComponent(`<${p}next-{now/M{yyyy.MM}}>`)}` }),
    });
    expect(reply.body.new_index).toBe(`${p}next-${new Date().toISOString().slice(0, 7).replace('-', '.')}`);
  });
});

describe('the new index', () => {
  test('gets the settings, mappings and extra aliases of the body', async () => {
    const { reply, p } = await compare({
      setup: aliased(),
      request: (p) => ({
        path: `/${p}logs/_rollover`,
        body: {
          settings: { number_of_shards: 2, number_of_replicas: 0 },
          mappings: { properties: { message: { type: 'keyword' } } },
          aliases: { [`${p}search`]: { filter: { term: { level: 'error' } } } },
        },
      }),
    });
    expect(reply.body.rolled_over).toBe(true);
    const created = await node('GET', `/${p}logs-000002`);
    const index = created.body[`${p}logs-000002`];
    expect(index.settings.index.number_of_shards).toBe('2');
    expect(index.mappings).toEqual({ properties: { message: { type: 'keyword' } } });
    expect(index.aliases[`${p}search`]).toEqual({ filter: { term: { level: 'error' } } });
    expect(index.aliases[`${p}logs`]).toEqual({});
  });

  test('waits for active shards and honours timeouts when asked', async () => {
    const { reply } = await compare({
      setup: aliased(),
      request: rollover(undefined, '?wait_for_active_shards=1&timeout=30s&cluster_manager_timeout=30s'),
    });
    expect(reply.body).toMatchObject({ rolled_over: true, shards_acknowledged: true });
  });
});

describe('the write alias', () => {
  test('with is_write_index true, the old index keeps the alias as a read alias', async () => {
    const { p } = await compare({ setup: aliased({ isWriteIndex: true }), request: rollover() });
    const aliases = await node('GET', `/_alias/${p}logs`);
    expect(aliases.body).toEqual({
      [`${p}logs-000001`]: { aliases: { [`${p}logs`]: { is_write_index: false } } },
      [`${p}logs-000002`]: { aliases: { [`${p}logs`]: { is_write_index: true } } },
    });
  });

  test('an alias on one index without is_write_index moves to the new index', async () => {
    const { p } = await compare({ setup: aliased(), request: rollover() });
    const aliases = await node('GET', `/_alias/${p}logs`);
    expect(aliases.body).toEqual({ [`${p}logs-000002`]: { aliases: { [`${p}logs`]: {} } } });
  });

  test('an alias on several indices rolls over its write index', async () => {
    const { reply, p } = await compare({
      setup: async (p) => {
        await aliased({ index: 'logs-000001', isWriteIndex: false })(p);
        await aliased({ index: 'logs-000002', isWriteIndex: true })(p);
      },
      request: rollover(),
    });
    expect(reply.body).toMatchObject({ old_index: `${p}logs-000002`, new_index: `${p}logs-000003` });
  });
});

describe('data streams', () => {
  const stream = async (p: string): Promise<void> => {
    await ok('PUT', `/_index_template/${p}ds`, {
      index_patterns: [`${p}ds*`],
      data_stream: {},
      template: { settings: oneShard },
    });
    await ok('PUT', `/_data_stream/${p}ds`);
  };

  test('roll over to the next generation of backing index', async () => {
    const { reply, p } = await compare({ setup: stream, request: (p) => ({ path: `/${p}ds/_rollover` }) });
    expect(reply.body).toMatchObject({
      old_index: `.ds-${p}ds-000001`,
      new_index: `.ds-${p}ds-000002`,
      rolled_over: true,
    });
    const history = await rolloverHistory().forAlias(`${p}ds`);
    expect(history.map((r) => r.new_index)).toEqual([`.ds-${p}ds-000002`]);
  });

  test.each([
    ['a new index name', (p: string) => ({ path: `/${p}ds/_rollover/${p}x` })],
    [
      'settings',
      (p: string) => ({ path: `/${p}ds/_rollover`, body: { settings: { number_of_replicas: 1 } } }),
    ],
    ['aliases', (p: string) => ({ path: `/${p}ds/_rollover`, body: { aliases: { [`${p}a`]: {} } } })],
  ])('refuse %s', async (_name, request) => {
    const { reply } = await compare({ setup: stream, request });
    expect(reply.status).toBe(400);
  });
});

describe('errors are the cluster’s', () => {
  test.each<[string, Scenario, string, string]>([
    [
      'a missing alias',
      { setup: async () => undefined, request: rollover() },
      'illegal_argument_exception',
      'rollover target [P-logs] does not exist',
    ],
    [
      'a concrete index',
      { setup: aliased(), request: (p) => ({ path: `/${p}logs-000001/_rollover` }) },
      'illegal_argument_exception',
      'rollover target is a [concrete index] but one of [alias,data_stream] was expected',
    ],
    [
      'an alias on several indices without a write index',
      {
        setup: async (p) => {
          await aliased({ index: 'logs-000001' })(p);
          await aliased({ index: 'logs-000002' })(p);
        },
        request: rollover(),
      },
      'illegal_argument_exception',
      'rollover target [P-logs] does not point to a write index',
    ],
    [
      'an alias whose only index is not its write index',
      { setup: aliased({ isWriteIndex: false }), request: rollover() },
      'illegal_argument_exception',
      'rollover target [P-logs] does not point to a write index',
    ],
    [
      'an index name without a number and no new name',
      { setup: aliased({ index: 'plain' }), request: rollover() },
      'illegal_argument_exception',
      "index name [P-plain] does not match pattern '^.*-\\d+$'",
    ],
    [
      'a new name that exists',
      { setup: aliased(), request: (p) => ({ path: `/${p}logs/_rollover/${p}logs-000001` }) },
      'resource_already_exists_exception',
      'index [P-logs-000001/UUID] already exists',
    ],
    [
      'an invalid new name',
      { setup: aliased(), request: (p) => ({ path: `/${p}logs/_rollover/${p}UPPER` }) },
      'invalid_index_name_exception',
      'Invalid index name [P-UPPER], must be lowercase',
    ],
    [
      'an Elasticsearch-only condition',
      { setup: aliased(), request: rollover({ conditions: { max_primary_shard_size: '50gb' } }) },
      'x_content_parse_exception',
      '[1:41] [rollover] failed to parse field [conditions]',
    ],
    [
      'a min_* condition',
      { setup: aliased(), request: rollover({ conditions: { min_docs: 1 } }) },
      'x_content_parse_exception',
      '[1:27] [rollover] failed to parse field [conditions]',
    ],
    [
      'an unparsable max_age',
      { setup: aliased(), request: rollover({ conditions: { max_age: 'soon' } }) },
      'x_content_parse_exception',
      '[1:26] [rollover] failed to parse field [conditions]',
    ],
    [
      'a fractional max_size',
      { setup: aliased(), request: rollover({ conditions: { max_size: '1.5gb' } }) },
      'x_content_parse_exception',
      '[1:27] [rollover] failed to parse field [conditions]',
    ],
    [
      'a text max_docs',
      { setup: aliased(), request: rollover({ conditions: { max_docs: 'many' } }) },
      'x_content_parse_exception',
      '[1:27] [rollover] failed to parse field [conditions]',
    ],
    [
      'an unknown body field',
      { setup: aliased(), request: rollover({ condition: {} }) },
      'x_content_parse_exception',
      '[1:2] [rollover] unknown field [condition] did you mean [conditions]?',
    ],
    [
      'a body that is not an object',
      { setup: aliased(), request: rollover([]) },
      'x_content_parse_exception',
      '[1:1] [rollover] Expected START_OBJECT but was: START_ARRAY',
    ],
    [
      'mappings nested under a type',
      { setup: aliased(), request: rollover({ mappings: { _doc: { properties: {} } } }) },
      'x_content_parse_exception',
      '[1:38] [rollover] failed to parse field [mappings]',
    ],
    [
      'both cluster_manager_timeout and master_timeout',
      { setup: aliased(), request: rollover(undefined, '?master_timeout=1s&cluster_manager_timeout=1s') },
      'parse_exception',
      'Please only use one of the request parameters [master_timeout, cluster_manager_timeout].',
    ],
    [
      'a bad wait_for_active_shards',
      { setup: aliased(), request: rollover(undefined, '?wait_for_active_shards=most') },
      'illegal_argument_exception',
      'cannot parse ActiveShardCount[most]',
    ],
    [
      'a bad timeout',
      { setup: aliased(), request: rollover(undefined, '?timeout=soon') },
      'illegal_argument_exception',
      'failed to parse setting [timeout] with value [soon] as a time value: unit is missing or unrecognized',
    ],
    [
      'a bad dry_run',
      { setup: aliased(), request: rollover(undefined, '?dry_run=maybe') },
      'illegal_argument_exception',
      'Failed to parse value [maybe] as only [true] or [false] are allowed.',
    ],
    [
      'an unknown parameter',
      { setup: aliased(), request: rollover(undefined, '?conditions=max_docs') },
      'illegal_argument_exception',
      'request [/P-logs/_rollover] contains unrecognized parameter: [conditions]',
    ],
  ])('%s', async (_name, scenario, type, reason) => {
    const { reply, p } = await compare(scenario);
    expect(reply.status).toBe(400);
    expect(normalise(reply, p).body).toMatchObject({ error: { type, reason }, status: 400 });
  });

  test('a body that is not JSON', async () => {
    const { reply } = await compare({ setup: aliased(), request: rollover('conditions: none') });
    expect(reply.status).toBe(400);
    expect(reply.body.error.type).toBe('json_parse_exception');
  });

  test('nothing is created or recorded for a refused rollover', async () => {
    const { p } = await compare({
      setup: aliased({ index: 'plain' }),
      request: rollover({ conditions: { max_docs: 1 } }),
    });
    expect((await node('GET', `/_alias/${p}logs`)).body).toEqual({
      [`${p}plain`]: { aliases: { [`${p}logs`]: {} } },
    });
    expect(await rolloverHistory().forAlias(`${p}logs`)).toEqual([]);
  });
});

describe('history', () => {
  test('each rollover through the API is recorded with the conditions that were met', async () => {
    const { ours: p } = prefixes();
    await aliased({ docs: 2, isWriteIndex: true })(p);
    const before = Date.now();
    const first = await api.request('POST', `/${p}logs/_rollover`, {
      conditions: { max_docs: 2, max_age: '30d' },
    });
    expect(first.body.rolled_over).toBe(true);
    const notMet = await api.request('POST', `/${p}logs/_rollover`, { conditions: { max_docs: 2 } });
    expect(notMet.body.rolled_over).toBe(false);
    await api.request('POST', `/${p}logs/_rollover/${p}logs-000009`);

    const history = await rolloverHistory().forAlias(`${p}logs`);
    expect(history).toEqual([
      {
        alias: `${p}logs`,
        old_index: `${p}logs-000001`,
        new_index: `${p}logs-000002`,
        conditions: { '[max_docs: 2]': true, '[max_age: 30d]': false },
        met_conditions: ['[max_docs: 2]'],
        time: expect.any(Number),
        source: 'api',
      },
      {
        alias: `${p}logs`,
        old_index: `${p}logs-000002`,
        new_index: `${p}logs-000009`,
        conditions: {},
        met_conditions: [],
        time: expect.any(Number),
        source: 'api',
      },
    ]);
    expect(history[0].time).toBeGreaterThanOrEqual(before);
    expect(history[1].time).toBeGreaterThanOrEqual(history[0].time);
    expect(await rolloverHistory().forIndex(`${p}logs-000002`)).toEqual([history[1]]);
    expect(await rolloverHistory().forIndex(`${p}logs-000009`)).toEqual([]);
  });
});

describe('hooks', () => {
  afterEach(() => unregisterRolloverHook('test-hook'));

  test('see the plan before and the outcome after a rollover', async () => {
    const { ours: p } = prefixes();
    await aliased({ docs: 1 })(p);
    const plans: RolloverPlan[] = [];
    const outcomes: RolloverOutcome[] = [];
    registerRolloverHook({
      name: 'test-hook',
      beforeRollover: async (plan) => {
        // The old index is still the write index while the hook runs.
        expect((await node('GET', `/_alias/${p}logs`)).body).toEqual({
          [`${p}logs-000001`]: { aliases: { [`${p}logs`]: {} } },
        });
        plans.push(plan);
      },
      afterRollover: async (outcome) => {
        outcomes.push(outcome);
      },
    });

    const notMet = await api.request('POST', `/${p}logs/_rollover`, { conditions: { max_docs: 5 } });
    expect(notMet.body.rolled_over).toBe(false);
    expect(plans).toEqual([]);
    expect(outcomes).toMatchObject([{ rolledOver: false, plan: { oldIndex: `${p}logs-000001` } }]);

    const dry = await api.request('POST', `/${p}logs/_rollover?dry_run`);
    expect(dry.body.dry_run).toBe(true);
    expect(outcomes).toHaveLength(1);

    const done = await api.request('POST', `/${p}logs/_rollover`, { conditions: { max_docs: 1 } });
    expect(done.body.rolled_over).toBe(true);
    expect(plans).toMatchObject([
      { alias: `${p}logs`, oldIndex: `${p}logs-000001`, newIndex: `${p}logs-000002` },
    ]);
    expect(outcomes[1]).toMatchObject({
      rolledOver: true,
      record: { old_index: `${p}logs-000001`, new_index: `${p}logs-000002`, source: 'api' },
    });
  });

  test('a hook can refuse a rollover before it happens, with its own error', async () => {
    const { ours: p } = prefixes();
    await aliased()(p);
    const outcomes: RolloverOutcome[] = [];
    registerRolloverHook({
      name: 'test-hook',
      beforeRollover: async () => {
        throw new OpenSearchError(400, 'illegal_argument_exception', 'not now');
      },
      afterRollover: async (o) => {
        outcomes.push(o);
      },
    });
    const refused = await api.request('POST', `/${p}logs/_rollover`);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ type: 'illegal_argument_exception', reason: 'not now' });
    expect((await node('HEAD', `/${p}logs-000002`)).status).toBe(404);
    // Told that nothing happened, so that whatever it prepared can be undone.
    expect(outcomes).toMatchObject([{ rolledOver: false, error: { reason: 'not now' } }]);
  });

  test('a failing after-hook does not turn a done rollover into an error', async () => {
    const { ours: p } = prefixes();
    await aliased()(p);
    registerRolloverHook({
      name: 'test-hook',
      afterRollover: async () => {
        throw new Error('hook broke');
      },
    });
    const done = await api.request('POST', `/${p}logs/_rollover`);
    expect(done.status).toBe(200);
    expect(done.body.rolled_over).toBe(true);
    expect(await rolloverHistory().forAlias(`${p}logs`)).toHaveLength(1);
  });
});

describe('routing', () => {
  test('other methods on the rollover path are answered by the cluster', async () => {
    const res = await api.request('GET', '/logs/_rollover');
    expect(res.status).toBe(405);
    expect(res.body).toEqual({
      error: 'Incorrect HTTP method for uri [/logs/_rollover] and method [GET], allowed: [POST]',
      status: 405,
    });
  });

  test('a path under our prefixes is not taken for an alias', async () => {
    const res = await api.request('POST', '/_plugins/_rollover');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'no handler found for uri [/_plugins/_rollover] and method [POST]' });
  });

  test('nor by the handler, when API Gateway routes such a path to it', async () => {
    const event = loadEvent(defaultEventFile('indices.rollover'));
    const routed = {
      ...event,
      rawPath: '/_opendistro/_rollover',
      rawQueryString: '',
      queryStringParameters: undefined,
      pathParameters: { alias: '_opendistro' },
      requestContext: {
        ...event.requestContext,
        http: { ...event.requestContext.http, path: '/_opendistro/_rollover' },
      },
    };
    const result = await handler(routed, lambdaContext('indices.rollover'));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body as string)).toEqual({
      error: 'no handler found for uri [/_opendistro/_rollover] and method [POST]',
    });
  });
});

describe('what the cluster remembers', () => {
  test('rollover_info of the old index tells that it rolled over, and why', async () => {
    const { ours: p } = prefixes();
    await aliased({ docs: 1 })(p);
    await api.request('POST', `/${p}logs/_rollover`, { conditions: { max_docs: 1, max_age: '30d' } });
    const info = await rolloverService().rolledOverOnCluster(`${p}logs-000001`, `${p}logs`);
    expect(info).toEqual({ met_conditions: { max_docs: 1 }, time: expect.any(Number) });
    expect(await rolloverService().rolledOverOnCluster(`${p}logs-000002`, `${p}logs`)).toBeUndefined();
    expect(await rolloverService().rolledOverOnCluster(`${p}missing`, `${p}logs`)).toBeUndefined();
  });
});

describe('a cluster that does not answer', () => {
  const unreachable = (): Promise<Client> =>
    createClusterClient({ endpoint: 'http://127.0.0.1:9', auth: 'none' });

  test('the rollover fails with the connection error and nothing is recorded', async () => {
    const errors: string[] = [];
    const service = new RolloverService(
      new OpenSearchRolloverCluster(unreachable),
      rolloverHistory(),
      systemClock,
      {
        error: (message) => errors.push(message),
      },
    );
    await expect(service.rollover({ alias: 'dead-logs', source: 'api' })).rejects.toThrow(
      /ECONNREFUSED|connect/,
    );
    expect(await rolloverHistory().forAlias('dead-logs')).toEqual([]);
  });

  test('the API answers 502 saying the rollover may have happened', async () => {
    const saved = process.env.CLUSTER_ENDPOINT;
    process.env.CLUSTER_ENDPOINT = 'http://127.0.0.1:9';
    try {
      let handler: ApiHandler | undefined;
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        handler = (require('../../lambdas/rollover/handlers/rollover') as { handler: ApiHandler }).handler;
      });
      const result = await (handler as ApiHandler)(
        loadEvent(defaultEventFile('indices.rollover')),
        lambdaContext('indices.rollover'),
      );
      expect(result.statusCode).toBe(502);
      expect(JSON.parse(result.body as string).error).toMatchObject({
        type: 'cluster_unavailable_exception',
        reason: expect.stringContaining('it may have happened'),
      });
    } finally {
      process.env.CLUSTER_ENDPOINT = saved;
    }
  });
});
