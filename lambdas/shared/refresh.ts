import { illegalArgument } from './errors';
import type { Query } from './params';

/**
 * The `refresh` parameter of writes. DynamoDB reads here are strongly consistent, so every
 * value behaves like `true`; it is still validated as OpenSearch does.
 */
export const refreshParam = (query: Query): void => {
  const value = query.refresh;
  if (value === undefined || ['', 'true', 'false', 'wait_for'].includes(value)) return;
  throw illegalArgument(`Unknown value for refresh: [${value}].`);
};
