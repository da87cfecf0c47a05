import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendHttp } from '../../lambdas/notifications/delivery/transport';
import { notifier } from '../../lambdas/notifications/notifier';
import { startTestApi, type TestApi } from '../support/api';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

/**
 * Delivery through the notifier ISM and SM use: by Notifications channel id (channels created
 * through `_plugins/_notifications/configs`) and by ISM's legacy inline destination, to a
 * loopback receiver standing in for Slack, Chime and custom webhooks.
 *
 * The plugin only checks that a Slack or Chime URL *contains* its service's webhook address, so
 * a receiver path that embeds that address passes the same validation a real one does.
 */
// The first request of a file pays for cold handler modules.
jest.setTimeout(30_000);

let api: TestApi;
let hook: WebhookReceiver;
const SLACK_PATH = '/https://hooks.slack.com/services/T000/B000/XXXX';
const TEAMS_PATH = '/https://acme.webhook.office.com/webhookb2/abc';
const CHIME_PATH = '/https://hooks.chime.aws/incomingwebhooks/abc?token=xyz';

const createChannel = async (id: string, config: Record<string, unknown>): Promise<void> => {
  const reply = await api.request('POST', '/_plugins/_notifications/configs', {
    config_id: id,
    config: { name: id, is_enabled: true, ...config },
  });
  expect(reply.status).toBe(200);
};

beforeAll(async () => {
  api = await startTestApi();
  hook = await startWebhookReceiver();
});
afterAll(async () => {
  await hook.close();
  await api.close();
});
beforeEach(() => hook.reset());

describe('delivering to a channel by id', () => {
  it('posts a custom webhook text as it is, with the configured headers and method', async () => {
    await createChannel('hook-1', {
      config_type: 'webhook',
      webhook: { url: hook.url('/ops?team=a'), header_params: { 'X-Token': 's3cret' }, method: 'PUT' },
    });
    const result = await notifier().deliver(
      { channelId: 'hook-1' },
      { subject: 'ISM', text: '{"index":"logs-1"}' },
    );
    expect(result).toEqual({ delivered: true, status: 200 });
    expect(hook.requests).toHaveLength(1);
    const [req] = hook.requests;
    expect(req.method).toBe('PUT');
    expect(req.path).toBe('/ops?team=a');
    expect(req.body).toBe('{"index":"logs-1"}');
    expect(req.headers['x-token']).toBe('s3cret');
  });

  it('gives a custom webhook without headers Content-Type application/json', async () => {
    await createChannel('hook-2', { config_type: 'webhook', webhook: { url: hook.url('/plain') } });
    expect((await notifier().deliver({ channelId: 'hook-2' }, { text: 'hello' })).delivered).toBe(true);
    expect(hook.requests[0]).toMatchObject({ method: 'POST', path: '/plain', body: 'hello' });
    expect(hook.requests[0].headers['content-type']).toBe('application/json');
  });

  it('sends Slack {"text"} with the subject above the text', async () => {
    await createChannel('slack-1', { config_type: 'slack', slack: { url: hook.url(SLACK_PATH) } });
    const result = await notifier().deliver(
      { channelId: 'slack-1' },
      { subject: 'Alert', text: 'rollover done' },
    );
    expect(result).toEqual({ delivered: true, status: 200 });
    expect(hook.requests[0]).toMatchObject({ method: 'POST', path: SLACK_PATH });
    expect(hook.requests[0].body).toBe('{"text":"Alert\\n\\nrollover done"}');
    expect(hook.requests[0].headers['content-type']).toBe('application/json');
  });

  it('sends Chime {"Content"} with the subject above the text', async () => {
    await createChannel('chime-1', { config_type: 'chime', chime: { url: hook.url(CHIME_PATH) } });
    const result = await notifier().deliver(
      { channelId: 'chime-1' },
      { subject: 'SM', text: 'snapshot failed' },
    );
    expect(result.delivered).toBe(true);
    expect(hook.requests[0]).toMatchObject({ path: CHIME_PATH, json: { Content: 'SM\n\nsnapshot failed' } });
  });

  it('sends Microsoft Teams {"text"} with the subject above the text', async () => {
    await createChannel('teams-1', {
      config_type: 'microsoft_teams',
      microsoft_teams: { url: hook.url(TEAMS_PATH) },
    });
    const result = await notifier().deliver(
      { channelId: 'teams-1' },
      { subject: 'ISM', text: 'policy failed' },
    );
    expect(result.delivered).toBe(true);
    expect(hook.requests[0]).toMatchObject({ path: TEAMS_PATH, json: { text: 'ISM\n\npolicy failed' } });
  });

  it('uses the channel when both a channel id and a destination are given', async () => {
    const result = await notifier().deliver(
      { channelId: 'hook-2', destination: { slack: { url: hook.url('/not-this') } } },
      { text: 'x' },
    );
    expect(result.delivered).toBe(true);
    expect(hook.requests.map((r) => r.path)).toEqual(['/plain']);
  });

  it('does not deliver to a muted channel or an unknown id, and says why', async () => {
    await createChannel('muted', {
      config_type: 'chime',
      is_enabled: false,
      chime: { url: hook.url(CHIME_PATH) },
    });
    expect(await notifier().deliver({ channelId: 'muted' }, { text: 'x' })).toEqual({
      delivered: false,
      reason: 'notification channel [muted] is muted (is_enabled is false)',
    });
    expect(await notifier().deliver({ channelId: 'nope' }, { text: 'x' })).toEqual({
      delivered: false,
      reason: 'notification channel [nope] not found',
    });
    expect(await notifier().deliver({}, { text: 'x' })).toEqual({
      delivered: false,
      reason: 'no channel id or destination given',
    });
    expect(hook.requests).toHaveLength(0);
  });

  it('reports a channel whose endpoint is down without throwing', async () => {
    const closed = await startWebhookReceiver();
    const url = closed.url('/closed');
    await closed.close();
    await createChannel('down', { config_type: 'webhook', webhook: { url } });
    const result = await notifier().deliver({ channelId: 'down' }, { text: 'x' });
    expect(result).toEqual({ delivered: false, reason: `failed to reach ${url}: ECONNREFUSED` });
  });

  it('retries a server error and delivers once the endpoint recovers', async () => {
    await createChannel('flaky', { config_type: 'webhook', webhook: { url: hook.url('/flaky') } });
    hook.respondWith(503, 'busy');
    const pending = notifier().deliver({ channelId: 'flaky' }, { text: 'retry me' });
    await hook.waitFor(1);
    hook.respondWith(200);
    expect(await pending).toEqual({ delivered: true, status: 200 });
    expect(hook.requests.length).toBeGreaterThanOrEqual(2);
    expect(hook.requests.every((r) => r.body === 'retry me')).toBe(true);
  });
});

