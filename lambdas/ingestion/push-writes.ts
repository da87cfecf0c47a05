import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { ErrorCause } from '../shared/errors';
import { shardOf, type IndexRouting } from './routing';

/**
 * Push writes to an index our poller ingests, answered as OpenSearch 3.x answers them for an
 * index with `index.ingestion_source` (its IngestionEngine refuses every write that reaches it):
 *
 * - a write that reaches the engine fails with 400 `ingestion_engine_exception`;
 * - what fails earlier keeps its own answer: an update of a missing document without upsert
 *   (404 `document_missing_exception`), an update that changes nothing (`noop`);
 * - in a `_bulk`, the items of one shard form one shard request, which fails whole, with the
 *   error of its first item that reached the engine, once any item does (other shards, and
 *   other indices, are unaffected).
 *
 * Checked on an OpenSearch 3.8.0 node with the ingestion-kafka plugin
 * (test/integration/ingestion-push-writes.test.ts compares the two).
 */
export const PUSH_INDEXING =
  'push-based indexing is not supported in ingestion engine, use streaming source instead';
export const PUSH_DELETION =
  'push-based deletion is not supported in ingestion engine, use streaming source instead';

export type WriteOp = 'index' | 'create' | 'update' | 'delete';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface UpdateBody {
  readonly doc?: Json;
  readonly upsert?: Json;
  readonly docAsUpsert: boolean;
  readonly script: boolean;
  readonly scriptedUpsert: boolean;
  readonly detectNoop: boolean;
}

/** The parts of an update body that decide whether it reaches the engine. */
export const updateBody = (body: unknown): UpdateBody | undefined => {
  if (!isObject(body)) return undefined;
  const doc = isObject(body.doc) ? body.doc : undefined;
  const script = body.script !== undefined && body.script !== null;
  if (!doc && !script) return undefined;
  return {
    doc,
    upsert: isObject(body.upsert) ? body.upsert : undefined,
    docAsUpsert: body.doc_as_upsert === true || body.doc_as_upsert === 'true',
    script,
    scriptedUpsert: body.scripted_upsert === true || body.scripted_upsert === 'true',
    detectNoop: body.detect_noop !== false && body.detect_noop !== 'false',
  };
};

/** One write to an index we ingest, with its index resolved (an alias's write index). */
export interface OurWrite {
  readonly op: WriteOp;
  readonly index: string;
  readonly id: string;
  readonly routing?: string;
  readonly update?: UpdateBody;
}

export interface StoredDoc {
  readonly found: boolean;
  readonly source?: Json;
}

export interface IndexFacts extends IndexRouting {
  readonly uuid: string;
}

/** An item of OpenSearch's bulk response (the inside of `{ <op>: item }`). */
export interface ItemResult {
  readonly _index: string;
  readonly _id: string;
  readonly status: number;
  readonly error?: ErrorCause;
  readonly _version?: number;
  readonly result?: string;
  readonly _shards?: { total: number; successful: number; failed: number };
}

/** OpenSearch's XContentHelper.update with checkUpdatesAreUnequal: merges `changes`, tells if anything changed. */
export const mergeChanges = (source: Json, changes: Json, check = true): boolean => {
  let modified = false;
  for (const [key, value] of Object.entries(changes)) {
    if (!(key in source)) {
      source[key] = value;
      modified = true;
      continue;
    }
    const old = source[key];
    if (isObject(old) && isObject(value)) {
      modified = mergeChanges(old, value, check && !modified) || modified;
      continue;
    }
    source[key] = value;
    if (modified) continue;
    modified = !check || !isDeepStrictEqual(old, value);
  }
  return modified;
};

/** An item's outcome before the engine: its own answer, or 'engine' (it reaches the engine). */
type Outcome = { kind: 'engine'; reason: string } | { kind: 'answer'; result: ItemResult };

const engineReason = (op: WriteOp): string => (op === 'delete' ? PUSH_DELETION : PUSH_INDEXING);

