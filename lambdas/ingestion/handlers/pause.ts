import { apiHandler } from '../../shared/http';
import { answerFromCluster } from '../native-proxy';
import { ingestionCluster, ingestionService } from '../deps';

/** POST /<index>/ingestion/_pause (the cluster's own for indices it ingests natively) */
export const handler = apiHandler('ingestion.pause', async (request) => {
  const { pathParams, query } = request;
  const indices = await ingestionCluster().resolve(pathParams.index, query);
  const native = await answerFromCluster(request, indices);
  if (native) return native;
  return { status: 200, body: await ingestionService().pause(indices) };
});
