import { apiHandler } from '../../shared/http';
import { transformService } from '../deps';
import { transformWithMetadata } from '../transform-response';

/** GET _plugins/_transform/<id> */
export const handler = apiHandler('transforms.get', async ({ pathParams }) => ({
  status: 200,
  body: transformWithMetadata(await transformService().get(pathParams.id)),
}));
