import { DocumentStore } from '../shared/document-store';
import { documentClient, tableName } from '../shared/dynamo';
import { logger } from '../shared/logger';
import { CONFIG_INDEX, CONFIG_NAMESPACE, type ChannelDocument } from './channel/model';
import { channelDelivery, legacyDelivery, type LegacyDestination } from './delivery/request';
import { send, type Sender } from './delivery/transport';

export type { LegacyCustomWebhook, LegacyDestination } from './delivery/request';
export { renderTemplate } from './template';

/**
 * Where ISM (error_notification, the `notification` action) and SM (policy notifications)
 * send messages: a Notifications channel by id, or ISM's legacy inline destination. When both
 * are given the channel is used.
 */
export interface NotificationTarget {
  channelId?: string;
  destination?: LegacyDestination;
}

export interface NotificationMessage {
  /** The title: Slack and Chime channels show it above the text, SNS uses it as Subject. */
  subject?: string;
  text: string;
}

/** Never an exception: `reason` says why a message was not delivered, for explain/info. */
export interface DeliveryResult {
  delivered: boolean;
  /** The HTTP status the endpoint (or SNS) answered, when it answered. */
  status?: number;
  reason?: string;
}

export interface Notifier {
  deliver(target: NotificationTarget, message: NotificationMessage): Promise<DeliveryResult>;
}

/** Reads channel configurations; the DocumentStore in production. */
export interface ChannelLookup {
  get(id: string): Promise<{ source: ChannelDocument } | undefined>;
}

export class ChannelNotifier implements Notifier {
  constructor(
    private readonly channels: ChannelLookup,
    private readonly sender: Sender = send,
  ) {}

  async deliver(target: NotificationTarget, message: NotificationMessage): Promise<DeliveryResult> {
    try {
      const delivery = target.channelId
        ? await this.channelDeliveryOf(target.channelId, message)
        : target.destination
          ? legacyDelivery(target.destination, message)
          : 'no channel id or destination given';
      if (typeof delivery === 'string') return { delivered: false, reason: delivery };
      const result = await this.sender(delivery);
      return result.ok
        ? { delivered: true, status: result.status }
        : { delivered: false, status: result.status, reason: result.reason };
    } catch (e) {
      // A store outage must not fail the caller's step: it is reported like any failed delivery.
      logger.warn('notification delivery failed', e as Error);
      return { delivered: false, reason: `notification failed: ${(e as Error).message}` };
    }
  }

  private async channelDeliveryOf(id: string, message: NotificationMessage) {
    const doc = await this.channels.get(id);
    if (!doc) return `notification channel [${id}] not found`;
    const { config } = doc.source;
    if (!config.is_enabled) return `notification channel [${id}] is muted (is_enabled is false)`;
    return channelDelivery(config, message);
  }
}

export const channelStore = (): DocumentStore<ChannelDocument> =>
  new DocumentStore<ChannelDocument>(documentClient(), tableName(), CONFIG_NAMESPACE, CONFIG_INDEX);

let instance: Notifier | undefined;

/** The notifier wired to the control plane's table (TABLE_NAME); built once per container. */
export const notifier = (): Notifier => (instance ??= new ChannelNotifier(channelStore()));
