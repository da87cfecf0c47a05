import { apiHandler } from '../../shared/http';
import { smPolicyService } from '../deps';

/** GET _plugins/_sm/policies/<names>/_explain: names, comma lists and wildcards. */
export const handler = apiHandler('sm.explain_policy', async ({ pathParams }) => ({
  status: 200,
  body: { policies: await smPolicyService().explain(pathParams.policy_name) },
}));
