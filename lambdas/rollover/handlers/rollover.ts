import { errors } from '@opensearch-project/opensearch';
import { fallbackResult } from '../../core/handlers/route-fallback';
import { isOwnedPath } from '../../core/router';
import { OpenSearchError, statusException } from '../../shared/errors';
import { apiHandler, type ApiResponse } from '../../shared/http';
import { rolloverService } from '../deps';
import { ROLLOVER_PARAMS, type RolloverParam } from '../model';
import { RolloverRejected } from '../rollover-service';

/**
 * Rollovers of one alias at once: the cluster applies one and fails the others with a 500
 * ("Concurrent modification of alias [a] during rollover"). Nothing of theirs happened, so they
 * are told so as a conflict to retry, not a server error.
 */
const lostRace = (error: RolloverRejected): boolean =>
  error.reply.status === 500 &&
  /^Concurrent modification of alias \[.*\] during rollover$/s.test(error.message);

/**
 * POST /{alias}/_rollover and POST /{alias}/_rollover/{new_index}. The body goes to the cluster
 * unparsed, so its parse errors carry the cluster's own positions and wording.
 */
export const handler = apiHandler(
  'indices.rollover',
  async (request): Promise<ApiResponse> => {
    // API Gateway prefers `/{alias}/_rollover` to `/_plugins/{proxy+}`: our own prefixes are
    // never an alias, so answer as the fallback does (and as the local router routes them).
    if (isOwnedPath(request.path)) {
      const result = fallbackResult(request.method, request.path);
      return { status: result.statusCode ?? 400, body: JSON.parse(result.body as string) as unknown };
    }
    const params: Partial<Record<RolloverParam, string>> = {};
    for (const name of ROLLOVER_PARAMS)
      if (request.query[name] !== undefined) params[name] = request.query[name];
    try {
      const body = await rolloverService().rollover({
        alias: request.pathParams.index,
        newIndex: request.pathParams.new_index,
        body: request.rawBody,
        params,
        source: 'api',
      });
      return { status: 200, body };
    } catch (error) {
      if (error instanceof RolloverRejected) {
        if (lostRace(error))
          throw statusException(409, `${error.message}: another rollover of it won; retry`);
        return { status: error.reply.status, body: error.reply.body };
      }
      if (error instanceof errors.OpenSearchClientError) {
        // The answer was lost, not refused: the rollover may or may not have happened.
        throw new OpenSearchError(
          502,
          'cluster_unavailable_exception',
          `the cluster did not answer the rollover (it may have happened; check the alias before retrying): ${error.message}`,
        );
      }
      throw error;
    }
  },
  { rawBody: true },
);
