import { apiHandler } from '../../shared/http';
import { parseJsonBody } from '../../shared/json-body';
import { clusterTransformService as transformService } from '../cluster-deps';

/** POST _plugins/_transform/_preview: the documents the job's first page would index. */
export const handler = apiHandler(
  'transforms.preview',
  async ({ rawBody }) => ({
    status: 200,
    body: {
      documents: await transformService().preview(rawBody === undefined ? undefined : parseJsonBody(rawBody)),
    },
  }),
  { rawBody: true },
);
