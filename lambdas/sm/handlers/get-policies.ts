import { apiHandler } from '../../shared/http';
import { intParam } from '../../shared/params';
import { smPolicyService } from '../deps';
import { policyListEntry } from '../policy-response';

/** GET _plugins/_sm/policies: search by name with paging and sorting. */
export const handler = apiHandler('sm.get_policies', async ({ query }) => {
  const page = await smPolicyService().list({
    from: intParam(query, 'from', 0),
    size: intParam(query, 'size', 20),
    sortField: query.sortField ?? 'sm_policy.name',
    sortOrder: query.sortOrder ?? 'asc',
    queryString: query.queryString ?? '*',
  });
  return { status: 200, body: { policies: page.policies.map(policyListEntry), total_policies: page.total } };
});
