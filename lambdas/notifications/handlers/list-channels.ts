import { apiHandler } from '../../shared/http';
import { CONFIG_TYPES } from '../channel/model';
import { channelService } from '../deps';

/** GET _plugins/_notifications/channels: every channel, named and typed, for pickers (the plugin's getChannelList). */
export const handler = apiHandler('notifications.list_channels', async () => {
  const result = await channelService().list({ config_type: CONFIG_TYPES.join(',') });
  return {
    status: 200,
    body: {
      start_index: result.start_index,
      total_hits: result.total_hits,
      total_hit_relation: result.total_hit_relation,
      channel_list: result.config_list.map(({ config_id, config }) => ({
        config_id,
        name: config.name,
        description: config.description,
        config_type: config.config_type,
        is_enabled: config.is_enabled,
      })),
    },
  };
});
