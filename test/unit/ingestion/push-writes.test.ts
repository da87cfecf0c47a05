import {
  MalformedBulk,
  PUSH_DELETION,
  PUSH_INDEXING,
  answerWrites,
  generatedId,
  mergeChanges,
  parseBulk,
  updateBody,
  type OurWrite,
} from '../../../lambdas/ingestion/push-writes';
import { murmur3x86_32, routingHash, shardOf } from '../../../lambdas/ingestion/routing';

describe("OpenSearch's document routing", () => {
  test('Murmur3 x86 32-bit matches the reference vectors', () => {
    expect(murmur3x86_32(new Uint8Array([]))).toBe(0);
    expect(murmur3x86_32(new TextEncoder().encode('hello'))).toBe(0x248bfa47);
    expect(murmur3x86_32(new TextEncoder().encode('The quick brown fox jumps over the lazy dog')) >>> 0).toBe(
      0x2e4ff723,
    );
  });

  test('routes ids as the cluster does (checked with _search_shards on a 3.8 node)', () => {
    const two = { shards: 2, routingShards: 1024 };
    expect(['a', 'b', 'c'].map((id) => shardOf(id, two))).toEqual([0, 1, 0]);
    expect(shardOf('anything', { shards: 1, routingShards: 1024 })).toBe(0);
    expect(routingHash('a')).toBe(murmur3x86_32(new Uint8Array([0x61, 0])));
  });
});

describe('updates', () => {
  test('merge as XContentHelper.update: nested maps merged, a change anywhere is a change', () => {
    expect(mergeChanges({ a: 1, o: { x: 1, y: 2 } }, { o: { y: 2 } })).toBe(false);
    expect(mergeChanges({ a: 1, o: { x: 1 } }, { o: { z: 1 } })).toBe(true);
    expect(mergeChanges({ a: [1, 2] }, { a: [1, 2] })).toBe(false);
    expect(mergeChanges({ a: 1 }, { a: 2 })).toBe(true);
    expect(mergeChanges({ a: 1 }, { a: 1 }, false)).toBe(true);
  });

  test('bodies with neither doc nor script are left to the cluster', () => {
    expect(updateBody({})).toBeUndefined();
    expect(updateBody({ doc: { a: 1 } })).toMatchObject({
      docAsUpsert: false,
      detectNoop: true,
      script: false,
    });
    expect(updateBody({ script: 'x', upsert: {} })).toMatchObject({ script: true, upsert: {} });
  });
});

describe('answers to writes on an ingesting index', () => {
  const facts = new Map([['i', { shards: 2, routingShards: 1024, uuid: 'U' }]]);
  const w = (op: OurWrite['op'], id: string, update?: object): OurWrite => ({
    op,
    index: 'i',
    id,
    ...(update ? { update: updateBody(update) } : {}),
  });

  test('a shard fails whole with the error of its first item that reaches the engine', () => {
    const writes = [
      w('update', 'a', { doc: { n: 1 } }),
      w('delete', 'c'),
      w('update', 'b', { doc: { n: 1 } }),
    ];
    const stored = [{ found: true, source: { n: 1 } }, undefined, { found: false }];
    const results = answerWrites(writes, facts, (i) => stored[i]);
    expect(results.map((r) => [r._id, r.status, r.error?.reason ?? r.result])).toEqual([
      ['a', 400, PUSH_DELETION],
      ['c', 400, PUSH_DELETION],
      ['b', 404, '[b]: document missing'],
    ]);
    expect(results[2].error).toMatchObject({ index: 'i', shard: '1', index_uuid: 'U' });
  });

  test('noops and missing documents stand when nothing reaches the engine; upserts reach it', () => {
    const noop = answerWrites([w('update', 'a', { doc: { n: 1 } })], facts, () => ({
      found: true,
      source: { n: 1 },
    }));
    expect(noop[0]).toMatchObject({ result: 'noop', _version: -1, status: 200 });
    const upsert = answerWrites([w('update', 'a', { doc: { n: 1 }, doc_as_upsert: true })], facts, () => ({
      found: false,
    }));
    expect(upsert[0].error?.reason).toBe(PUSH_INDEXING);
  });

  test('generated ids look like OpenSearch ones', () => {
    expect(generatedId()).toMatch(/^[\w-]{20}$/);
  });
});

describe('parseBulk', () => {
  test('reads action and source lines as sent, with the path index and routing as defaults', () => {
    const text =
      '{"index":{"_id":"1"}}\n{"a":1}\n\n{"delete":{"_index":"x","_id":"2","routing":"r"}}\n{"update":{"_id":"3"}}\n{"doc":{}}\n';
    const items = parseBulk(text, { index: 'p', routing: 'dr' });
    expect(items.map((i) => [i.op, i.index, i.id, i.routing, i.lines.length])).toEqual([
      ['index', 'p', '1', 'dr', 2],
      ['delete', 'x', '2', 'r', 1],
      ['update', 'p', '3', 'dr', 2],
    ]);
    expect(items[2].body).toEqual({ doc: {} });
  });

  test('refuses a malformed action line', () => {
    expect(() => parseBulk('{"index":\n{}\n', {})).toThrow(MalformedBulk);
    expect(() => parseBulk('{"upsert":{}}\n{}\n', {})).toThrow(MalformedBulk);
  });
});
