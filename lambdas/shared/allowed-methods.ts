import { operations } from '../../infra/routes';

/**
 * The order OpenSearch lists a path's methods in its 405 (its handlers' method map, as the
 * 2.19 plugin's policy routes show it: `[HEAD, PUT, GET, DELETE]`, `[PUT, GET]`); methods it
 * was never seen with come after, in the route table's order.
 */
const METHOD_ORDER = ['HEAD', 'PUT', 'GET', 'DELETE'];

const rank = (method: string): number => {
  const i = METHOD_ORDER.indexOf(method);
  return i === -1 ? METHOD_ORDER.length : i;
};

export const allowedMethodsText = (allowed: readonly string[]): string =>
  [...allowed].sort((a, b) => rank(a) - rank(b)).join(', ');

/** The methods of the route table's operations on a path template, e.g. `/_plugins/_ism/policies/{policy_id}`. */
export const methodsOfTemplate = (template: string): string[] => [
  ...new Set(operations.filter((o) => o.paths.includes(template)).map((o) => o.method)),
];
