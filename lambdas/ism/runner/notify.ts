import {
  renderTemplate,
  type LegacyDestination,
  type Notifier as Delivery,
} from '../../notifications/notifier';
import type { ChannelRef, Destination } from '../policy/model';
import type { Notifier } from './step';

/**
 * ISM's notifier over the control plane's notifications module: a channel id (`{"channel":
 * {"id"}}`, configured with `_plugins/_notifications/configs`) or a legacy inline destination
 * (Slack, Chime, custom webhook); templates rendered as OpenSearch renders mustache.
 */
export const ismNotifier = (delivery: Delivery): Notifier => ({
  render: (template, ctx) => renderTemplate(template, { ctx }),
  async send(target, subject, message) {
    const t = target as Destination | ChannelRef | undefined;
    if (!t) throw new Error('Notification must contain a destination or channel');
    const result = await delivery.deliver(
      'id' in t ? { channelId: t.id } : { destination: t satisfies LegacyDestination },
      { subject, text: message },
    );
    if (!result.delivered) throw new Error(result.reason ?? 'the notification was not delivered');
  },
});
