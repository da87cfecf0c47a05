import { illegalArgument } from '../../shared/errors';
import { inJavaHashMapOrder } from './java-hash-order';
import type { ChannelRef, CustomWebhook, Destination, ErrorNotification, MessageTemplate } from './model';
import { isMustache, parseScript, renderMustache, type ParsedScript } from './script';
import {
  check,
  fields,
  illegalState,
  intValue,
  invalidField,
  mapStrings,
  required,
  text,
  textOrNull,
} from '../../shared/xcontent';

/**
 * Where ISM sends messages: a Notifications-plugin `channel` or a legacy `destination`
 * (Destination.kt, Slack/Chime/CustomWebhook.kt, Channel.kt), shared by the notification action
 * and the policy's error_notification. Unknown keys inside these objects are an
 * IllegalStateException (a 500) in the plugin; 400 here.
 */

const parseUrlOnly = (value: unknown, kind: 'Slack' | 'Chime'): { url: string } => {
  let url: string | null = null;
  for (const [field, v] of fields(value)) {
    if (field !== 'url') throw illegalState(`Unexpected field: ${field}, while parsing ${kind} destination`);
    url = text(v);
  }
  return { url: required(url, 'URL is null or empty') };
};

const parseCustomWebhook = (value: unknown): CustomWebhook => {
  const hook: CustomWebhook = {
    url: null,
    scheme: null,
    host: null,
    port: -1,
    path: null,
    query_params: {},
    header_params: {},
    username: null,
    password: null,
  };
  for (const [field, v] of fields(value)) {
    switch (field) {
      case 'url':
      case 'scheme':
      case 'host':
      case 'path':
      case 'username':
      case 'password':
        hook[field] = textOrNull(v);
        break;
      case 'port':
        hook.port = intValue(v);
        break;
      case 'query_params':
      case 'header_params':
        hook[field] = inJavaHashMapOrder(mapStrings(v));
        break;
      default:
        throw illegalState(`Unexpected field: ${field}, while parsing custom webhook destination`);
    }
  }
  check(!!hook.url || !!hook.host, 'Url or Host name must be provided.');
  // The plugin renders this object through a java.util.HashMap, nulls included.
  return inJavaHashMapOrder(hook);
};

/** Destination.parse: the first present of chime, slack, custom_webhook is the one kept. */
export const parseDestination = (value: unknown): Destination => {
  let chime: { url: string } | undefined;
  let slack: { url: string } | undefined;
  let customWebhook: CustomWebhook | undefined;
  for (const [field, v] of fields(value)) {
    switch (field) {
      case 'chime':
        chime = parseUrlOnly(v, 'Chime');
        break;
      case 'slack':
        slack = parseUrlOnly(v, 'Slack');
        break;
      case 'custom_webhook':
        customWebhook = parseCustomWebhook(v);
        break;
      default:
        throw invalidField(field, 'Destination');
    }
  }
  if (chime) return { chime };
  if (slack) return { slack };
  if (customWebhook) return { custom_webhook: customWebhook };
  throw illegalArgument('Must specify a destination type');
};

export const parseChannel = (value: unknown): ChannelRef => {
  let id: string | null = null;
  for (const [field, v] of fields(value)) {
    if (field !== 'id') throw illegalState(`Unexpected field: ${field}, while parsing Channel destination`);
    id = text(v);
  }
  const channelId = required(id, 'Channel ID is null');
  check(channelId.length > 0, 'Channel ID cannot be empty');
  return { id: channelId };
};

/** The checks ErrorNotification and NotificationAction share, each with its own wording. */
export const buildNotification = (
  destination: Destination | undefined,
  channel: ChannelRef | undefined,
  template: ParsedScript,
  names: { subject: string },
): { destination?: Destination; channel?: ChannelRef; message_template: MessageTemplate } => {
  check(
    destination !== undefined || channel !== undefined,
    `${names.subject} must contain a destination or channel`,
  );
  check(
    destination === undefined || channel === undefined,
    `${names.subject} can only contain a single destination or channel`,
  );
  check(isMustache(template), `${names.subject} message template must be a mustache script`);
  const message_template = renderMustache(template);
  // Key order as rendered: destination or channel, then message_template.
  return destination ? { destination, message_template } : { channel, message_template };
};

/** ErrorNotification.kt; destination and channel may be explicitly null. */
export const parseErrorNotification = (value: unknown): ErrorNotification => {
  let destination: Destination | undefined;
  let channel: ChannelRef | undefined;
  let template: ParsedScript | undefined;
  for (const [field, v] of fields(value)) {
    switch (field) {
      case 'destination':
        destination = v === null ? undefined : parseDestination(v);
        break;
      case 'channel':
        channel = v === null ? undefined : parseChannel(v);
        break;
      case 'message_template':
        template = parseScript(v);
        break;
      default:
        throw invalidField(field, 'ErrorNotification');
    }
  }
  return buildNotification(
    destination,
    channel,
    required(template, 'ErrorNotification message template is null'),
    {
      subject: 'ErrorNotification',
    },
  );
};
