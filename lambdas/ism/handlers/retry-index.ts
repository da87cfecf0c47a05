import { apiHandler } from '../../shared/http';
import { clock, managedIndexService } from '../managed-deps';

/** POST _plugins/_ism/retry/<index> {"state"?} */
export const handler = apiHandler('ism.retry_index', async ({ pathParams, query, body }) => ({
  status: 200,
  body: await managedIndexService().retry(pathParams.index ?? query.index, body, clock.now()),
}));
