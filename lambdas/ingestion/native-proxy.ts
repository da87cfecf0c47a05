import type { ApiRequest, ApiResponse } from '../shared/http';
import { ingestionCluster, ingestionService } from './deps';
import { ingestionOwner } from './native';
import type { ResolvedIndex } from './service';

/**
 * Pause, resume and `_state` of indices the cluster ingests itself (created in native mode, or
 * on the cluster directly): the request goes to the cluster and its answer comes back as is.
 * Undefined when the indices are ours (or ingest from nothing: then ours answers, as before).
 */
export const answerFromCluster = async (
  request: ApiRequest,
  indices: readonly ResolvedIndex[],
): Promise<ApiResponse | undefined> => {
  if (!indices.some((i) => i.nativeSource !== undefined)) return undefined;
  const registered = new Set<string>();
  for (const index of indices) {
    if ((await ingestionService().shards(index.name)).length > 0) registered.add(index.name);
  }
  if (ingestionOwner(indices, registered) === 'control-plane') return undefined;
  const reply = await ingestionCluster().forward(request.method, request.path, request.query, request.body);
  return { status: reply.status, body: reply.body };
};
