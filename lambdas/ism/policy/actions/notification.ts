import type { ChannelRef, Destination, NotificationConfig } from '../model';
import { buildNotification, parseChannel, parseDestination } from '../notification';
import { parseScript, type ParsedScript } from '../script';
import { fields, invalidField, required } from '../../../shared/xcontent';

/** NotificationActionParser.kt: exactly one of destination | channel, plus a mustache message_template. */
export const parseNotificationAction = (value: unknown): NotificationConfig => {
  let destination: Destination | undefined;
  let channel: ChannelRef | undefined;
  let template: ParsedScript | undefined;
  for (const [field, v] of fields(value)) {
    switch (field) {
      case 'destination':
        destination = parseDestination(v);
        break;
      case 'channel':
        channel = parseChannel(v);
        break;
      case 'message_template':
        template = parseScript(v);
        break;
      default:
        throw invalidField(field, 'NotificationAction');
    }
  }
  return buildNotification(
    destination,
    channel,
    required(template, 'NotificationAction message template is null'),
    {
      subject: 'Notification',
    },
  );
};
