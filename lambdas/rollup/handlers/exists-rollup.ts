import { apiHandler } from '../../shared/http';
import { rollupService } from '../deps';

/** HEAD _plugins/_rollup/jobs/<id>: 200 or 404, never a body. */
export const handler = apiHandler('rollups.exists', async ({ pathParams }) => ({
  status: (await rollupService().exists(pathParams.id)) ? 200 : 404,
}));
