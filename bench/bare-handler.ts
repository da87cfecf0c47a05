import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * The benchmark's reference: the least a DynamoDB-backed API Lambda can do. One strongly
 * consistent GetItem through the DocumentClient (as the document store reads), a 200 JSON answer.
 * `npm run bench` compares every handler of the route table with this one.
 *
 * The key is fixed (`bench` / `bare`); the bench seeds that item. A missing item answers 404, so
 * a bench that forgot to seed cannot pass for a fast one.
 */
export const BARE_KEY = { pk: 'bench', sk: 'bare' } as const;

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (_event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const out = await client.send(
    new GetCommand({ TableName: process.env.TABLE_NAME, Key: BARE_KEY, ConsistentRead: true }),
  );
  return {
    statusCode: out.Item ? 200 : 404,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: JSON.stringify(out.Item ?? { error: 'not found' }),
  };
};
