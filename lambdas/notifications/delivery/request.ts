import type { ChannelConfig, WebhookMethod } from '../channel/model';

/**
 * What a delivery sends, built without sending anything, so the exact request is unit-testable.
 * Bodies follow the Notifications plugin's DestinationHttpClient (channels) and common-utils'
 * legacy messages (ISM's inline `destination`).
 */
export interface HttpDelivery {
  kind: 'http';
  url: string;
  method: WebhookMethod;
  headers: Record<string, string>;
  body: string;
}

export interface SnsDelivery {
  kind: 'sns';
  topicArn: string;
  roleArn?: string;
  subject?: string;
  message: string;
}

export type Delivery = HttpDelivery | SnsDelivery;

/** ISM's legacy inline destinations (nulls as ISM's parsed policy model keeps them). */
export interface LegacyCustomWebhook {
  url?: string | null;
  scheme?: string | null;
  host?: string | null;
  port?: number | null;
  path?: string | null;
  query_params?: Record<string, string> | null;
  header_params?: Record<string, string> | null;
  username?: string | null;
  password?: string | null;
}

export interface LegacyDestination {
  slack?: { url: string };
  chime?: { url: string };
  custom_webhook?: LegacyCustomWebhook;
}

export interface MessageParts {
  subject?: string;
  text: string;
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** Slack, Chime and Teams show a channel message as "subject, blank line, text" (buildMessageWithTitle). */
const withTitle = (message: MessageParts): string =>
  message.subject ? `${message.subject}\n\n${message.text}` : message.text;

/** The request a channel configuration sends; a reason string when the channel can't be used. */
export const channelDelivery = (config: ChannelConfig, message: MessageParts): Delivery | string => {
  switch (config.config_type) {
    case 'slack':
      if (!config.slack) return 'slack channel has no slack.url';
      return post(config.slack.url, { text: withTitle(message) });
    case 'chime':
      if (!config.chime) return 'chime channel has no chime.url';
      return post(config.chime.url, { Content: withTitle(message) });
    case 'microsoft_teams':
      if (!config.microsoft_teams) return 'microsoft_teams channel has no microsoft_teams.url';
      return post(config.microsoft_teams.url, { text: withTitle(message) });
    case 'webhook': {
      const hook = config.webhook;
      if (!hook) return 'webhook channel has no webhook.url';
      const headers = Object.keys(hook.header_params ?? {}).length > 0 ? hook.header_params : JSON_HEADERS;
      // A custom webhook gets the text as it is: it may be JSON or plain text.
      return {
        kind: 'http',
        url: hook.url,
        method: hook.method ?? 'POST',
        headers: { ...headers },
        body: message.text,
      };
    }
    case 'sns':
      if (!config.sns) return 'sns channel has no sns.topic_arn';
      return {
        kind: 'sns',
        topicArn: config.sns.topic_arn,
        roleArn: config.sns.role_arn,
        subject: message.subject,
        message: message.text,
      };
    default:
      return `channel type [${String((config as { config_type: unknown }).config_type)}] is not supported`;
  }
};

/** The request a legacy destination sends; legacy messages carry no subject line. */
export const legacyDelivery = (destination: LegacyDestination, message: MessageParts): Delivery | string => {
  // Destination.parse keeps the first present of chime, slack, custom_webhook.
  if (destination.chime) return post(destination.chime.url, { Content: message.text });
  if (destination.slack) return post(destination.slack.url, { text: message.text });
  const hook = destination.custom_webhook;
  if (hook) {
    const url = legacyWebhookUrl(hook);
    if (typeof url !== 'string') return url.reason;
    const params = hook.header_params ?? {};
    const headers = Object.keys(params).length > 0 ? { ...params } : { ...JSON_HEADERS };
    return { kind: 'http', url, method: 'POST', headers, body: message.text };
  }
  return 'destination has none of chime, slack, custom_webhook';
};

/**
 * LegacyCustomWebhookMessage's URI: `url` as given, else built from scheme (default https),
 * host, port (-1 = none), path and query_params.
 */
export const legacyWebhookUrl = (hook: LegacyCustomWebhook): string | { reason: string } => {
  try {
    if (hook.url) {
      new URL(hook.url); // only checks it: the URL is sent as the user wrote it
      return hook.url;
    }
    if (!hook.host) return { reason: 'custom webhook has neither url nor host' };
    const url = new URL(`${hook.scheme || 'https'}://${hook.host}`);
    if (hook.port !== undefined && hook.port !== null && hook.port >= 0) url.port = String(hook.port);
    if (hook.path) url.pathname = hook.path.startsWith('/') ? hook.path : `/${hook.path}`;
    for (const [k, v] of Object.entries(hook.query_params ?? {})) url.searchParams.append(k, v);
    return url.toString();
  } catch {
    return { reason: `custom webhook url is invalid: ${hook.url ?? hook.host}` };
  }
};

const post = (url: string, payload: Record<string, string>): HttpDelivery => ({
  kind: 'http',
  url,
  method: 'POST',
  headers: { ...JSON_HEADERS },
  body: JSON.stringify(payload),
});
