import { apiHandler } from '../../shared/http';
import { channelService } from '../deps';

/** GET _plugins/_notifications/configs/<config_id>: a one-item search result. */
export const handler = apiHandler('notifications.get_config', async ({ pathParams }) => ({
  status: 200,
  body: await channelService().get([pathParams.config_id]),
}));
