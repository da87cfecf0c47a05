import { apiHandler } from '../../shared/http';
import { smPolicyService } from '../deps';
import { policyResponse } from '../policy-response';

/** GET _plugins/_sm/policies/<name> */
export const handler = apiHandler('sm.get_policy', async ({ pathParams }) => ({
  status: 200,
  body: policyResponse(await smPolicyService().get(pathParams.policy_name)),
}));
