import { apiHandler } from '../../shared/http';
import { transformService } from '../deps';

/** POST _plugins/_transform/<id>/_stop */
export const handler = apiHandler('transforms.stop', async ({ pathParams }) => ({
  status: 200,
  body: { acknowledged: await transformService().stop(pathParams.id) },
}));
