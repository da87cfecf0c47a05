import { apiHandler } from '../../shared/http';
import { boolParam } from '../../shared/params';
import { transformService } from '../deps';

/**
 * DELETE _plugins/_transform/<id>[,<id>...][?force=true]: the bulk response of deleting the
 * jobs' config documents (ids that do not exist answer `not_found` items).
 */
export const handler = apiHandler('transforms.delete', async ({ pathParams, query }) => {
  const started = Date.now();
  const items = await transformService().delete(pathParams.id.split(','), boolParam(query, 'force', false));
  return {
    status: 200,
    body: {
      took: Date.now() - started,
      errors: false,
      items: items.map((item) => ({ delete: item })),
    },
  };
});
