import { apiHandler } from '../../shared/http';
import { longParam } from '../../shared/params';
import { refreshParam } from '../../shared/refresh';
import { rollupService } from '../deps';
import { rollupWithMetadata } from '../rollup-response';

/** PUT _plugins/_rollup/jobs/<id>: create, or update with if_seq_no/if_primary_term. */
export const handler = apiHandler('rollups.put', async ({ pathParams, query, body }) => {
  refreshParam(query);
  const result = await rollupService().put(
    pathParams.id,
    body,
    longParam(query, 'if_seq_no'),
    longParam(query, 'if_primary_term'),
  );
  return {
    status: result.created ? 201 : 200,
    // The plugin's ROLLUP_JOBS_BASE_URI, whichever prefix the request used.
    headers: result.created ? { Location: `/_plugins/_rollup/jobs/${result.stored.id}` } : undefined,
    body: rollupWithMetadata(result.stored),
  };
});
