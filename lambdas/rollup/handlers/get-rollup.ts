import { apiHandler } from '../../shared/http';
import { rollupService } from '../deps';
import { rollupWithMetadata } from '../rollup-response';

/** GET _plugins/_rollup/jobs/<id> */
export const handler = apiHandler('rollups.get', async ({ pathParams }) => ({
  status: 200,
  body: rollupWithMetadata(await rollupService().get(pathParams.id)),
}));
