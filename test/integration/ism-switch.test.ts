import { startTestApi, type TestApi } from '../support/api';

/**
 * The deployment-wide ISM switch under concurrent callers: turning it is idempotent, so every
 * `POST _ism/stop` or `_ism/start` answers 200 however many arrive at once, and the switch ends
 * where they all asked.
 */
jest.setTimeout(60_000);

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api.close();
});

const together = async (path: string, callers: number): Promise<number[]> =>
  (await Promise.all(Array.from({ length: callers }, () => api.request('POST', path)))).map((r) => r.status);

describe('many callers turning the ISM switch at once', () => {
  it('answers 200 to each of 200 concurrent stops, then to each of 200 concurrent starts', async () => {
    expect(await together('/_plugins/_ism/stop', 200)).toEqual(Array(200).fill(200));
    expect((await api.request('GET', '/_plugins/_ism/status')).body).toEqual({ enabled: false });
    expect(await together('/_opendistro/_ism/start', 200)).toEqual(Array(200).fill(200));
    expect((await api.request('GET', '/_plugins/_ism/status')).body).toEqual({ enabled: true });
  });

  it('answers 200 to stops and starts racing each other, and ends at one of them', async () => {
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.request('POST', i % 2 === 0 ? '/_plugins/_ism/stop' : '/_plugins/_ism/start'),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    const { body } = await api.request('GET', '/_plugins/_ism/status');
    expect([true, false]).toContain(body.enabled);
  });
});
