import { randomUUID } from 'node:crypto';
import type { ChannelConfig } from '../../lambdas/notifications/channel/model';
import { channelStore, notifier } from '../../lambdas/notifications/notifier';
import { ensureTable } from '../../local/table';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

/**
 * Delivery through the notifier ISM and SM use: by Notifications channel id (channels stored in
 * DynamoDB Local) and by ISM's legacy inline destination, to a loopback receiver standing in for
 * Slack, Chime and custom webhooks.
 */
let hook: WebhookReceiver;

const saveChannel = async (id: string, config: ChannelConfig): Promise<void> => {
  const now = Date.now();
  await channelStore().create(id, { config_id: id, created_time_ms: now, last_updated_time_ms: now, config });
};

beforeAll(async () => {
  process.env.TABLE_NAME = `notifications-${randomUUID()}`;
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  await ensureTable(process.env.TABLE_NAME);
  hook = await startWebhookReceiver();
});
afterAll(() => hook.close());
beforeEach(() => hook.reset());

describe('delivering to a channel by id', () => {
  it('posts a custom webhook text as it is, with the configured headers and method', async () => {
    await saveChannel('hook-1', {
      name: 'ops hook',
      description: '',
      config_type: 'webhook',
      is_enabled: true,
      webhook: { url: hook.url('/ops?team=a'), header_params: { 'X-Token': 's3cret' }, method: 'PUT' },
    });
    const result = await notifier().deliver(
      { channelId: 'hook-1' },
      { subject: 'ISM', text: 'index logs-1 failed' },
    );
    expect(result).toEqual({ delivered: true, status: 200 });
    const [req] = hook.requests;
    expect(req.method).toBe('PUT');
    expect(req.path).toBe('/ops?team=a');
    expect(req.body).toBe('index logs-1 failed');
    expect(req.headers['x-token']).toBe('s3cret');
  });

  it('sends Slack {"text"} with the subject above the text', async () => {
    await saveChannel('slack-1', {
      name: 'slack',
      description: '',
      config_type: 'slack',
      is_enabled: true,
      slack: { url: hook.url('/slack') },
    });
    const result = await notifier().deliver(
      { channelId: 'slack-1' },
      { subject: 'Alert', text: 'rollover done' },
    );
    expect(result.delivered).toBe(true);
    expect(hook.requests[0]).toMatchObject({
      method: 'POST',
      path: '/slack',
      json: { text: 'Alert\n\nrollover done' },
    });
    expect(hook.requests[0].headers['content-type']).toBe('application/json');
  });

  it('does not deliver to a muted channel or an unknown id, and says why', async () => {
    await saveChannel('muted', {
      name: 'muted',
      description: '',
      config_type: 'chime',
      is_enabled: false,
      chime: { url: hook.url('/chime') },
    });
    expect(await notifier().deliver({ channelId: 'muted' }, { text: 'x' })).toEqual({
      delivered: false,
      reason: 'notification channel [muted] is muted (is_enabled is false)',
    });
    expect(await notifier().deliver({ channelId: 'nope' }, { text: 'x' })).toEqual({
      delivered: false,
      reason: 'notification channel [nope] not found',
    });
    expect(hook.requests).toHaveLength(0);
  });
});

describe('delivering to a legacy destination', () => {
  it('posts Chime {"Content"} without the subject', async () => {
    const result = await notifier().deliver(
      { destination: { chime: { url: hook.url('/chime') } } },
      { subject: 'ignored', text: 'policy failed' },
    );
    expect(result.delivered).toBe(true);
    expect(hook.requests[0]).toMatchObject({ path: '/chime', json: { Content: 'policy failed' } });
  });

  it('builds a custom webhook URL from host, port, path and query params', async () => {
    const port = Number(new URL(hook.url()).port);
    const result = await notifier().deliver(
      {
        destination: {
          custom_webhook: {
            scheme: 'http',
            host: '127.0.0.1',
            port,
            path: 'legacy',
            query_params: { a: '1' },
            header_params: { 'Content-Type': 'text/plain' },
          },
        },
      },
      { text: 'hello' },
    );
    expect(result.delivered).toBe(true);
    expect(hook.requests[0]).toMatchObject({ method: 'POST', path: '/legacy?a=1', body: 'hello' });
    expect(hook.requests[0].headers['content-type']).toBe('text/plain');
  });

  it('reports the endpoint status and body when it refuses the message', async () => {
    hook.respondWith(403, 'invalid token');
    const result = await notifier().deliver(
      { destination: { slack: { url: hook.url('/s') } } },
      { text: 'x' },
    );
    expect(result).toEqual({
      delivered: false,
      status: 403,
      reason: `${hook.url('/s')} answered 403: invalid token`,
    });
    expect(hook.requests).toHaveLength(1);
  });
});
