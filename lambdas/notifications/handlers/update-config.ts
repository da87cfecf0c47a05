import { apiHandler } from '../../shared/http';
import { parseConfigRequest, validateId } from '../channel/parse';
import { channelService } from '../deps';

/** PUT _plugins/_notifications/configs/<config_id>: replaces the config; its type can't change. */
export const handler = apiHandler('notifications.update_config', async ({ pathParams, body }) => {
  const id = pathParams.config_id;
  validateId(id);
  const { config } = parseConfigRequest(body);
  return { status: 200, body: { config_id: await channelService().update(id, config) } };
});
