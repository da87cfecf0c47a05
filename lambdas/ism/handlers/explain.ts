import { apiHandler, type ApiRequest } from '../../shared/http';
import { boolParam, intParam } from '../../shared/params';
import { clusterApi } from '../cluster-deps';
import { managedStore } from '../managed-deps';
import { explain, parseExplainFilter } from '../managed-index/explain';

/** GET|POST _plugins/_ism/explain[/<index>] */
const run = async ({ pathParams, query, body, method }: ApiRequest) => ({
  status: 200,
  body: await explain(managedStore(), clusterApi(), pathParams.index ?? query.index, {
    showPolicy: boolParam(query, 'show_policy', false),
    validateAction: boolParam(query, 'validate_action', false),
    from: intParam(query, 'from', 0),
    size: intParam(query, 'size', 20),
    sortField: query.sortField ?? 'managed_index.index',
    sortOrder: query.sortOrder ?? 'asc',
    queryString: query.queryString ?? '*',
    filter: parseExplainFilter(body, method),
  }),
});

export const handler = apiHandler('ism.explain_policy', run);
export const postHandler = apiHandler('ism.explain_policy_post', run);
