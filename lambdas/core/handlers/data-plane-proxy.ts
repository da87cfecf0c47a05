import type { Context } from 'aws-lambda';
import type { ApiEvent, ApiResult } from '../../shared/http';
import { guardWrite, isDocumentWrite } from '../../ingestion/push-write-guard';
import { passThrough } from '../pass-through';

/**
 * Every path that is not an index-management route goes to the cluster as sent (../pass-through.ts),
 * except document writes to an index our poller ingests: those are refused as OpenSearch 3.x
 * refuses them for an index with `ingestion_source` (../../ingestion/push-write-guard.ts).
 */
export const handler = async (event: ApiEvent, context?: Context): Promise<ApiResult> =>
  isDocumentWrite(event.requestContext.http.method, event.rawPath)
    ? guardWrite(event, context)
    : passThrough(event, context);
