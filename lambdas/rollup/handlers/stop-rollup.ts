import { apiHandler } from '../../shared/http';
import { rollupService } from '../deps';

/** POST _plugins/_rollup/jobs/<id>/_stop */
export const handler = apiHandler('rollups.stop', async ({ pathParams }) => ({
  status: 200,
  body: { acknowledged: await rollupService().stop(pathParams.id) },
}));
