import { apiHandler } from '../../shared/http';
import { managedIndexService } from '../managed-deps';

/** POST _plugins/_ism/change_policy/<index> {"policy_id", "state"?, "include"?} */
export const handler = apiHandler('ism.change_policy', async ({ pathParams, query, body }) => ({
  status: 200,
  body: await managedIndexService().changePolicy(pathParams.index ?? query.index, body),
}));
