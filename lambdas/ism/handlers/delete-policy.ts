import { CONFIG_INDEX } from '../../shared/errors';
import { apiHandler } from '../../shared/http';
import { refreshParam } from '../../shared/refresh';
import { policyService } from '../deps';

/** DELETE _plugins/_ism/policies/<id>: OpenSearch's write response for a deleted document. */
export const handler = apiHandler('ism.delete_policy', async ({ pathParams, query }) => {
  refreshParam(query);
  const deleted = await policyService().delete(pathParams.policy_id);
  return {
    status: 200,
    body: {
      _index: CONFIG_INDEX,
      _id: deleted.id,
      _version: deleted.version,
      result: 'deleted',
      forced_refresh: true,
      _shards: { total: 2, successful: 1, failed: 0 },
      _seq_no: deleted.seqNo,
      _primary_term: deleted.primaryTerm,
    },
  };
});
