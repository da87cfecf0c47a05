import { startTestApi, type TestApi } from '../support/api';
import { validateResponse } from '../support/spec';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

/**
 * `_plugins/_notifications/configs` through the real handlers on DynamoDB Local: what the
 * Notifications plugin answers for create, get, list, update, delete and bad input.
 */
// The first request of a file pays for cold handler modules and the spec's schemas.
jest.setTimeout(30_000);

let api: TestApi;
let hook: WebhookReceiver;
const BASE = '/_plugins/_notifications/configs';

const webhookConfig = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  description: `${name} channel`,
  config_type: 'webhook',
  is_enabled: true,
  webhook: { url: hook.url(`/${name}`), header_params: { 'X-Team': 'ops' }, method: 'POST' },
  ...extra,
});

/** Checks a response against OpenSearch's API spec for the route. */
const expectSpec = (method: string, route: string, status: number, body: unknown): void => {
  expect(validateResponse('notifications', method, route, status, body)).toEqual([]);
};

const expectError = (
  reply: { status: number; body: { error: { type: string; reason: string } } },
  status: number,
  type: string,
  reason: string | RegExp,
): void => {
  expect(reply.status).toBe(status);
  expect(reply.body.error.type).toBe(type);
  expect(reply.body.error.reason).toEqual(
    typeof reason === 'string' ? reason : expect.stringMatching(reason),
  );
};

beforeAll(async () => {
  api = await startTestApi();
  hook = await startWebhookReceiver();
});
afterAll(async () => {
  await hook.close();
  await api.close();
});

describe('creating and reading a channel', () => {
  it('creates with the given id and returns the config with its times', async () => {
    const before = Date.now();
    const created = await api.request('POST', BASE, { config_id: 'ops-hook', config: webhookConfig('ops') });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ config_id: 'ops-hook' });
    expectSpec('POST', BASE, 200, created.body);

    const got = await api.request('GET', `${BASE}/ops-hook`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      start_index: 0,
      total_hits: 1,
      total_hit_relation: 'eq',
      config_list: [
        {
          config_id: 'ops-hook',
          last_updated_time_ms: expect.any(Number),
          created_time_ms: expect.any(Number),
          config: webhookConfig('ops'),
        },
      ],
    });
    expect(got.body.config_list[0].created_time_ms).toBeGreaterThanOrEqual(before);
  });

  it('generates an id when none is given, and fills description, is_enabled and method', async () => {
    const created = await api.request('POST', BASE, {
      config: { name: 'bare', config_type: 'webhook', webhook: { url: hook.url('/bare') } },
    });
    expect(created.status).toBe(200);
    expect(created.body.config_id).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const got = await api.request('GET', `${BASE}/${created.body.config_id}`);
    expect(got.body.config_list[0].config).toEqual({
      name: 'bare',
      description: '',
      config_type: 'webhook',
      is_enabled: true,
      webhook: { url: hook.url('/bare'), header_params: {}, method: 'POST' },
    });
  });

  it('refuses a second channel with the same id with 409 and keeps the first', async () => {
    await api.request('POST', BASE, { config_id: 'dup', config: webhookConfig('first') });
    const again = await api.request('POST', BASE, { config_id: 'dup', config: webhookConfig('second') });
    expectError(
      again,
      409,
      'version_conflict_engine_exception',
      /^\[dup\]: version conflict, document already exists/,
    );
    const got = await api.request('GET', `${BASE}/dup`);
    expect(got.body.config_list[0].config.name).toBe('first');
  });

  it('answers 404 for an unknown id', async () => {
    expectError(
      await api.request('GET', `${BASE}/missing`),
      404,
      'status_exception',
      'NotificationConfig missing not found',
    );
  });
});

