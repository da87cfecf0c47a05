import { apiHandler } from '../../shared/http';
import { channelService } from '../deps';
import { notifier } from '../notifier';

/**
 * POST (or the deprecated GET) _plugins/_notifications/feature/test/<config_id>: sends the
 * plugin's test message and answers with the event and its delivery status.
 */
export const handler = apiHandler('notifications.send_test', async ({ pathParams }) => {
  const id = pathParams.config_id;
  const { config } = await channelService().channel(id);
  const title = `Test Message Title-${id}`;
  const result = await notifier().deliver(
    { channelId: id },
    { subject: title, text: `Test message content body for config id ${id}` },
  );
  const statusCode = result.delivered
    ? (result.status ?? 200)
    : (result.status ?? (config.is_enabled ? 500 : 423));
  return {
    status: 200,
    body: {
      event_source: { title, reference_id: id, severity: 'info', tags: [] },
      status_list: [
        {
          config_id: id,
          config_type: config.config_type,
          config_name: config.name,
          email_recipient_status: [],
          delivery_status: {
            status_code: String(statusCode),
            status_text: result.delivered ? 'Success' : (result.reason ?? 'Failed'),
          },
        },
      ],
    },
  };
});
