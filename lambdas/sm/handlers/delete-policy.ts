import { CONFIG_INDEX } from '../../shared/errors';
import { apiHandler } from '../../shared/http';
import { refreshParam } from '../../shared/refresh';
import { smPolicyService } from '../deps';

/** DELETE _plugins/_sm/policies/<name>: the delete response of the policy document; snapshots stay. */
export const handler = apiHandler('sm.delete_policy', async ({ pathParams, query }) => {
  refreshParam(query);
  const deleted = await smPolicyService().delete(pathParams.policy_name);
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
