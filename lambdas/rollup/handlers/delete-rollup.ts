import { CONFIG_INDEX } from '../../shared/errors';
import { apiHandler } from '../../shared/http';
import { refreshParam } from '../../shared/refresh';
import { rollupService } from '../deps';

/** DELETE _plugins/_rollup/jobs/<id>: the delete response of the job's config document. */
export const handler = apiHandler('rollups.delete', async ({ pathParams, query }) => {
  refreshParam(query);
  const deleted = await rollupService().delete(pathParams.id);
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
