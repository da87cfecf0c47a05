import { apiHandler } from '../../shared/http';
import { parseJsonBody } from '../../shared/json-body';
import { longParam } from '../../shared/params';
import { refreshParam } from '../../shared/refresh';
import { clusterTransformService as transformService } from '../cluster-deps';
import { TRANSFORM_BASE_URI, transformWithMetadata } from '../transform-response';

/** PUT _plugins/_transform/<id>: create, or update with if_seq_no/if_primary_term. */
export const handler = apiHandler(
  'transforms.put',
  async ({ pathParams, query, rawBody }) => {
    refreshParam(query);
    const result = await transformService().put(
      pathParams.id,
      rawBody === undefined ? undefined : parseJsonBody(rawBody),
      longParam(query, 'if_seq_no'),
      longParam(query, 'if_primary_term'),
    );
    return {
      status: result.created ? 201 : 200,
      // The plugin's Location is always under `_plugins`.
      headers: result.created ? { Location: `${TRANSFORM_BASE_URI}/${result.stored.id}` } : undefined,
      body: transformWithMetadata(result.stored),
    };
  },
  { rawBody: true },
);
