import { illegalArgument, parseException, statusException } from '../../shared/errors';
import { booleanValue, expectObject, fields, mapStrings, text, textOrNull } from '../../shared/xcontent';
import {
  CONFIG_TYPES,
  WEBHOOK_METHODS,
  type ChannelConfig,
  type ConfigType,
  type SnsConfig,
  type WebhookConfig,
  type WebhookMethod,
} from './model';

/**
 * Reading `_plugins/_notifications/configs` request bodies as common-utils does
 * (CreateNotificationConfigRequest, NotificationConfig, Slack/Chime/Webhook/Sns.parse) and the
 * plugin's ConfigIndexingActions checks: unknown fields are skipped, a bad value is a 400
 * illegal_argument_exception with the plugin's reason.
 */

/** Every type the plugin knows; only {@link CONFIG_TYPES} can be delivered to here. */
const PLUGIN_TYPES = [...CONFIG_TYPES, 'email', 'email_group', 'smtp_account', 'ses_account'];

// Base64 characters plus _ and -, as validateId allows (UUIDs and generated ids).
const VALID_ID = /^[A-Za-z0-9+/_-]+$/;
const SNS_TOPIC_ARN = /^arn:aws(-[^:]+)?:sns:([a-zA-Z0-9-]+):([0-9]{12}):([a-zA-Z_0-9+=,.@\-_/]+)$/;
const IAM_ROLE_ARN = /^arn:aws(-[^:]+)?:iam::([0-9]{12}):([a-zA-Z_0-9+=,.@\-_/]+)$/;
// ConfigIndexingActions checks these with `contains`, not a full match.
const SLACK_URL = /https:\/\/hooks\.(?:gov-)?slack\.com\/services/;
const TEAMS_URL = /https:\/\/.*\.webhook\.office\.com/;
const CHIME_URL = /https:\/\/hooks\.chime\.aws\/incomingwebhooks\/.*\?token=/;

export interface ConfigRequest {
  configId?: string;
  config: ChannelConfig;
}

export const validateId = (id: string): void => {
  if (id.trim() === '' || !VALID_ID.test(id)) {
    const bad = [...id].filter((c) => !/[A-Za-z0-9+/_-]/.test(c)).join('');
    throw illegalArgument(`Invalid characters in id : ${bad}`);
  }
};

/** CreateNotificationConfigRequest.parse / UpdateNotificationConfigRequest.parse. */
export const parseConfigRequest = (body: unknown): ConfigRequest => {
  if (body === undefined) throw parseException('request body is required');
  let configId: string | undefined;
  let config: ChannelConfig | undefined;
  for (const [field, value] of fields(body)) {
    if (field === 'config_id') configId = textOrNull(value) ?? undefined;
    else if (field === 'config') config = parseConfig(value);
  }
  if (!config) throw illegalArgument('config field absent');
  if (configId !== undefined) validateId(configId);
  return { configId, config };
};

type ConfigData = { type: ConfigType; data: ChannelConfig[ConfigType] };

const parseConfig = (value: unknown): ChannelConfig => {
  let name: string | undefined;
  let description = '';
  let configType: string | undefined;
  let isEnabled = true;
  let data: ConfigData | undefined;
  for (const [field, v] of fields(value)) {
    switch (field) {
      case 'name':
        name = text(v);
        break;
      case 'description':
        description = text(v);
        break;
      case 'config_type':
        configType = text(v);
        break;
      case 'is_enabled':
        isEnabled = booleanValue(v);
        break;
      default:
        // The first object named after a config type is the data; anything else is skipped.
        if (!data && (CONFIG_TYPES as readonly string[]).includes(field)) {
          data = { type: field as ConfigType, data: parseData(field as ConfigType, v) };
        }
    }
  }
  if (name === undefined) throw illegalArgument('name field absent');
  if (configType === undefined) throw illegalArgument('config_type field absent');
  if (name === '') throw illegalArgument('name is null or empty');
  if (!PLUGIN_TYPES.includes(configType)) {
    throw statusException(
      406,
      `NotificationConfig with type NONE is not acceptable: unknown config_type [${configType}], expected one of [${PLUGIN_TYPES.join(', ')}]`,
    );
  }
  if (!(CONFIG_TYPES as readonly string[]).includes(configType)) {
    throw illegalArgument(
      `config_type [${configType}] is not supported by this control plane; use one of [${CONFIG_TYPES.join(', ')}]`,
    );
  }
  const type = configType as ConfigType;
  if (data?.type !== type) throw illegalArgument(`ConfigType: ${type} and data doesn't match`);
  const config: ChannelConfig = { name, description, config_type: type, is_enabled: isEnabled };
  return { ...config, [type]: data.data };
};

