import { javaHashMapOrder } from '../../../../lambdas/ism/policy/java-hash-order';
import { expectRejected, parse, policyBody } from './helpers';

const notificationOf = (en: unknown) => parse(policyBody({ error_notification: en })).error_notification;
const rejects = (en: unknown, type: string, reason: string) =>
  expectRejected(() => parse(policyBody({ error_notification: en })), type, reason);

describe('error_notification', () => {
  test('a channel with a mustache template renders as the plugin does', () => {
    expect(
      notificationOf({
        message_template: { source: 'ISM failed on {{ctx.index}}' },
        channel: { id: 'chan-1' },
      }),
    ).toEqual({
      channel: { id: 'chan-1' },
      message_template: { source: 'ISM failed on {{ctx.index}}', lang: 'mustache' },
    });
  });

  test('slack and chime destinations keep their url; params survive', () => {
    expect(
      notificationOf({
        destination: { slack: { url: 'https://hooks.slack' } },
        message_template: { source: 'x', params: { a: 1 } },
      }),
    ).toEqual({
      destination: { slack: { url: 'https://hooks.slack' } },
      message_template: { source: 'x', lang: 'mustache', params: { a: 1 } },
    });
    expect(
      notificationOf({ destination: { chime: { url: 'https://c' } }, message_template: 'm' })?.destination,
    ).toEqual({
      chime: { url: 'https://c' },
    });
  });

  test('with several destination types the plugin keeps chime, then slack, then custom_webhook', () => {
    expect(
      notificationOf({ destination: { slack: { url: 's' }, chime: { url: 'c' } }, message_template: 'm' })
        ?.destination,
    ).toEqual({ chime: { url: 'c' } });
  });

  test('a custom webhook renders every field, nulls included, in java.util.HashMap order', () => {
    const n = notificationOf({
      destination: {
        custom_webhook: { url: 'https://hook', header_params: { 'Content-Type': 'application/json' } },
      },
      message_template: 'm',
    });
    const hook = (n?.destination as unknown as { custom_webhook: Record<string, unknown> }).custom_webhook;
    expect(hook).toEqual({
      url: 'https://hook',
      scheme: null,
      host: null,
      port: -1,
      path: null,
      query_params: {},
      header_params: { 'Content-Type': 'application/json' },
      username: null,
      password: null,
    });
    expect(Object.keys(hook)).toEqual(
      javaHashMapOrder([
        'url',
        'scheme',
        'host',
        'port',
        'path',
        'query_params',
        'header_params',
        'username',
        'password',
      ]),
    );
  });

  test('java.util.HashMap order is bucket order by String.hashCode', () => {
    // "a".."c" hash to 97..99 (buckets 1..3 of 16); "Aa" and "BB" share a hash, so keep insertion order.
    expect(javaHashMapOrder(['c', 'a', 'b'])).toEqual(['a', 'b', 'c']);
    expect(javaHashMapOrder(['BB', 'Aa'])).toEqual(['BB', 'Aa']);
  });

  test.each([
    [
      { message_template: 'x' },
      'illegal_argument_exception',
      'ErrorNotification must contain a destination or channel',
    ],
    [
      { channel: { id: 'c' }, destination: { chime: { url: 'u' } }, message_template: 'x' },
      'illegal_argument_exception',
      'ErrorNotification can only contain a single destination or channel',
    ],
    [
      { channel: { id: 'c' }, message_template: { source: 'x', lang: 'painless' } },
      'illegal_argument_exception',
      'ErrorNotification message template must be a mustache script',
    ],
    [
      { channel: { id: 'c' }, message_template: { id: 'stored' } },
      'illegal_argument_exception',
      'ErrorNotification message template must be a mustache script',
    ],
    [{ channel: { id: 'c' } }, 'illegal_argument_exception', 'ErrorNotification message template is null'],
    [
      { channel: { id: 'c' }, message_template: 'x', to: 'me' },
      'illegal_argument_exception',
      'Invalid field: [to] found in ErrorNotification.',
    ],
    [
      { channel: { id: '' }, message_template: 'x' },
      'illegal_argument_exception',
      'Channel ID cannot be empty',
    ],
    [{ channel: {}, message_template: 'x' }, 'illegal_argument_exception', 'Channel ID is null'],
    [
      { channel: { id: 'c', name: 'n' }, message_template: 'x' },
      'illegal_state_exception',
      'Unexpected field: name, while parsing Channel destination',
    ],
    [
      { destination: {}, message_template: 'x' },
      'illegal_argument_exception',
      'Must specify a destination type',
    ],
    [
      { destination: { email: {} }, message_template: 'x' },
      'illegal_argument_exception',
      'Invalid field: [email] found in Destination.',
    ],
    [
      { destination: { slack: {} }, message_template: 'x' },
      'illegal_argument_exception',
      'URL is null or empty',
    ],
    [
      { destination: { slack: { url: 'u', channel: 'c' } }, message_template: 'x' },
      'illegal_state_exception',
      'Unexpected field: channel, while parsing Slack destination',
    ],
    [
      { destination: { custom_webhook: { port: 80 } }, message_template: 'x' },
      'illegal_argument_exception',
      'Url or Host name must be provided.',
    ],
    [
      { destination: { custom_webhook: { url: 'u', method: 'POST' } }, message_template: 'x' },
      'illegal_state_exception',
      'Unexpected field: method, while parsing custom webhook destination',
    ],
    [
      { channel: { id: 'c' }, message_template: 5 },
      'x_content_parse_exception',
      '[script] Expected START_OBJECT but was: VALUE_NUMBER',
    ],
    [
      { channel: { id: 'c' }, message_template: { source: 'x', foo: 1 } },
      'x_content_parse_exception',
      '[script] unknown field [foo]',
    ],
    [
      { channel: { id: 'c' }, message_template: {} },
      'illegal_argument_exception',
      'must specify either [source] for an inline script or [id] for a stored script',
    ],
    [
      { channel: { id: 'c' }, message_template: { id: 'a', lang: 'mustache' } },
      'illegal_argument_exception',
      'lang cannot be specified for stored scripts',
    ],
    [
      { channel: { id: 'c' }, message_template: { source: 'a', options: { x: 'y' } } },
      'illegal_argument_exception',
      'illegal compiler options [{x=y}] specified',
    ],
  ])('%j is rejected with %s', (en, type, reason) => rejects(en, type, reason));

  test('both source and id is an x_content_parse_exception caused by the illegal argument', () => {
    rejects(
      { channel: { id: 'c' }, message_template: { source: 'a', id: 'b' } },
      'x_content_parse_exception',
      '[script] failed to parse field [id]',
    );
  });
});
