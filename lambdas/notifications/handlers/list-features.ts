import { apiHandler } from '../../shared/http';
import { CONFIG_TYPES } from '../channel/model';

/** GET _plugins/_notifications/features: the channel types this control plane delivers to. */
export const handler = apiHandler('notifications.list_features', async () => ({
  status: 200,
  body: { allowed_config_type_list: [...CONFIG_TYPES], plugin_features: { tooltip_support: 'true' } },
}));
