import { checkRolloverBody } from '../../../lambdas/ingestion/handover';
import { OpenSearchError } from '../../../lambdas/shared/errors';

/** What a rollover request of an ingesting index may carry (the rest is the cluster's to judge). */
const reason = (body: unknown, shards = 2): string | undefined => {
  try {
    checkRolloverBody(typeof body === 'string' ? body : JSON.stringify(body), shards);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(OpenSearchError);
    expect((e as OpenSearchError).status).toBe(400);
    return (e as OpenSearchError).message;
  }
};

test('conditions, mappings, aliases and as many shards or more are fine', () => {
  expect(reason(undefined)).toBeUndefined();
  expect(reason({ conditions: { max_docs: 10 }, mappings: {}, aliases: { a: {} } })).toBeUndefined();
  expect(reason({ settings: { number_of_shards: 2 } })).toBeUndefined();
  expect(reason({ settings: { 'index.number_of_shards': '3' } })).toBeUndefined();
  expect(reason('{not json')).toBeUndefined();
});

test('an ingestion source in any spelling is refused', () => {
  for (const settings of [
    { ingestion_source: { type: 'kafka' } },
    { index: { ingestion_source: { type: 'kafka' } } },
    { 'index.ingestion_source.type': 'kafka' },
  ])
    expect(reason({ settings })).toContain('remove [index.ingestion_source.*]');
});

test('fewer shards than the old index are refused', () => {
  expect(reason({ settings: { index: { number_of_shards: 1 } } })).toContain('needs at least [2] shards');
});
