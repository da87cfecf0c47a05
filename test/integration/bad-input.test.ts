import { startTestApi, type TestApi } from '../support/api';

/**
 * Bad input at the edge, as the robustness fuzzer (npm run test:robustness) first found it: each
 * gets OpenSearch's answer, never a 500, and the cluster behind us survives it.
 */
jest.setTimeout(60_000);

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api.close();
});

const policy = {
  policy: {
    description: 'bad input',
    default_state: 's',
    states: [{ name: 's', actions: [], transitions: [] }],
  },
};

describe('escapes in the path', () => {
  it('a parameter whose escape cannot be decoded gets OpenSearch\'s "Unexpected HTTP method" for the path', async () => {
    for (const path of [
      '/_plugins/_ism/policies/%zz',
      '/_plugins/_ism/policies/%E0%A4%A',
      '/_plugins/_ism/policies/%',
    ]) {
      const reply = await api.request('GET', path);
      expect(reply.status).toBe(405);
      expect(reply.body).toEqual({
        error: 'Unexpected HTTP method, allowed: [HEAD, PUT, GET, DELETE]',
        status: 405,
      });
    }
    const config = await api.request('DELETE', '/_plugins/_notifications/configs/%E0%A4%A');
    expect(config.body).toEqual({
      error: 'Unexpected HTTP method, allowed: [PUT, GET, DELETE]',
      status: 405,
    });
  });

  it('a path of no route that cannot be read as a URI is "invalid uri has been requested"', async () => {
    const reply = await api.request('GET', '/_plugins/_ism/polic%zz');
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ error: 'invalid uri has been requested' });
  });

  it('decodes an id once: %2541 is the id "%41"', async () => {
    const created = await api.request('PUT', '/_plugins/_ism/policies/bad-input-a%2541', policy);
    expect(created.status).toBe(201);
    expect(created.body._id).toBe('bad-input-a%41');
    expect((await api.request('GET', '/_plugins/_ism/policies/bad-input-a%2541')).body._id).toBe(
      'bad-input-a%41',
    );
    expect((await api.request('GET', '/_plugins/_ism/policies/bad-input-aA')).status).toBe(404);
  });

  it('reads bytes that are no UTF-8 as OpenSearch does (U+FFFD), not as an error', async () => {
    const reply = await api.request('DELETE', '/_plugins/_ism/policies/%C0%AF');
    expect(reply.status).toBe(404);
    expect(reply.body.error.reason).toBe('Policy \ufffd\ufffd is not found');
  });
});

describe('deeply nested bodies', () => {
  const nested = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

  it('refuses a body nested over 1000 levels before the cluster sees it (a 2.19 node dies of 5,000)', async () => {
    const reply = await api.request('PUT', '/_cluster/settings', `{"persistent":${nested(5000)}}`);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({
      type: 'json_parse_exception',
      reason: expect.stringMatching(/^Document nesting depth \(1001\) exceeds the maximum allowed \(1000/),
    });
    // Passed through to the cluster as well: refused, and the node is still there.
    const passed = await api.request('PUT', '/bad-input-deep/_settings', nested(5000));
    expect(passed.status).toBe(400);
    expect((await api.request('GET', '/_cluster/health')).status).toBe(200);
  });

  it('takes a body nested 1000 levels as it did (the handler answers its own error)', async () => {
    const reply = await api.request('PUT', '/_plugins/_ism/policies/bad-input-nested', nested(999));
    expect(reply.status).toBe(400);
    expect(reply.body.error.type).not.toBe('json_parse_exception');
  });
});

describe('ids longer than any stored one', () => {
  const long = 'x'.repeat(1500);

  it.each([
    ['GET', `/_plugins/_ism/policies/${long}`],
    ['DELETE', `/_plugins/_ism/policies/${long}`],
    ['GET', `/_plugins/_rollup/jobs/${long}`],
    ['DELETE', `/_plugins/_transform/${long}`],
    ['GET', `/_plugins/_sm/policies/${long}/_explain`],
    ['DELETE', `/_plugins/_sm/policies/${long}`],
    ['GET', `/_plugins/_notifications/configs/${long}`],
  ])('%s of one answers as for any id that is not there, not with a 500', async (method, path) => {
    const reply = await api.request(method, path);
    expect(reply.status).toBeLessThan(500);
    if (reply.status >= 400) expect(reply.body.error.type).toEqual(expect.any(String));
  });

  it('a notification channel with an id over 512 bytes is refused as IndexRequest refuses it', async () => {
    const reply = await api.request('POST', '/_plugins/_notifications/configs', {
      config_id: 'y'.repeat(600),
      config: { name: 'n', config_type: 'webhook', webhook: { url: 'https://example.com/hook' } },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({
      type: 'action_request_validation_exception',
      reason: `Validation Failed: 1: id [${'y'.repeat(600)}] is too long, must be no longer than 512 bytes but was: 600;`,
    });
  });
});

describe("the cluster's refusals", () => {
  it("an ISM add for an index name the cluster refuses answers the cluster's 400", async () => {
    await api.request('PUT', '/_plugins/_ism/policies/bad-input-add', policy);
    const reply = await api.request('POST', '/_plugins/_ism/add/_bad-input', { policy_id: 'bad-input-add' });
    expect(reply.status).toBeLessThan(500);
  });
});
