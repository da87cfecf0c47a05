/**
 * The control plane's DynamoDB table, as data: the CDK stack and the local stack create it from
 * this one description. Documents are keyed by namespace (`pk`) and id (`sk`).
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
} as const;

/**
 * The sparse index workers use to find due work (see lambdas/shared/jobs/job-store.ts): only job
 * items that are scheduled carry `dueKey` (the worker's kind) and `dueAt` (epoch milliseconds),
 * so a query for "due before now" reads the due items only, never every managed item.
 */
export const DUE_INDEX = {
  indexName: 'due',
  partitionKey: 'dueKey',
  sortKey: 'dueAt',
} as const;
