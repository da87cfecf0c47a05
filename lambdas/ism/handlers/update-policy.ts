import { apiHandler } from '../../shared/http';
import { managedIndexService } from '../managed-deps';

/** POST _opendistro/_ism/update_policy/<index>: the Open Distro name of change_policy. */
export const handler = apiHandler('ism.update_policy', async ({ pathParams, query, body }) => ({
  status: 200,
  body: await managedIndexService().changePolicy(pathParams.index ?? query.index, body),
}));
