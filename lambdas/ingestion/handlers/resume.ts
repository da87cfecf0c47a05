import { apiHandler } from '../../shared/http';
import { ingestionCluster, ingestionService } from '../deps';
import { parseResumeBody } from '../service';

/** POST /<index>/ingestion/_resume, optionally with `reset_settings`. */
export const handler = apiHandler('ingestion.resume', async ({ pathParams, query, body }) => {
  const resets = parseResumeBody(body);
  const indices = await ingestionCluster().resolve(pathParams.index, query);
  return { status: 200, body: await ingestionService().resume(indices, resets) };
});