describe('validation', () => {
  const create = (config: unknown, id?: string) =>
    api.request('POST', BASE, id === undefined ? { config } : { config_id: id, config });

  it.each([
    [
      'an invalid URL',
      { name: 'x', config_type: 'webhook', webhook: { url: 'not a url' } },
      'Invalid URL or unsupported',
    ],
    [
      'a non-http URL',
      { name: 'x', config_type: 'webhook', webhook: { url: 'ftp://h/x' } },
      'Invalid URL or unsupported',
    ],
    ['a missing url', { name: 'x', config_type: 'webhook', webhook: {} }, 'url field absent'],
    ['a missing name', { config_type: 'webhook', webhook: { url: 'http://h' } }, 'name field absent'],
    [
      'an empty name',
      { name: '', config_type: 'webhook', webhook: { url: 'http://h' } },
      'name is null or empty',
    ],
    ['a missing config_type', { name: 'x', webhook: { url: 'http://h' } }, 'config_type field absent'],
    [
      'data of another type',
      { name: 'x', config_type: 'slack', webhook: { url: 'http://h' } },
      "ConfigType: slack and data doesn't match",
    ],
    [
      'a Slack URL that is not a Slack webhook',
      { name: 'x', config_type: 'slack', slack: { url: 'https://example.com/hook' } },
      'Wrong Slack url. Should contain "hooks.slack.com/services/" or "hooks.gov-slack.com/services/"',
    ],
    [
      'a Chime URL without a token',
      { name: 'x', config_type: 'chime', chime: { url: 'https://hooks.chime.aws/incomingwebhooks/abc' } },
      'Wrong Chime url. Should contain "hooks.chime.aws/incomingwebhooks/" and "?token="',
    ],
    [
      'a Teams URL that is not a Teams webhook',
      { name: 'x', config_type: 'microsoft_teams', microsoft_teams: { url: 'https://example.com/webhook' } },
      'Wrong Microsoft Teams url. Should contain "webhook.office.com"',
    ],
    [
      'a bad SNS topic ARN',
      { name: 'x', config_type: 'sns', sns: { topic_arn: 'arn:aws:sns:us-east-1:12:t' } },
      'Invalid AWS SNS topic ARN: arn:aws:sns:us-east-1:12:t',
    ],
    [
      'a bad SNS role ARN',
      {
        name: 'x',
        config_type: 'sns',
        sns: { topic_arn: 'arn:aws:sns:us-east-1:123456789012:t', role_arn: 'role' },
      },
      'Invalid AWS role ARN: role ',
    ],
    [
      'a type the plugin has but this control plane cannot deliver to',
      { name: 'x', config_type: 'email', email: {} },
      'config_type [email] is not supported by this control plane; use one of [slack, chime, microsoft_teams, webhook, sns]',
    ],
  ])('refuses %s with 400 and writes nothing', async (_, config, reason) => {
    const reply = await create(config, 'invalid-one');
    expectError(reply, 400, 'illegal_argument_exception', reason);
    expect((await api.request('GET', `${BASE}/invalid-one`)).status).toBe(404);
  });

  it('answers an unknown config_type with the plugin 406', async () => {
    const reply = await create({ name: 'x', config_type: 'pager', pager: { url: 'http://h' } });
    expectError(
      reply,
      406,
      'status_exception',
      /^NotificationConfig with type NONE is not acceptable: unknown config_type \[pager\]/,
    );
  });

  it('refuses an id with invalid characters, a body without config, and no body', async () => {
    expectError(
      await create(webhookConfig('x'), 'a b!'),
      400,
      'illegal_argument_exception',
      'Invalid characters in id :  !',
    );
    expectError(
      await api.request('POST', BASE, { config_id: 'x' }),
      400,
      'illegal_argument_exception',
      'config field absent',
    );
    expectError(await api.request('POST', BASE), 400, 'parse_exception', 'request body is required');
    expectError(
      await api.request('POST', BASE, '{"config":'),
      400,
      'json_parse_exception',
      /^Failed to parse request body/,
    );
  });
});

