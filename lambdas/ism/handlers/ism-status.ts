import { apiHandler } from '../../shared/http';
import { ismSwitch } from '../managed-deps';

/** GET _plugins/_ism/status: whether ISM runs in this deployment. */
export const handler = apiHandler('ism.status', async () => ({
  status: 200,
  body: { enabled: await ismSwitch().enabled() },
}));
