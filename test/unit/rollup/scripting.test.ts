import type { Client } from '@opensearch-project/opensearch';
import { clusterHasPainless } from '../../../lambdas/rollup/search/scripting';

/** Whether avg and value_count can be answered as on a cluster with painless (the plugin's scripts). */
const client = (reply: () => Promise<unknown>) =>
  ({ transport: { request: jest.fn(reply) } }) as unknown as Client & {
    transport: { request: jest.Mock };
  };

const nodes = (...modules: string[][]) => ({
  body: {
    nodes: Object.fromEntries(modules.map((m, i) => [`n${i}`, { modules: m.map((name) => ({ name })) }])),
  },
});

// Each test starts past the previous one's cache (five minutes).
let t = 0;
const later = () => (t += 10 * 60_000);

test('every node must have lang-painless', async () => {
  expect(
    await clusterHasPainless(
      client(async () => nodes(['lang-painless'], ['lang-painless'])),
      later(),
    ),
  ).toBe(true);
  expect(
    await clusterHasPainless(
      client(async () => nodes(['lang-painless'], ['transport-netty4'])),
      later(),
    ),
  ).toBe(false);
});

test('looked up once per five minutes', async () => {
  const c = client(async () => nodes(['transport-netty4']));
  const at = later();
  expect(await clusterHasPainless(c, at)).toBe(false);
  expect(await clusterHasPainless(c, at + 60_000)).toBe(false);
  expect(c.transport.request).toHaveBeenCalledTimes(1);
});

test('a refused look-up answers from sums and is asked again', async () => {
  const at = later();
  const refused = client(async () => {
    throw new Error('403');
  });
  expect(await clusterHasPainless(refused, at)).toBe(true);
  const c = client(async () => nodes(['transport-netty4']));
  expect(await clusterHasPainless(c, at + 1)).toBe(false);
});

test('ROLLUP_SEARCH_SUMS_WITHOUT_PAINLESS=true answers from sums everywhere', async () => {
  process.env.ROLLUP_SEARCH_SUMS_WITHOUT_PAINLESS = 'true';
  try {
    const c = client(async () => nodes(['transport-netty4']));
    expect(await clusterHasPainless(c, later())).toBe(true);
    expect(c.transport.request).not.toHaveBeenCalled();
  } finally {
    delete process.env.ROLLUP_SEARCH_SUMS_WITHOUT_PAINLESS;
  }
});
