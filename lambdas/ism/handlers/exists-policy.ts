import { apiHandler } from '../../shared/http';
import { longParam } from '../../shared/params';
import { policyService } from '../deps';

/** HEAD _plugins/_ism/policies/<id>: 200 or 404, never a body. */
export const handler = apiHandler('ism.exists_policy', async ({ pathParams, query }) => {
  const exists = await policyService().exists(pathParams.policy_id, longParam(query, 'version'));
  return { status: exists ? 200 : 404 };
});
