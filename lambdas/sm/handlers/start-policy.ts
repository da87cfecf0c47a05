import { apiHandler } from '../../shared/http';
import { smPolicyService } from '../deps';

/** POST _plugins/_sm/policies/<name>/_start */
export const handler = apiHandler('sm.start_policy', async ({ pathParams }) => ({
  status: 200,
  body: { acknowledged: await smPolicyService().setEnabled(pathParams.policy_name, true) },
}));