describe('an endpoint that never answers', () => {
  it('is given up within the delivery budget, with a reason', async () => {
    const silent = http.createServer(() => undefined); // accepts, never responds
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silent.unref();
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/slow`;
    try {
      const started = Date.now();
      const result = await sendHttp(
        { kind: 'http', url, method: 'POST', headers: {}, body: 'x' },
        { retries: 5, minTimeoutMs: 10, timeoutMs: 200, totalMs: 500 },
      );
      expect(Date.now() - started).toBeLessThan(1500);
      expect(result.ok).toBe(false);
      expect(result.reason).toMatch(new RegExp(`^failed to reach ${url}: (timed out|gave up after 500 ms)$`));
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});

describe('delivering to an SNS channel', () => {
  // The SDK sends SNS's query protocol to AWS_ENDPOINT_URL_SNS: the receiver stands in for SNS.
  const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ops-alerts';
  const published = (id: string): string =>
    '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>' +
    `<MessageId>${id}</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId>` +
    '</ResponseMetadata></PublishResponse>';

  beforeAll(() => {
    process.env.AWS_ENDPOINT_URL_SNS = hook.url('/sns');
  });
  afterAll(() => {
    delete process.env.AWS_ENDPOINT_URL_SNS;
  });

  it('publishes the text to the topic, with the subject, signed for the topic region', async () => {
    await createChannel('sns-1', { config_type: 'sns', sns: { topic_arn: TOPIC } });
    hook.respondWith(200, published('m-1'), 'text/xml');
    const result = await notifier().deliver(
      { channelId: 'sns-1' },
      { subject: 'ISM', text: 'index logs-1 failed' },
    );
    expect(result).toEqual({ delivered: true, status: 200 });
    expect(hook.requests).toHaveLength(1);
    const [req] = hook.requests;
    expect(req.method).toBe('POST');
    const form = Object.fromEntries(new URLSearchParams(req.body));
    expect(form).toMatchObject({
      Action: 'Publish',
      TopicArn: TOPIC,
      Message: 'index logs-1 failed',
      Subject: 'ISM',
    });
    expect(req.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/eu-west-1\/sns\/aws4_request/,
    );
  });

  it('publishes as role_arn, with credentials from STS AssumeRole', async () => {
    const sts = await startWebhookReceiver();
    process.env.AWS_ENDPOINT_URL_STS = sts.url('/sts');
    try {
      sts.respondWith(
        200,
        '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>' +
          '<AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>' +
          '<SessionToken>role-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>' +
          '<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/publisher/s</Arn>' +
          '<AssumedRoleUserId>AROA:s</AssumedRoleUserId></AssumedRoleUser></AssumeRoleResult>' +
          '<ResponseMetadata><RequestId>r-3</RequestId></ResponseMetadata></AssumeRoleResponse>',
        'text/xml',
      );
      const role = 'arn:aws:iam::123456789012:role/publisher';
      await createChannel('sns-role', { config_type: 'sns', sns: { topic_arn: TOPIC, role_arn: role } });
      hook.respondWith(200, published('m-2'), 'text/xml');
      const result = await notifier().deliver({ channelId: 'sns-role' }, { text: 'as the role' });
      expect(result).toEqual({ delivered: true, status: 200 });
      expect(Object.fromEntries(new URLSearchParams(sts.requests[0].body))).toMatchObject({
        Action: 'AssumeRole',
        RoleArn: role,
      });
      expect(hook.requests[0].headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIAROLE\//);
      expect(hook.requests[0].headers['x-amz-security-token']).toBe('role-token');
    } finally {
      delete process.env.AWS_ENDPOINT_URL_STS;
      await sts.close();
    }
  });

  it('reports what SNS refused, without throwing', async () => {
    await createChannel('sns-2', { config_type: 'sns', sns: { topic_arn: TOPIC } });
    hook.respondWith(
      404,
      '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type>' +
        '<Code>NotFound</Code><Message>Topic does not exist</Message></Error><RequestId>r-2</RequestId></ErrorResponse>',
      'text/xml',
    );
    const result = await notifier().deliver({ channelId: 'sns-2' }, { text: 'x' });
    expect(result).toEqual({
      delivered: false,
      status: 404,
      reason: `SNS publish to ${TOPIC} failed: NotFoundException: Topic does not exist`,
    });
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
