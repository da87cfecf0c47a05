/**
 * The control plane's DynamoDB table, as data: the CDK stack and the local stack create it from
 * this one description. Documents are keyed by namespace (`pk`) and id (`sk`).
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
} as const;
