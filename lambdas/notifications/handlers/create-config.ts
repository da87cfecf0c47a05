import { apiHandler } from '../../shared/http';
import { parseConfigRequest } from '../channel/parse';
import { channelService } from '../deps';

/** POST _plugins/_notifications/configs: {"config_id"?, "config": {...}} → {"config_id"}. */
export const handler = apiHandler('notifications.create_config', async ({ body }) => {
  const { configId, config } = parseConfigRequest(body);
  return { status: 200, body: { config_id: await channelService().create(configId, config) } };
});
