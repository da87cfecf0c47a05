import { apiHandler } from '../../shared/http';
import { transformService } from '../deps';

/** HEAD _plugins/_transform/<id>: 200 or 404, never a body. */
export const handler = apiHandler('transforms.exists', async ({ pathParams }) => ({
  status: (await transformService().exists(pathParams.id)) ? 200 : 404,
}));
