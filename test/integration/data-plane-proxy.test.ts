import { startTestApi, type TestApi } from '../support/api';

/** Every path that is not an index-management route reaches the cluster through the same URL. */
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.close());

const index = `proxy-test-${Date.now()}`;

test('an index created, filled with _bulk and listed with _cat through our endpoint is on the cluster', async () => {
  const created = await api.request('PUT', `/${index}`, {
    settings: { number_of_shards: 1, number_of_replicas: 0 },
  });
  expect(created.status).toBe(200);
  expect(created.body).toMatchObject({ acknowledged: true, index });

  const bulk = `${JSON.stringify({ index: { _index: index, _id: '1' } })}\n${JSON.stringify({ msg: 'hello' })}\n`;
  const res = await fetch(`${api.url}/_bulk?refresh=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: bulk,
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { errors: boolean }).errors).toBe(false);

  const cat = await api.request('GET', `/_cat/indices/${index}?format=json`);
  expect(cat.status).toBe(200);
  expect(cat.body[0]).toMatchObject({ index, 'docs.count': '1' });

  const direct = await fetch(`${process.env.OPENSEARCH_URL}/${index}/_doc/1`);
  expect(((await direct.json()) as { _source: unknown })._source).toEqual({ msg: 'hello' });
});

test('cluster errors come back with the cluster status and body', async () => {
  const res = await api.request('GET', '/no-such-index-anywhere/_search');
  expect(res.status).toBe(404);
  expect(res.body.error.type).toBe('index_not_found_exception');
});

test('HEAD requests pass through without a body', async () => {
  const res = await api.request('HEAD', `/${index}`);
  expect(res.status).toBe(200);
  expect(res.text).toBe('');
});

test('a document created through our endpoint answers with the Location header the cluster gives', async () => {
  const put = await api.request('PUT', `/${index}/_doc/loc-1`, { msg: 'where' });
  expect(put.status).toBe(201);
  expect(put.headers.get('location')).toBe(`/${index}/_doc/loc-1`);
  const post = await api.request('POST', `/${index}/_doc`, { msg: 'generated id' });
  expect(post.status).toBe(201);
  expect(post.headers.get('location')).toBe(`/${index}/_doc/${post.body._id}`);
});
