import { apiHandler } from '../../shared/http';
import { refreshParam } from '../../shared/refresh';
import { smPolicyService } from '../deps';
import { policyResponse } from '../policy-response';

/** POST _plugins/_sm/policies/<name>: 201 with a Location header; an existing name is a 409. */
export const handler = apiHandler('sm.create_policy', async ({ pathParams, query, body }) => {
  refreshParam(query);
  const name = pathParams.policy_name;
  const doc = await smPolicyService().create(name, body);
  return {
    status: 201,
    headers: { Location: `/_plugins/_sm/policies/${name}` },
    body: policyResponse(doc),
  };
});
