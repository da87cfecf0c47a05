import { apiHandler } from '../../shared/http';
import { managedIndexService } from '../managed-deps';

/** POST _plugins/_ism/update_policy/<index>: change_policy under the Open Distro documentation's name. */
export const handler = apiHandler('ism.update_policy', async ({ pathParams, query, body }) => ({
  status: 200,
  body: await managedIndexService().changePolicy(pathParams.index ?? query.index, body),
}));
