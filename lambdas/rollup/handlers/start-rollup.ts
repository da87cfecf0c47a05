import { apiHandler } from '../../shared/http';
import { rollupService } from '../deps';

/** POST _plugins/_rollup/jobs/<id>/_start */
export const handler = apiHandler('rollups.start', async ({ pathParams }) => ({
  status: 200,
  body: { acknowledged: await rollupService().start(pathParams.id) },
}));
