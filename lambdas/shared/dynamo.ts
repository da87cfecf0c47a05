import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The table that holds every document of the control plane. Key schema: `pk` (namespace or
 * partition) + `sk` (id). The endpoint comes from the SDK's own `AWS_ENDPOINT_URL_DYNAMODB`, so
 * the same code reaches DynamoDB Local with no change.
 */
export const tableName = (): string => {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error('TABLE_NAME is not set');
  return name;
};

let client: DynamoDBDocumentClient | undefined;

export const documentClient = (): DynamoDBDocumentClient => {
  client ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return client;
};
