import { apiHandler, type ApiResponse } from '../../shared/http';
import { longParam } from '../../shared/params';
import { refreshParam } from '../../shared/refresh';
import { ActionsNotAllowedError } from '../policy-writer';
import { policyWriter } from '../writer-deps';

/** PUT _plugins/_ism/policies/<id> (or ?policyID=<id>): create, or update with if_seq_no/if_primary_term. */
export const handler = apiHandler(
  'ism.put_policy',
  async ({ pathParams, query, body, rawBody }): Promise<ApiResponse> => {
    refreshParam(query);
    const id = pathParams.policy_id ?? query.policyID;
    const result = await policyWriter()
      .put(id, body, longParam(query, 'if_seq_no'), longParam(query, 'if_primary_term'), rawBody)
      .catch((error: unknown) => {
        if (error instanceof ActionsNotAllowedError) return error;
        throw error;
      });
    if (result instanceof ActionsNotAllowedError) {
      return {
        status: result.status,
        headers: { 'content-type': 'text/plain; charset=UTF-8' },
        body: result.message,
      };
    }
    const { stored, echoed } = result;
    return {
      status: result.created ? 201 : 200,
      // The plugin's POLICY_BASE_URI, whichever prefix the request came in on.
      headers: result.created ? { Location: `/_plugins/_ism/policies/${stored.id}` } : undefined,
      body: {
        _id: stored.id,
        _version: stored.version,
        _primary_term: stored.primaryTerm,
        _seq_no: stored.seqNo,
        policy: { policy: echoed },
      },
    };
  },
);
