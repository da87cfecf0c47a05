import { filterResponse } from '../../shared/filter-path';
import { apiHandler, type ApiRequest } from '../../shared/http';
import { boolParam, intParam } from '../../shared/params';
import { clusterApi } from '../cluster-deps';
import { clock, managedStore, optOutStore } from '../managed-deps';
import { explain, parseExplainFilter } from '../managed-index/explain';

/** GET|POST _plugins/_ism/explain[/<index>] (`filter_path` applies to the answer, as on a cluster). */
const run = async ({ pathParams, query, body, method }: ApiRequest) => ({
  status: 200,
  body: filterResponse(
    await explain(
      { managed: managedStore(), optOut: optOutStore() },
      clusterApi(),
      pathParams.index ?? query.index,
      {
        showPolicy: boolParam(query, 'show_policy', false),
        validateAction: boolParam(query, 'validate_action', false),
        from: intParam(query, 'from', 0),
        size: intParam(query, 'size', 20),
        sortField: query.sortField ?? 'managed_index.index',
        sortOrder: query.sortOrder ?? 'asc',
        queryString: query.queryString ?? '*',
        filter: parseExplainFilter(body, method),
      },
      clock.now(),
    ),
    query.filter_path,
  ),
});

export const handler = apiHandler('ism.explain_policy', run);
export const postHandler = apiHandler('ism.explain_policy_post', run);
