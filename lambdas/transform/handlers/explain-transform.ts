import { apiHandler } from '../../shared/http';
import { clusterTransformService as transformService } from '../cluster-deps';

/** GET _plugins/_transform/<ids>/_explain: metadata per job, null for unknown ids. */
export const handler = apiHandler('transforms.explain', async ({ pathParams }) => ({
  status: 200,
  body: await transformService().explain(pathParams.id),
}));
