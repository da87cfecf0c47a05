/**
 * A Notifications-plugin channel configuration (`_plugins/_notifications/configs`), the subset
 * this control plane delivers to: Slack, Chime, Microsoft Teams, custom webhook and Amazon SNS.
 */
export const CONFIG_TYPES = ['slack', 'chime', 'microsoft_teams', 'webhook', 'sns'] as const;
export type ConfigType = (typeof CONFIG_TYPES)[number];

export const WEBHOOK_METHODS = ['POST', 'PUT', 'PATCH'] as const;
export type WebhookMethod = (typeof WEBHOOK_METHODS)[number];

export interface SlackConfig {
  url: string;
}
export interface ChimeConfig {
  url: string;
}
export interface MicrosoftTeamsConfig {
  url: string;
}
export interface WebhookConfig {
  url: string;
  header_params: Record<string, string>;
  method: WebhookMethod;
}
export interface SnsConfig {
  topic_arn: string;
  role_arn?: string;
}

export interface ChannelConfig {
  name: string;
  description: string;
  config_type: ConfigType;
  is_enabled: boolean;
  slack?: SlackConfig;
  chime?: ChimeConfig;
  microsoft_teams?: MicrosoftTeamsConfig;
  webhook?: WebhookConfig;
  sns?: SnsConfig;
}

/** The stored document: the plugin's NotificationConfigDoc (metadata + config). */
export interface ChannelDocument {
  config_id: string;
  created_time_ms: number;
  last_updated_time_ms: number;
  config: ChannelConfig;
}

/** The DocumentStore namespace and the index the plugin keeps these documents in. */
export const CONFIG_NAMESPACE = 'notifications-config';
export const CONFIG_INDEX = '.opensearch-notifications-config';
