import { apiHandler } from '../../shared/http';
import { clock, managedIndexService } from '../managed-deps';

/** POST _plugins/_ism/add/<index> {"policy_id": ...} */
export const handler = apiHandler('ism.add_policy', async ({ pathParams, query, body }) => ({
  status: 200,
  body: await managedIndexService().add(pathParams.index ?? query.index, body, clock.now()),
}));