const parseData = (type: ConfigType, value: unknown): ChannelConfig[ConfigType] => {
  switch (type) {
    case 'slack': {
      const url = checkedUrl(urlOf(value));
      if (!SLACK_URL.test(url)) {
        throw illegalArgument(
          'Wrong Slack url. Should contain "hooks.slack.com/services/" or "hooks.gov-slack.com/services/"',
        );
      }
      return { url };
    }
    case 'chime': {
      const url = checkedUrl(urlOf(value));
      if (!CHIME_URL.test(url)) {
        throw illegalArgument(
          'Wrong Chime url. Should contain "hooks.chime.aws/incomingwebhooks/" and "?token="',
        );
      }
      return { url };
    }
    case 'microsoft_teams': {
      const url = checkedUrl(urlOf(value));
      if (!TEAMS_URL.test(url))
        throw illegalArgument('Wrong Microsoft Teams url. Should contain "webhook.office.com"');
      return { url };
    }
    case 'webhook':
      return parseWebhook(value);
    case 'sns':
      return parseSns(value);
  }
};

const urlOf = (value: unknown): string => {
  let url: string | null = null;
  for (const [field, v] of fields(value)) if (field === 'url') url = text(v);
  if (url === null) throw illegalArgument('url field absent');
  return url;
};

/** validateUrl: an http or https URL. */
const checkedUrl = (url: string): string => {
  if (url === '') throw illegalArgument('URL is null or empty');
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw illegalArgument('Invalid URL or unsupported');
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw illegalArgument('Invalid URL or unsupported');
  return url;
};

const parseWebhook = (value: unknown): WebhookConfig => {
  let url: string | null = null;
  let headerParams: Record<string, string> = {};
  let method: WebhookMethod = 'POST';
  for (const [field, v] of fields(value)) {
    if (field === 'url') url = text(v);
    else if (field === 'header_params') headerParams = mapStrings(v);
    // HttpMethodType.fromTagOrDefault: anything but PUT or PATCH is POST.
    else if (field === 'method')
      method = (WEBHOOK_METHODS as readonly string[]).includes(text(v)) ? (text(v) as WebhookMethod) : 'POST';
  }
  if (url === null) throw illegalArgument('url field absent');
  return { url: checkedUrl(url), header_params: headerParams, method };
};

const parseSns = (value: unknown): SnsConfig => {
  let topicArn: string | null = null;
  let roleArn: string | null = null;
  for (const [field, v] of fields(expectObject(value))) {
    if (field === 'topic_arn') topicArn = textOrNull(v);
    else if (field === 'role_arn') roleArn = textOrNull(v);
  }
  if (topicArn === null) throw illegalArgument('topic_arn field absent');
  if (!SNS_TOPIC_ARN.test(topicArn)) throw illegalArgument(`Invalid AWS SNS topic ARN: ${topicArn}`);
  if (roleArn !== null && !IAM_ROLE_ARN.test(roleArn))
    throw illegalArgument(`Invalid AWS role ARN: ${roleArn} `);
  return roleArn === null ? { topic_arn: topicArn } : { topic_arn: topicArn, role_arn: roleArn };
};