const outcome = (w: OurWrite, facts: IndexFacts, stored: StoredDoc | undefined, shard: number): Outcome => {
  if (w.op !== 'update' || !w.update) return { kind: 'engine', reason: engineReason(w.op) };
  const u = w.update;
  if (!stored?.found) {
    const upserts = u.upsert !== undefined || (u.docAsUpsert && u.doc !== undefined);
    if (upserts) return { kind: 'engine', reason: PUSH_INDEXING };
    return {
      kind: 'answer',
      result: {
        _index: w.index,
        _id: w.id,
        status: 404,
        error: {
          type: 'document_missing_exception',
          reason: `[${w.id}]: document missing`,
          index: w.index,
          shard: String(shard),
          index_uuid: facts.uuid,
        },
      },
    };
  }
  // A script's effect (including ctx.op = 'none') cannot be known here: it counts as a write.
  if (u.script || !u.doc) return { kind: 'engine', reason: PUSH_INDEXING };
  const changed = mergeChanges(structuredClone(stored.source ?? {}), u.doc, u.detectNoop);
  if (changed || !u.detectNoop) return { kind: 'engine', reason: PUSH_INDEXING };
  return {
    kind: 'answer',
    result: {
      _index: w.index,
      _id: w.id,
      // What the 3.8 node answers for a noop on an ingesting index.
      _version: -1,
      result: 'noop',
      _shards: { total: 1, successful: 1, failed: 0 },
      status: 200,
    },
  };
};

const engineFailure = (w: OurWrite, reason: string): ItemResult => ({
  _index: w.index,
  _id: w.id,
  status: 400,
  error: { type: 'ingestion_engine_exception', reason },
});

/**
 * The answers to writes on indices we ingest, in their order: items on the same shard fail
 * together with the first engine error among them, as one shard request does in OpenSearch.
 */
export const answerWrites = (
  writes: readonly OurWrite[],
  facts: ReadonlyMap<string, IndexFacts>,
  stored: (i: number) => StoredDoc | undefined,
): ItemResult[] => {
  const groups = new Map<string, number[]>();
  const outcomes: Outcome[] = writes.map((w, i) => {
    const f = facts.get(w.index) as IndexFacts;
    const shard = shardOf(w.routing ?? w.id, f);
    const key = `${w.index}\u0000${shard}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
    return outcome(w, f, stored(i), shard);
  });
  const results: ItemResult[] = new Array(writes.length);
  for (const members of groups.values()) {
    const first = members.map((i) => outcomes[i]).find((o) => o.kind === 'engine');
    for (const i of members) {
      const o = outcomes[i];
      results[i] =
        first?.kind === 'engine'
          ? engineFailure(writes[i], first.reason)
          : (o as { result: ItemResult }).result;
    }
  }
  return results;
};

/** An id as OpenSearch generates for an index or create without one: 20 URL-safe base64 characters. */
export const generatedId = (): string => randomBytes(15).toString('base64url');

/** One item of a `_bulk` body, its lines kept as sent. */
export interface BulkItem {
  readonly op: WriteOp;
  /** `_index` of the action line, else the path's index. */
  readonly index?: string;
  readonly id?: string;
  readonly routing?: string;
  /** The action line and (except for delete) the source line, as sent. */
  readonly lines: readonly string[];
  /** The parsed source line (update bodies only). */
  readonly body?: unknown;
}

export class MalformedBulk extends Error {}

const OPS: readonly WriteOp[] = ['index', 'create', 'update', 'delete'];

/**
 * Splits a `_bulk` body into its items as BulkRequestParser reads it: an action line, then a
 * source line unless the action is a delete; blank lines between items are skipped.
 * @throws MalformedBulk when an action line is not an object naming one known action
 */
export const parseBulk = (text: string, defaults: { index?: string; routing?: string }): BulkItem[] => {
  const lines = text.split('\n');
  const items: BulkItem[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    let action: unknown;
    try {
      action = JSON.parse(line);
    } catch {
      throw new MalformedBulk(`line ${i + 1}`);
    }
    const entries = isObject(action) ? Object.entries(action) : [];
    const [op, meta] = entries[0] ?? [];
    if (entries.length !== 1 || !OPS.includes(op as WriteOp) || !isObject(meta)) {
      throw new MalformedBulk(`line ${i + 1}`);
    }
    const str = (v: unknown): string | undefined =>
      v === undefined || v === null ? undefined : typeof v === 'string' ? v : String(v);
    const item = {
      op: op as WriteOp,
      index: str(meta._index) ?? defaults.index,
      id: str(meta._id),
      routing: str(meta.routing) ?? str(meta._routing) ?? defaults.routing,
    };
    if (op === 'delete') {
      items.push({ ...item, lines: [line] });
      continue;
    }
    const source = lines[i + 1];
    if (source === undefined) throw new MalformedBulk(`line ${i + 1}`);
    i++;
    let body: unknown;
    if (op === 'update') {
      try {
        body = JSON.parse(source);
      } catch {
        body = undefined;
      }
    }
    items.push({ ...item, lines: [line, source], body });
  }
  return items;
};
