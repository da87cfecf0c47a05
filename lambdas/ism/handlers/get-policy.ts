import { apiHandler } from '../../shared/http';
import { longParam } from '../../shared/params';
import { policyService } from '../deps';
import { policyWithMetadata } from '../policy-response';

/** GET _plugins/_ism/policies/<id> */
export const handler = apiHandler('ism.get_policy', async ({ pathParams, query }) => {
  const doc = await policyService().get(pathParams.policy_id, longParam(query, 'version'));
  return { status: 200, body: policyWithMetadata(doc) };
});
