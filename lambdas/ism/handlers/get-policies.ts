import { apiHandler } from '../../shared/http';
import { intParam } from '../../shared/params';
import { policyService } from '../deps';
import { policyListEntry, policyWithMetadata } from '../policy-response';

/** GET _plugins/_ism/policies: search by id with paging and sorting; `?policyID=` reads one. */
export const handler = apiHandler('ism.get_policies', async ({ query }) => {
  if (query.policyID !== undefined && query.policyID !== '') {
    return { status: 200, body: policyWithMetadata(await policyService().get(query.policyID)) };
  }
  const page = await policyService().list({
    from: intParam(query, 'from', 0),
    size: intParam(query, 'size', 20),
    sortField: query.sortField ?? 'policy.policy_id.keyword',
    sortOrder: query.sortOrder ?? 'asc',
    queryString: query.queryString ?? '*',
  });
  return { status: 200, body: { policies: page.policies.map(policyListEntry), total_policies: page.total } };
});
