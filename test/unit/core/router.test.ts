import { operations } from '../../../infra/routes';
import { matchRoute } from '../../../lambdas/core/router';
import { fallbackResult } from '../../../lambdas/core/handlers/route-fallback';

describe('the route table', () => {
  test('every operation is served under both the _plugins and the legacy _opendistro prefix', () => {
    // Snapshot Management and Notifications came after Open Distro: OpenSearch serves them under _plugins
    // only. update_policy is our extension (no plugin release served it): the plugin's 400 stays at _opendistro.
    const pluginsOnly = ['/_plugins/_sm/', '/_plugins/_notifications/', '/_plugins/_ism/update_policy'];
    for (const op of operations) {
      const plugins = op.paths.filter(
        (p) => p.startsWith('/_plugins/') && !pluginsOnly.some((prefix) => p.startsWith(prefix)),
      );
      for (const p of plugins) expect(op.paths).toContain(p.replace('/_plugins/', '/_opendistro/'));
    }
  });

  test('sibling routes name a path variable at the same position alike (API Gateway refuses two names)', () => {
    // Key: the static segments before the variable; value: the variable's name there.
    const names = new Map<string, string>();
    for (const p of operations.flatMap((o) => o.paths)) {
      const segments = p.split('/').slice(1);
      segments.forEach((segment, i) => {
        const variable = /^\{(\w+)\+?\}$/.exec(segment)?.[1];
        if (!variable) return;
        const parent = `/${segments.slice(0, i).join('/')}#${i}`;
        const seen = names.get(parent) ?? variable;
        expect(`${p}: {${variable}}`).toBe(`${p}: {${seen}}`);
        names.set(parent, seen);
      });
    }
  });

  test('operation names and method+path pairs are unique', () => {
    expect(new Set(operations.map((o) => o.operation)).size).toBe(operations.length);
    const keys = operations.flatMap((o) => o.paths.map((p) => `${o.method} ${p}`));
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('matching a request', () => {
  test('a path parameter is extracted and decoded', () => {
    const m = matchRoute('GET', '/_plugins/_ism/policies/my%20policy');
    expect(m).toMatchObject({ kind: 'operation', pathParams: { policy_id: 'my policy' } });
    if (m.kind === 'operation') expect(m.operation.operation).toBe('ism.get_policy');
  });

  test('a parameter is handed on as sent too (encoded), as API Gateway hands it to the function', () => {
    const m = matchRoute('GET', '/_plugins/_ism/policies/a%2541');
    expect(m).toMatchObject({
      kind: 'operation',
      pathParams: { policy_id: 'a%41' },
      rawPathParams: { policy_id: 'a%2541' },
    });
  });

  test('a parameter whose escape cannot be decoded is the path\'s "Unexpected HTTP method"', () => {
    const m = matchRoute('GET', '/_plugins/_ism/policies/%zz');
    expect(m).toMatchObject({ kind: 'method_not_allowed', malformed: true });
    if (m.kind === 'method_not_allowed') expect(m.allowed.sort()).toEqual(['DELETE', 'GET', 'HEAD', 'PUT']);
    // Bytes that are no UTF-8 decode (to U+FFFD) as OpenSearch decodes them.
    expect(matchRoute('GET', '/_plugins/_ism/policies/%C0%AF')).toMatchObject({
      kind: 'operation',
      pathParams: { policy_id: '\ufffd\ufffd' },
    });
    // Outside our prefixes the cluster answers such a path itself.
    expect(matchRoute('POST', '/%zz/_search')).toEqual({ kind: 'data_plane' });
  });

  test('the literal list path is not taken for a parameter', () => {
    const m = matchRoute('GET', '/_opendistro/_ism/policies');
    expect(m.kind === 'operation' && m.operation.operation).toBe('ism.get_policies');
  });

  test('a known path with another method is method_not_allowed with the allowed methods', () => {
    const m = matchRoute('POST', '/_plugins/_ism/policies/x');
    expect(m.kind).toBe('method_not_allowed');
    if (m.kind === 'method_not_allowed') expect(m.allowed.sort()).toEqual(['DELETE', 'GET', 'HEAD', 'PUT']);
  });

  test('an alias in the first segment is a path parameter, with or without the new index name', () => {
    const m = matchRoute('POST', '/logs/_rollover');
    expect(m).toMatchObject({ kind: 'operation', pathParams: { index: 'logs' } });
    if (m.kind === 'operation') expect(m.operation.operation).toBe('indices.rollover');
    expect(matchRoute('POST', '/logs/_rollover/%3Clogs-%7Bnow%2Fd%7D-000002%3E')).toMatchObject({
      kind: 'operation',
      pathParams: { index: 'logs', new_index: '<logs-{now/d}-000002>' },
    });
  });

  test('a first segment starting with _ is never taken for an index name', () => {
    expect(matchRoute('POST', '/_plugins/_rollover').kind).toBe('no_handler');
    expect(matchRoute('POST', '/_opendistro/_rollover/x').kind).toBe('no_handler');
    expect(matchRoute('POST', '/_cluster/_rollover').kind).toBe('data_plane');
  });

  test('other data-plane paths of an index still reach the cluster', () => {
    for (const [method, path] of [
      ['POST', '/logs/_doc'],
      ['POST', '/logs/_rollover_stats'],
      ['POST', '/logs/_rollover/x/y'],
      ['GET', '/logs/_count'], // `/{index}/_search` is the rollup search (it passes other searches on)
      ['POST', '/logs'],
      ['PUT', '/logs-000001/_alias/logs'],
    ]) {
      expect([path, matchRoute(method, path).kind]).toEqual([path, 'data_plane']);
    }
  });

  test('another method on an index route belongs to the cluster, which answers it itself', () => {
    expect(matchRoute('GET', '/logs/_rollover').kind).toBe('data_plane');
    expect(matchRoute('PUT', '/logs/_rollover/logs-2').kind).toBe('data_plane');
  });

  test('unknown paths under owned prefixes are ours; everything else goes to the cluster', () => {
    expect(matchRoute('GET', '/_plugins/_unknown').kind).toBe('no_handler');
    expect(matchRoute('GET', '/_cat/indices').kind).toBe('data_plane');
    // `PUT /{index}` is ours (create with ingestion_source); other methods on it are the cluster's.
    expect(matchRoute('PUT', '/my-index').kind).toBe('operation');
    expect(matchRoute('GET', '/my-index').kind).toBe('data_plane');
    expect(matchRoute('DELETE', '/my-index').kind).toBe('data_plane');
    expect(matchRoute('POST', '/my-index/ingestion/_state').kind).toBe('data_plane');
  });
});

describe('the fallback answers as OpenSearch does', () => {
  test('405 with OpenSearch body for a wrong method', () => {
    const r = fallbackResult('PATCH', '/_plugins/_ism/policies');
    expect(r.statusCode).toBe(405);
    expect(JSON.parse(r.body as string)).toEqual({
      error:
        'Incorrect HTTP method for uri [/_plugins/_ism/policies] and method [PATCH], allowed: [PUT, GET]',
      status: 405,
    });
  });

  test("a policy's methods are listed in the plugin's order, and the uri as sent", () => {
    expect(JSON.parse(fallbackResult('POST', '/_plugins/_ism/policies/p').body as string).error).toBe(
      'Incorrect HTTP method for uri [/_plugins/_ism/policies/p] and method [POST], allowed: [HEAD, PUT, GET, DELETE]',
    );
    expect(JSON.parse(fallbackResult('DELETE', '/_plugins/_ism/policies/').body as string).error).toBe(
      'Incorrect HTTP method for uri [/_plugins/_ism/policies/] and method [DELETE], allowed: [PUT, GET]',
    );
  });

  test('400 no handler found for an unknown path', () => {
    const r = fallbackResult('GET', '/_opendistro/_nope');
    expect(r.statusCode).toBe(400);
    expect(JSON.parse(r.body as string)).toEqual({
      error: 'no handler found for uri [/_opendistro/_nope] and method [GET]',
    });
  });
});
