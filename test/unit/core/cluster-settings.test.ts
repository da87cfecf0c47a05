import { parseSettingsBody } from '../../../lambdas/core/cluster-settings/body';
import {
  getClusterSettings,
  nest,
  putClusterSettings,
  type ClusterReply,
  type ClusterSettingsDeps,
} from '../../../lambdas/core/cluster-settings/service';
import { OpenSearchError } from '../../../lambdas/shared/errors';
import {
  applyUpdate,
  type SettingsUpdate,
  type StoredSettings,
} from '../../../lambdas/shared/plugin-settings-store';
import type { FlatUpdate } from '../../../lambdas/core/cluster-settings/body';

/**
 * PUT/GET _cluster/settings over an in-memory store and a fake cluster that answers as a
 * plugin-free cluster does (it echoes what it is sent, or refuses with the answer it is given).
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const fakes = (refusal?: ClusterReply) => {
  let stored: StoredSettings = { persistent: {}, transient: {} };
  const sent: FlatUpdate[] = [];
  const deps: ClusterSettingsDeps = {
    node: {},
    cluster: {
      put: async (body) => {
        sent.push(body);
        // A cluster echoes the values it set, nested.
        const echo = (section: FlatUpdate['persistent']) =>
          nest(
            Object.fromEntries(Object.entries(section).filter((e): e is [string, string] => e[1] !== null)),
          );
        return (
          refusal ?? {
            status: 200,
            body: { acknowledged: true, persistent: echo(body.persistent), transient: echo(body.transient) },
          }
        );
      },
      putRaw: async () => ({ status: 400, body: { error: 'raw' } }),
      get: async () => ({
        status: 200,
        body: { persistent: { cluster: { max_shards_per_node: '9' } }, transient: {} },
      }),
    },
    store: {
      read: async () => stored,
      update: async (u: SettingsUpdate) => (stored = applyUpdate(stored, u)),
    },
  };
  return { deps, sent, stored: () => stored };
};

const put = (body: unknown, deps: ClusterSettingsDeps, query = {}) =>
  putClusterSettings(typeof body === 'string' ? body : JSON.stringify(body), query, deps);

describe('the body', () => {
  test('nested and dotted keys are the same settings; numbers keep their Java spelling', () => {
    expect(
      parseSettingsBody(
        '{"persistent":{"plugins":{"index_state_management":{"job_interval":1}},"plugins.index_state_management.jitter":1.0,"a":1e3,"b":[1,true,"x"],"c":null},"other":{}}',
      ),
    ).toEqual({
      persistent: {
        'plugins.index_state_management.job_interval': '1',
        'plugins.index_state_management.jitter': '1.0',
        a: '1000.0',
        b: ['1', 'true', 'x'],
        c: null,
      },
      transient: {},
    });
  });

  test('a list of anything but values, or a section that is no object, is refused (400, not the 500 of OpenSearch)', () => {
    expect(() => parseSettingsBody('{"persistent":{"a":[{"b":1}]}}')).toThrow(
      expect.objectContaining({ status: 400, type: 'settings_exception' }),
    );
    expect(() => parseSettingsBody('{"transient":"x"}')).toThrow(
      new OpenSearchError(400, 'settings_exception', 'Failed to load settings from [x]'),
    );
  });

  test('no JSON at all is left to the cluster', () => {
    expect(parseSettingsBody('{"persistent":')).toBeUndefined();
  });
});

describe('PUT _cluster/settings', () => {
  test("ours are kept, the cluster's are sent to it, and the answer holds both", async () => {
    const f = fakes();
    const reply = await put(
      {
        persistent: { 'plugins.index_state_management.job_interval': 2, 'cluster.max_shards_per_node': 10 },
        transient: { plugins: { rollup: { search: { enabled: false } } } },
      },
      f.deps,
    );
    expect(reply).toEqual({
      status: 200,
      body: {
        acknowledged: true,
        persistent: {
          cluster: { max_shards_per_node: '10' },
          plugins: { index_state_management: { job_interval: '2' } },
        },
        transient: { plugins: { rollup: { search: { enabled: 'false' } } } },
      },
    });
    expect(f.sent).toEqual([{ persistent: { 'cluster.max_shards_per_node': '10' }, transient: {} }]);
    expect(f.stored()).toEqual({
      persistent: { 'plugins.index_state_management.job_interval': '2' },
      transient: { 'plugins.rollup.search.enabled': 'false' },
    });
  });

  test('only ours: the cluster is not asked; flat_settings answers flat', async () => {
    const f = fakes();
    const reply = await put({ persistent: { 'plugins.rollup.enabled': false } }, f.deps, {
      flat_settings: 'true',
    });
    expect(reply.body).toEqual({
      acknowledged: true,
      persistent: { 'plugins.rollup.enabled': 'false' },
      transient: {},
    });
    expect(f.sent).toEqual([]);
  });

  test('a bad value of ours is refused before anything is sent or written; transient is checked first', async () => {
    const f = fakes();
    await expect(
      put(
        {
          persistent: { 'plugins.index_state_management.jitter': 2, 'cluster.max_shards_per_node': 10 },
          transient: { 'plugins.index_state_management.job_interval': 'x' },
        },
        f.deps,
      ),
    ).rejects.toMatchObject({
      status: 400,
      reason: 'Failed to parse value [x] for setting [plugins.index_state_management.job_interval]',
    });
    expect(f.sent).toEqual([]);
    expect(f.stored()).toEqual({ persistent: {}, transient: {} });
  });

  test("the cluster's refusal is the answer, and nothing of ours is written", async () => {
    const refusal = { status: 400, body: { error: { type: 'illegal_argument_exception' }, status: 400 } };
    const f = fakes(refusal);
    const reply = await put(
      { persistent: { 'plugins.index_state_management.job_interval': 2, 'no.such.setting': 1 } },
      f.deps,
    );
    expect(reply).toEqual(refusal);
    expect(f.stored()).toEqual({ persistent: {}, transient: {} });
  });

  test('null resets; a pattern reset goes to the cluster too', async () => {
    const f = fakes();
    await put(
      { persistent: { 'plugins.index_state_management.job_interval': 2, 'plugins.rollup.enabled': true } },
      f.deps,
    );
    const reply = await put({ persistent: { 'plugins.index_state_management.*': null } }, f.deps);
    expect(reply.body).toEqual({ acknowledged: true, persistent: {}, transient: {} });
    expect(f.sent).toEqual([{ persistent: { 'plugins.index_state_management.*': null }, transient: {} }]);
    expect(f.stored().persistent).toEqual({ 'plugins.rollup.enabled': 'true' });
  });

  test('no settings at all is a validation error', async () => {
    await expect(put({ persistent: {}, other: { a: 1 } }, fakes().deps)).rejects.toMatchObject({
      status: 400,
      type: 'action_request_validation_exception',
      reason: 'Validation Failed: 1: no settings to update;',
    });
  });
});

describe('GET _cluster/settings', () => {
  test("ours are merged into the cluster's answer; include_defaults lists ours", async () => {
    const f = fakes();
    await put({ transient: { 'plugins.index_state_management.enabled': false } }, f.deps);
    const reply = await getClusterSettings({ include_defaults: 'true', flat_settings: 'true' }, f.deps);
    const body = reply.body as Json;
    expect(body.persistent).toEqual({ cluster: { max_shards_per_node: '9' } });
    expect(body.transient).toEqual({ 'plugins.index_state_management.enabled': 'false' });
    expect(body.defaults['plugins.index_state_management.enabled']).toBeUndefined();
    expect(body.defaults['plugins.index_state_management.job_interval']).toBe('5');
    expect(Object.keys(body.defaults)).toEqual(Object.keys(body.defaults).sort());
  });
});