describe('listing channels', () => {
  beforeAll(async () => {
    for (const id of ['list-a', 'list-b', 'list-c']) {
      await api.request('DELETE', `${BASE}/${id}`);
    }
    await api.request('POST', BASE, {
      config_id: 'list-b',
      config: webhookConfig('beta', { is_enabled: false }),
    });
    await api.request('POST', BASE, {
      config_id: 'list-a',
      config: {
        name: 'alpha',
        config_type: 'slack',
        slack: { url: 'https://hooks.slack.com/services/T0/B0/x' },
      },
    });
    await api.request('POST', BASE, {
      config_id: 'list-c',
      config: {
        name: 'gamma',
        config_type: 'sns',
        sns: { topic_arn: 'arn:aws:sns:us-east-1:123456789012:ops' },
      },
    });
  });

  it('filters by config_type, sorts by name and pages', async () => {
    const all = await api.request('GET', `${BASE}?config_id_list=list-a,list-b,list-c`);
    expect(all.body.total_hits).toBe(3);
    const byName = await api.request('GET', `${BASE}?config_type=slack,sns&sort_field=name&sort_order=desc`);
    expect(byName.status).toBe(200);
    expect(byName.body.config_list.map((c: { config_id: string }) => c.config_id)).toEqual([
      'list-c',
      'list-a',
    ]);
    const page = await api.request(
      'GET',
      `${BASE}?config_type=slack,sns&sort_field=name&from_index=1&max_items=1`,
    );
    expect(page.body).toMatchObject({ start_index: 1, total_hits: 2, total_hit_relation: 'eq' });
    expect(page.body.config_list.map((c: { config_id: string }) => c.config_id)).toEqual(['list-c']);
    // The spec caps config_list at one item (a spec error), so a one-item page is what can be checked.
    expectSpec('GET', BASE, 200, page.body);
  });

  it('filters by is_enabled and by words of the name', async () => {
    const muted = await api.request('GET', `${BASE}?is_enabled=false&name=beta`);
    expect(muted.body.config_list.map((c: { config_id: string }) => c.config_id)).toEqual(['list-b']);
  });

  it('refuses to sort on an unknown field with 406', async () => {
    expectError(
      await api.request('GET', `${BASE}?sort_field=color`),
      406,
      'status_exception',
      'Sort on color not acceptable',
    );
  });
});

