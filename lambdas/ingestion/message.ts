import { createHash } from 'node:crypto';

/**
 * OpenSearch's default message mapper (reference §4.2): each stream record is a JSON object with
 * `_id`, `_version` (external), `_op_type` (index | create | delete) and `_source`.
 */
export type BulkAction = 'index' | 'create' | 'delete';

export interface DocumentOperation {
  readonly action: BulkAction;
  readonly id: string;
  /** External version; without it no version check happens. */
  readonly version?: number;
  readonly source?: Record<string, unknown>;
}

export type ParsedMessage =
  | { readonly ok: true; readonly op: DocumentOperation }
  | { readonly ok: true; readonly skip: string }
  | { readonly ok: false; readonly reason: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A message without `_id` gets an id derived from where it sits in the stream, so a message read
 * twice (after a crash before the checkpoint) overwrites its own document instead of adding one.
 */
export const pointerId = (streamKey: string, shard: number, pointer: string): string =>
  createHash('sha1').update(`${streamKey}\u0000${shard}\u0000${pointer}`).digest('base64url');

export const parseMessage = (payload: string, fallbackId: () => string): ParsedMessage => {
  let msg: unknown;
  try {
    msg = JSON.parse(payload);
  } catch (e) {
    return { ok: false, reason: `message is not valid JSON: ${(e as Error).message}` };
  }
  if (!isObject(msg)) return { ok: false, reason: 'message must be a JSON object' };
  const rawOp = msg._op_type ?? 'index';
  if (typeof rawOp !== 'string') return { ok: false, reason: '_op_type must be a string' };
  const action = rawOp.toLowerCase();
  if (action !== 'index' && action !== 'create' && action !== 'delete') {
    return { ok: false, reason: `_op_type [${rawOp}] is not one of index, create, delete` };
  }
  const rawId = msg._id;
  if (rawId !== undefined && rawId !== null && typeof rawId !== 'string' && typeof rawId !== 'number') {
    return { ok: false, reason: '_id must be a string' };
  }
  const givenId = rawId === undefined || rawId === null || rawId === '' ? undefined : String(rawId);
  let version: number | undefined;
  if (msg._version !== undefined && msg._version !== null) {
    const v = Number(String(msg._version));
    if (!Number.isSafeInteger(v) || v < 0 || String(msg._version).trim() === '') {
      return { ok: false, reason: `_version [${String(msg._version)}] must be a non-negative integer` };
    }
    version = v;
  }
  if (action === 'delete') {
    // OpenSearch drops a delete without id as a no-op.
    if (!givenId) return { ok: true, skip: 'delete without _id' };
    return { ok: true, op: { action, id: givenId, version } };
  }
  if (!isObject(msg._source)) return { ok: false, reason: '_source must be a JSON object' };
  return {
    ok: true,
    // `create` with an external version is refused by the cluster; OpenSearch ignores it there too.
    op: {
      action,
      id: givenId ?? fallbackId(),
      version: action === 'create' ? undefined : version,
      source: msg._source,
    },
  };
};

/** The `_bulk` lines of one operation. */
export const bulkLines = (index: string, op: DocumentOperation, routing?: string): unknown[] => {
  const meta: Record<string, unknown> = { _index: index, _id: op.id };
  if (routing !== undefined) meta.routing = routing;
  if (op.version !== undefined) Object.assign(meta, { version: op.version, version_type: 'external' });
  return op.action === 'delete' ? [{ delete: meta }] : [{ [op.action]: meta }, op.source];
};
