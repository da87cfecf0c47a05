import { apiHandler } from '../../shared/http';
import { clock, managedIndexService } from '../managed-deps';

/** POST _plugins/_ism/remove/<index> */
export const handler = apiHandler('ism.remove_policy', async ({ pathParams, query }) => ({
  status: 200,
  body: await managedIndexService().remove(pathParams.index ?? query.index, clock.now()),
}));
