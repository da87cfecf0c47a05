import { matchRoute } from '../../../lambdas/core/router';

/** The rollup search route takes `/{index}/_search` and nothing else of the data plane. */
describe('the /{index}/_search route', () => {
  it.each([
    ['POST', '/taxi-rollup/_search', 'rollups.search'],
    ['GET', '/taxi-rollup/_search', 'rollups.search_get'],
    ['POST', '/a,b*/_search', 'rollups.search'],
  ])('%s %s is the rollup search', (method, path, operation) => {
    const match = matchRoute(method, path);
    expect(match.kind).toBe('operation');
    expect(match.kind === 'operation' && match.operation.operation).toBe(operation);
  });

  it.each([
    ['POST', '/_search'],
    ['POST', '/_all/_search'],
    ['POST', '/idx/_search/template'],
    ['POST', '/idx/_search/scroll'],
    ['POST', '/idx/_msearch'],
    ['PUT', '/idx/_search'],
    ['DELETE', '/idx/_search'],
    ['POST', '/idx/_doc'],
    ['GET', '/_cluster/health'],
  ])('%s %s stays with the data plane', (method, path) => {
    expect(matchRoute(method, path)).toEqual({ kind: 'data_plane' });
  });
});
