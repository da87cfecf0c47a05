import { apiHandler } from '../../shared/http';
import { channelService } from '../deps';

/** DELETE _plugins/_notifications/configs/<config_id> → {"delete_response_list":{"<id>":"OK"}}. */
export const handler = apiHandler('notifications.delete_config', async ({ pathParams }) => ({
  status: 200,
  body: await channelService().delete([pathParams.config_id]),
}));