describe('updating and deleting', () => {
  it('replaces the config, keeps created_time_ms and moves last_updated_time_ms', async () => {
    await api.request('POST', BASE, { config_id: 'upd', config: webhookConfig('upd') });
    const before = (await api.request('GET', `${BASE}/upd`)).body.config_list[0];
    const updated = await api.request('PUT', `${BASE}/upd`, {
      config: webhookConfig('upd', { description: 'changed', is_enabled: false }),
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ config_id: 'upd' });
    expectSpec('PUT', `${BASE}/{config_id}`, 200, updated.body);
    const after = (await api.request('GET', `${BASE}/upd`)).body.config_list[0];
    expect(after.config).toMatchObject({ description: 'changed', is_enabled: false });
    expect(after.created_time_ms).toBe(before.created_time_ms);
    expect(after.last_updated_time_ms).toBeGreaterThanOrEqual(before.last_updated_time_ms);
  });

  it('takes 20 concurrent full updates of one channel, each 200, and keeps one of them whole', async () => {
    await api.request('POST', BASE, { config_id: 'race', config: webhookConfig('race') });
    const descriptions = Array.from({ length: 20 }, (_, i) => `writer ${i}`);
    const replies = await Promise.all(
      descriptions.map((description) =>
        api.request('PUT', `${BASE}/race`, { config: webhookConfig('race', { description }) }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(descriptions.map(() => 200));
    const after = (await api.request('GET', `${BASE}/race`)).body.config_list[0];
    // The last writer wins: the stored config is exactly one caller's, never a mix.
    expect(after.config).toEqual(webhookConfig('race', { description: expect.any(String) }));
    expect(descriptions).toContain(after.config.description);
  });

  it('refuses to change the type (409) or update a missing channel (404)', async () => {
    await api.request('POST', BASE, { config_id: 'typed', config: webhookConfig('typed') });
    const retype = await api.request('PUT', `${BASE}/typed`, {
      config: {
        name: 'typed',
        config_type: 'chime',
        chime: { url: 'https://hooks.chime.aws/incomingwebhooks/a?token=b' },
      },
    });
    expectError(retype, 409, 'status_exception', 'Config type cannot be changed after creation');
    const missing = await api.request('PUT', `${BASE}/nothing-here`, { config: webhookConfig('n') });
    expectError(missing, 404, 'status_exception', 'NotificationConfig nothing-here not found');
  });

  it('deletes one channel, then answers 404 for it', async () => {
    await api.request('POST', BASE, { config_id: 'del', config: webhookConfig('del') });
    const deleted = await api.request('DELETE', `${BASE}/del`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ delete_response_list: { del: 'OK' } });
    expectSpec('DELETE', `${BASE}/{config_id}`, 200, deleted.body);
    expectError(
      await api.request('DELETE', `${BASE}/del`),
      404,
      'status_exception',
      'NotificationConfig del not found',
    );
  });

  it('deletes a list of channels only when all exist', async () => {
    await api.request('POST', BASE, { config_id: 'd1', config: webhookConfig('d1') });
    await api.request('POST', BASE, { config_id: 'd2', config: webhookConfig('d2') });
    const partial = await api.request('DELETE', `${BASE}?config_id_list=d1,ghost`);
    expectError(partial, 404, 'status_exception', 'NotificationConfig [ghost] not found');
    expect((await api.request('GET', `${BASE}/d1`)).status).toBe(200);
    const both = await api.request('DELETE', `${BASE}?config_id_list=d1,d2`);
    expect(both.body).toEqual({ delete_response_list: { d1: 'OK', d2: 'OK' } });
    expectError(
      await api.request('DELETE', BASE),
      400,
      'illegal_argument_exception',
      'either config_id or config_id_list is required',
    );
  });
});

describe('sending a test message', () => {
  it('posts the plugin test message to the channel and reports its delivery status', async () => {
    hook.reset();
    await api.request('POST', BASE, { config_id: 'testable', config: webhookConfig('testable') });
    const sent = await api.request('POST', '/_plugins/_notifications/feature/test/testable');
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({
      event_source: {
        title: 'Test Message Title-testable',
        reference_id: 'testable',
        severity: 'info',
        tags: [],
      },
      status_list: [
        {
          config_id: 'testable',
          config_type: 'webhook',
          config_name: 'testable',
          email_recipient_status: [],
          delivery_status: { status_code: '200', status_text: 'Success' },
        },
      ],
    });
    expectSpec('POST', '/_plugins/_notifications/feature/test/{config_id}', 200, sent.body);
    expect(hook.requests).toHaveLength(1);
    expect(hook.requests[0]).toMatchObject({
      method: 'POST',
      path: '/testable',
      body: 'Test message content body for config id testable',
    });
    expect(hook.requests[0].headers['x-team']).toBe('ops');
  });

  it('answers 404 for an unknown channel', async () => {
    const reply = await api.request('POST', '/_plugins/_notifications/feature/test/none');
    expectError(reply, 404, 'status_exception', 'NotificationConfig none not found');
  });
});

describe('channels and features', () => {
  it('lists every channel with its name, type and state', async () => {
    await api.request('POST', BASE, {
      config_id: 'picker',
      config: webhookConfig('picker', { is_enabled: false }),
    });
    const reply = await api.request('GET', '/_plugins/_notifications/channels');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ start_index: 0, total_hit_relation: 'eq' });
    expect(reply.body.total_hits).toBe(reply.body.channel_list.length);
    expect(reply.body.channel_list).toContainEqual({
      config_id: 'picker',
      name: 'picker',
      description: 'picker channel',
      config_type: 'webhook',
      is_enabled: false,
    });
    expectSpec('GET', '/_plugins/_notifications/channels', 200, reply.body);
  });

  it('names the channel types that can be created', async () => {
    const reply = await api.request('GET', '/_plugins/_notifications/features');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      allowed_config_type_list: ['slack', 'chime', 'microsoft_teams', 'webhook', 'sns'],
      plugin_features: { tooltip_support: 'true' },
    });
    expectSpec('GET', '/_plugins/_notifications/features', 200, reply.body);
  });
});
