import { apiHandler } from '../../shared/http';
import { transformService } from '../deps';

/** POST _plugins/_transform/<id>/_start */
export const handler = apiHandler('transforms.start', async ({ pathParams }) => ({
  status: 200,
  body: { acknowledged: await transformService().start(pathParams.id) },
}));
