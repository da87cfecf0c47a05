import { createHash } from 'node:crypto';

/**
 * OpenSearch's error envelope. Every failure the API returns is an {@link OpenSearchError};
 * anything else that escapes a handler is turned into one by the http middleware.
 *
 *   {"error":{"root_cause":[{type,reason,...}],"type":...,"reason":...,...},"status":N}
 */
export type ErrorMetadata = Record<string, string | number | boolean | null>;

export interface ErrorCause extends ErrorMetadata {
  type: string;
  reason: string;
}

export interface ErrorEnvelope {
  error: {
    type: string;
    reason: string;
    root_cause: ErrorCause[];
    caused_by?: ErrorCause;
    [key: string]: unknown;
  };
  status: number;
}

export class OpenSearchError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly reason: string,
    readonly metadata: ErrorMetadata = {},
    readonly causedBy?: ErrorCause,
  ) {
    super(reason);
    this.name = 'OpenSearchError';
  }

  toEnvelope(): ErrorEnvelope {
    const cause: ErrorCause = { type: this.type, reason: this.reason, ...this.metadata };
    const error: ErrorEnvelope['error'] = { root_cause: [cause], ...cause };
    if (this.causedBy) error.caused_by = this.causedBy;
    return { error, status: this.status };
  }
}

export const illegalArgument = (reason: string, metadata?: ErrorMetadata): OpenSearchError =>
  new OpenSearchError(400, 'illegal_argument_exception', reason, metadata);

export const parseException = (reason: string): OpenSearchError =>
  new OpenSearchError(400, 'parse_exception', reason);

export const statusException = (status: number, reason: string): OpenSearchError =>
  new OpenSearchError(status, 'status_exception', reason);

/** The metadata OpenSearch attaches to conflicts on the ISM config index. */
export const CONFIG_INDEX = '.opendistro-ism-config';

/**
 * The uuid an index's errors name it by. Our documents live in no index, so a stable stand-in:
 * 22 URL-safe base64 characters, as OpenSearch's are, derived from the index name.
 */
export const indexUuid = (index: string): string =>
  createHash('sha1').update(index).digest('base64url').slice(0, 22);

/** A shard-level conflict, as OpenSearch names its shard: index, shard and index_uuid. */
export const versionConflict = (reason: string, index = CONFIG_INDEX): OpenSearchError =>
  new OpenSearchError(409, 'version_conflict_engine_exception', reason, {
    index,
    shard: '0',
    index_uuid: indexUuid(index),
  });

export const unrecognizedParameters = (path: string, params: string[]): OpenSearchError =>
  illegalArgument(
    params.length === 1
      ? `request [${path}] contains unrecognized parameter: [${params[0]}]`
      : `request [${path}] contains unrecognized parameters: ${params.map((p) => `[${p}]`).join(', ')}`,
  );

export const isOpenSearchError = (e: unknown): e is OpenSearchError => e instanceof OpenSearchError;
