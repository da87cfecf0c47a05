import { apiHandler } from '../../shared/http';
import { rollupService } from '../deps';

/** GET _plugins/_rollup/jobs/<ids>/_explain: metadata per job, null for unknown ids. */
export const handler = apiHandler('rollups.explain', async ({ pathParams }) => ({
  status: 200,
  body: await rollupService().explain(pathParams.id),
}));
