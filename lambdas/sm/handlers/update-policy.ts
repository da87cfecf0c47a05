import { apiHandler } from '../../shared/http';
import { longParam } from '../../shared/params';
import { refreshParam } from '../../shared/refresh';
import { smPolicyService } from '../deps';
import { policyResponse } from '../policy-response';

/** PUT _plugins/_sm/policies/<name>?if_seq_no=&if_primary_term=: a full replace. */
export const handler = apiHandler('sm.update_policy', async ({ pathParams, query, body }) => {
  refreshParam(query);
  const name = pathParams.policy_name;
  const doc = await smPolicyService().update(
    name,
    body,
    longParam(query, 'if_seq_no'),
    longParam(query, 'if_primary_term'),
  );
  return { status: 200, headers: { Location: `/_plugins/_sm/policies/${name}` }, body: policyResponse(doc) };
});
