import { startTestApi, type TestApi } from '../support/api';

/**
 * Odd ids on every namespace that stores documents (ISM policies, SM policies, rollup and
 * transform jobs): an id with a control character gets OpenSearch's validation answer and
 * leaves nothing behind; a unicode id is stored and named in the `Location` as a URI names it.
 */
jest.setTimeout(60_000);

let api: TestApi;
const SOURCE = 'docids-source';

const ismPolicy = {
  policy: { description: 'ids', default_state: 's', states: [{ name: 's', actions: [], transitions: [] }] },
};
const smPolicy = {
  creation: { schedule: { cron: { expression: '0 8 * * *', timezone: 'UTC' } } },
  snapshot_config: { repository: 'docids-repo' },
};
const rollup = {
  rollup: {
    source_index: SOURCE,
    target_index: 'docids-rollup',
    description: 'ids',
    schedule: { interval: { period: 1, unit: 'Days' } },
    page_size: 10,
    enabled: false,
    continuous: false,
    dimensions: [{ date_histogram: { source_field: 'ts', fixed_interval: '1h' } }],
    metrics: [{ source_field: 'v', metrics: [{ sum: {} }] }],
  },
};
const transform = {
  transform: {
    enabled: false,
    schedule: { interval: { period: 1, unit: 'Minutes' } },
    description: 'ids',
    source_index: SOURCE,
    target_index: 'docids-transform',
    page_size: 10,
    groups: [{ terms: { source_field: 'k', target_field: 'k' } }],
    aggregations: { total: { sum: { field: 'v' } } },
  },
};

/** Where each namespace creates a document with a given (encoded) id, and reads it back. */
const namespaces = [
  { name: 'ISM policy', create: 'PUT', path: '/_plugins/_ism/policies/', body: ismPolicy, suffix: '' },
  // The plugin keeps an SM policy under the document id `<name>-sm-policy`.
  {
    name: 'SM policy',
    create: 'POST',
    path: '/_plugins/_sm/policies/',
    body: smPolicy,
    suffix: '-sm-policy',
  },
  { name: 'rollup job', create: 'PUT', path: '/_plugins/_rollup/jobs/', body: rollup, suffix: '' },
  { name: 'transform job', create: 'PUT', path: '/_plugins/_transform/', body: transform, suffix: '' },
];

beforeAll(async () => {
  api = await startTestApi();
  const index = await api.request('PUT', `/${SOURCE}`, {
    mappings: { properties: { ts: { type: 'date' }, k: { type: 'keyword' }, v: { type: 'long' } } },
  });
  expect(index.status).toBe(200);
});

afterAll(async () => {
  await api.request('DELETE', `/${SOURCE}`);
  await api.close();
});

describe.each(namespaces)('$name ids', ({ create, path, body, suffix }) => {
  it.each([
    ['%00', 'U+0000'],
    ['ab%0Acd', 'U+000A'],
    ['tab%09', 'U+0009'],
    ['del%7F', 'U+007F'],
  ])('refuses id %s (a control character) with 400 and stores nothing', async (encoded, code) => {
    const reply = await api.request(create, `${path}${encoded}`, body);
    expect(reply.status).toBe(400);
    const id = `${decodeURIComponent(encoded)}${suffix}`;
    const reason = `Validation Failed: 1: id [${id}] must not contain control characters, found ${code};`;
    expect(reply.body).toEqual({
      error: {
        root_cause: [{ type: 'action_request_validation_exception', reason }],
        type: 'action_request_validation_exception',
        reason,
      },
      status: 400,
    });
    expect(reply.headers.get('location')).toBeNull();
    expect((await api.request('GET', `${path}${encoded}`)).status).toBe(404);
  });

  it('stores a unicode id and names it in the Location percent-encoded', async () => {
    const encoded = encodeURIComponent('docids-日本-é');
    const reply = await api.request(create, `${path}${encoded}`, body);
    expect(reply.status).toBe(201);
    expect(reply.headers.get('location')).toBe(`${path}${encoded}`);
    expect((await api.request('GET', `${path}${encoded}`)).status).toBe(200);
    expect((await api.request('DELETE', `${path}${encoded}`)).status).toBe(200);
  });
});
