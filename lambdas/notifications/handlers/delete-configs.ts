import { illegalArgument } from '../../shared/errors';
import { apiHandler } from '../../shared/http';
import { channelService } from '../deps';
import { idsParam } from './ids';

/** DELETE _plugins/_notifications/configs?config_id_list=a,b: all of them, or none if one is missing. */
export const handler = apiHandler('notifications.delete_configs', async ({ query }) => {
  const ids = idsParam(query);
  if (ids.length === 0) throw illegalArgument('either config_id or config_id_list is required');
  return { status: 200, body: await channelService().delete(ids) };
});
