import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { DocumentStore } from '../../lambdas/shared/document-store';
import { ensureTable } from '../../local/table';
import { startDynamoProxy, type DynamoProxy } from '../support/dynamo-proxy';

/**
 * The document store with DynamoDB failing part-way through a call (a proxy in front of
 * DynamoDB Local): a delete that answers an error has deleted nothing.
 */
jest.setTimeout(60_000);

let proxy: DynamoProxy;
let store: DocumentStore<{ n: number }>;

beforeAll(async () => {
  const table = `test-${randomUUID()}`;
  await ensureTable(table);
  proxy = await startDynamoProxy(process.env.AWS_ENDPOINT_URL_DYNAMODB as string);
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: proxy.url, maxAttempts: 1 }));
  store = new DocumentStore<{ n: number }>(client, table, 'faults', '.faults');
});

afterAll(async () => {
  await proxy.close();
});

describe('a delete with DynamoDB failing part-way', () => {
  it.each([0, 1])(
    'with %i store calls through: an error, and the document is still there',
    async (through) => {
      const id = `doc-${through}`;
      await store.create(id, { n: 1 });
      proxy.failAfter(through);
      await expect(store.delete(id)).rejects.toThrow();
      await proxy.forward();
      expect(await store.get(id)).toMatchObject({ id, source: { n: 1 } });
    },
  );

  it('with every call through: deleted, with a fresh _seq_no', async () => {
    const created = await store.create('doc-ok', { n: 1 });
    const deleted = await store.delete('doc-ok');
    expect(deleted?.seqNo).toBeGreaterThan(created.seqNo);
    expect(await store.get('doc-ok')).toBeUndefined();
  });
});
