import {
  channelDelivery,
  legacyDelivery,
  legacyWebhookUrl,
} from '../../../lambdas/notifications/delivery/request';
import { snsPublishInput, topicRegion } from '../../../lambdas/notifications/delivery/transport';
import type { LegacyDestination } from '../../../lambdas/notifications/notifier';
import { renderTemplate } from '../../../lambdas/notifications/template';
import type { Destination } from '../../../lambdas/ism/policy/model';

describe('the request a channel sends', () => {
  it('an SNS channel publishes the text to its topic with the subject, trimmed to what SNS accepts', () => {
    const delivery = channelDelivery(
      {
        name: 'sns',
        description: '',
        config_type: 'sns',
        is_enabled: true,
        sns: {
          topic_arn: 'arn:aws:sns:eu-west-1:123456789012:ops',
          role_arn: 'arn:aws:iam::123456789012:role/pub',
        },
      },
      { subject: `Snapshot\nfailed ${'x'.repeat(200)}`, text: 'snapshot of daily failed' },
    );
    expect(delivery).toMatchObject({ kind: 'sns', roleArn: 'arn:aws:iam::123456789012:role/pub' });
    if (typeof delivery === 'string' || delivery.kind !== 'sns') throw new Error('expected SNS');
    const input = snsPublishInput(delivery);
    expect(input.TopicArn).toBe('arn:aws:sns:eu-west-1:123456789012:ops');
    expect(input.Message).toBe('snapshot of daily failed');
    expect(input.Subject).toHaveLength(100);
    expect(input.Subject?.startsWith('Snapshot failed x')).toBe(true);
    expect(topicRegion('arn:aws:sns:eu-west-1:123456789012:ops')).toBe('eu-west-1');
    expect(topicRegion('not-an-arn')).toBeUndefined();
  });

  it('a webhook without headers gets Content-Type application/json and POST', () => {
    const delivery = channelDelivery(
      {
        name: 'w',
        description: '',
        config_type: 'webhook',
        is_enabled: true,
        webhook: { url: 'https://example.com/h', header_params: {}, method: 'POST' },
      },
      { text: '{"a":1}' },
    );
    expect(delivery).toEqual({
      kind: 'http',
      url: 'https://example.com/h',
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"a":1}',
    });
  });
});

describe('legacy destinations', () => {
  it("accept ISM's parsed policy destinations as they are (nulls and port -1 included)", () => {
    const parsed: Destination = {
      custom_webhook: {
        url: null,
        scheme: 'https',
        host: 'hooks.example.com',
        port: -1,
        path: 'ism',
        query_params: {},
        header_params: {},
        username: null,
        password: null,
      },
    };
    const destination: LegacyDestination = parsed; // compiles: no mapping needed in ISM
    expect(legacyDelivery(destination, { text: 't' })).toMatchObject({
      url: 'https://hooks.example.com/ism',
    });
  });

  it('chime wins over slack, as Destination.parse keeps the first present', () => {
    const d = legacyDelivery({ slack: { url: 'https://s' }, chime: { url: 'https://c' } }, { text: 't' });
    expect(d).toMatchObject({ url: 'https://c', body: '{"Content":"t"}' });
  });

  it('a custom webhook URL defaults to https and no port', () => {
    expect(legacyWebhookUrl({ host: 'hooks.example.com', port: -1, path: '/a b' })).toBe(
      'https://hooks.example.com/a%20b',
    );
    expect(legacyWebhookUrl({ url: 'not a url' })).toEqual({
      reason: 'custom webhook url is invalid: not a url',
    });
  });
});

describe('renderTemplate', () => {
  it('renders mustache with JSON escaping, as OpenSearch does for string templates', () => {
    expect(
      renderTemplate('Index {{ctx.index}} said "{{ctx.msg}}"', {
        ctx: { index: 'logs-1', msg: 'a "b"\n<c>' },
      }),
    ).toBe('Index logs-1 said "a \\"b\\"\\n<c>"');
    expect(renderTemplate('{{{ctx.msg}}}', { ctx: { msg: 'a "b"' } })).toBe('a "b"');
  });

  it('names a malformed template', () => {
    expect(() => renderTemplate('{{#ctx}}open', {})).toThrow(
      /invalid mustache template: Unclosed section "ctx"/,
    );
  });
});
