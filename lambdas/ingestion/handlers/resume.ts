import { apiHandler } from '../../shared/http';
import { answerFromCluster } from '../native-proxy';
import { ingestionCluster, ingestionService } from '../deps';
import { parseResumeBody } from '../service';

/** POST /<index>/ingestion/_resume, optionally with `reset_settings`. */
export const handler = apiHandler('ingestion.resume', async (request) => {
  const { pathParams, query, body } = request;
  const resets = parseResumeBody(body);
  const indices = await ingestionCluster().resolve(pathParams.index, query);
  const native = await answerFromCluster(request, indices);
  if (native) return native;
  return { status: 200, body: await ingestionService().resume(indices, resets) };
});
