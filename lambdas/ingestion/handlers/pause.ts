import { apiHandler } from '../../shared/http';
import { ingestionCluster, ingestionService } from '../deps';

/** POST /<index>/ingestion/_pause */
export const handler = apiHandler('ingestion.pause', async ({ pathParams, query }) => {
  const indices = await ingestionCluster().resolve(pathParams.index, query);
  return { status: 200, body: await ingestionService().pause(indices) };
});
