import { apiHandler } from '../../shared/http';
import { channelService } from '../deps';
import { idsParam } from './ids';

/** GET _plugins/_notifications/configs: by config_id/config_id_list, else filtered, sorted and paged. */
export const handler = apiHandler('notifications.get_configs', async ({ query }) => {
  const ids = idsParam(query);
  return {
    status: 200,
    body: ids.length > 0 ? await channelService().get(ids) : await channelService().list(query),
  };
});
