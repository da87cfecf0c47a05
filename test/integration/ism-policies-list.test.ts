import { startTestApi, type TestApi } from '../support/api';
import { validateResponse } from '../support/spec';

/** Listing ISM policies: paging, sorting and queryString, over a table of its own. */
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api.close());

const LIST = '/_plugins/_ism/policies';
const policy = (description: string) => ({
  policy: {
    description,
    default_state: 'only',
    states: [{ name: 'only', actions: [{ read_only: {} }], transitions: [] }],
  },
});

describe('listing policies', () => {
  beforeAll(async () => {
    for (const id of ['logs-hot', 'logs-cold', 'metrics-daily', 'audit', 'logs-archive']) {
      await api.request('PUT', `/_plugins/_ism/policies/${id}`, policy(`policy ${id}`));
    }
  });

  const ids = (body: { policies: { _id: string }[] }) => body.policies.map((p) => p._id);

  test('the default list is sorted by id ascending, with the total count', async () => {
    const res = await api.request('GET', '/_plugins/_ism/policies');
    expect(res.status).toBe(200);
    expect(validateResponse('ism', 'GET', LIST, 200, res.body)).toEqual([]);
    expect(ids(res.body)).toEqual(['audit', 'logs-archive', 'logs-cold', 'logs-hot', 'metrics-daily']);
    expect(res.body.total_policies).toBe(5);
    expect(res.body.policies[0]).toEqual(
      expect.objectContaining({ _id: 'audit', _seq_no: expect.any(Number), _primary_term: 1 }),
    );
    expect(res.body.policies[0]).not.toHaveProperty('_version');
  });

  test('from and size page through the list while total_policies stays the full count', async () => {
    const res = await api.request('GET', '/_plugins/_ism/policies?from=1&size=2');
    expect(ids(res.body)).toEqual(['logs-archive', 'logs-cold']);
    expect(res.body.total_policies).toBe(5);
  });

  test('sortOrder=desc reverses the order', async () => {
    const res = await api.request('GET', '/_plugins/_ism/policies?sortOrder=desc&size=2');
    expect(ids(res.body)).toEqual(['metrics-daily', 'logs-hot']);
  });

  test('queryString filters ids with wildcards', async () => {
    const res = await api.request('GET', '/_plugins/_ism/policies?queryString=logs-*');
    expect(ids(res.body)).toEqual(['logs-archive', 'logs-cold', 'logs-hot']);
    expect(res.body.total_policies).toBe(3);
    const contains = await api.request('GET', '/_plugins/_ism/policies?queryString=*ly*');
    expect(ids(contains.body)).toEqual(['metrics-daily']);
  });

  test('queryString is a Lucene query_string: OR, NOT, and fields as the config index maps them', async () => {
    const q = async (queryString: string) =>
      ids((await api.request('GET', `${LIST}?queryString=${encodeURIComponent(queryString)}`)).body);
    expect(await q('audit OR metrics-daily')).toEqual(['audit', 'metrics-daily']);
    expect(await q('logs-* AND NOT logs-hot')).toEqual(['logs-archive', 'logs-cold']);
    // Descriptions are text: matched word by word, case-insensitively.
    expect(await q('policy.description:COLD')).toEqual(['logs-cold']);
    // The default field is the id's keyword, so a word of a description matches nothing there.
    expect(await q('policy')).toEqual([]);
    // States are nested in the mapping: a query_string does not reach them.
    expect(await q('policy.states.name:only')).toEqual([]);
  });

  test('sortField can name another field of the policy', async () => {
    const res = await api.request(
      'GET',
      '/_plugins/_ism/policies?sortField=policy.last_updated_time&sortOrder=desc',
    );
    expect(ids(res.body)[0]).toBe('logs-archive');
  });

  test('an invalid sortOrder is a 400', async () => {
    const res = await api.request('GET', '/_plugins/_ism/policies?sortOrder=sideways');
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('illegal_argument_exception');
  });
});
