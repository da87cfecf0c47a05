import { startDynamoDbLocal } from '../../local/services/dynamodb';
import { startKinesalite } from '../../local/services/kinesis';
import { resolveOpenSearch } from '../../local/services/opensearch';

/**
 * Jest globalSetup for the integration tests: DynamoDB Local (in memory) and an OpenSearch node,
 * started in parallel (OpenSearch takes ~10 s, DynamoDB Local ~2 s). Tests find them through
 * the environment, which jest hands on to its workers:
 *
 *   AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *   OPENSEARCH_URL (and CLUSTER_ENDPOINT, which the data-plane client prefers, set to the same)
 *
 * A preset OPENSEARCH_URL or AWS_ENDPOINT_URL_DYNAMODB is used instead of starting that service.
 * The servers die with this process whatever happens (see local/services/process.ts), so an
 * interrupted run leaves nothing behind even if globalTeardown never runs.
 */
export interface SimServices {
  stops: { name: string; stop: () => Promise<void> }[];
}

declare global {
  // Read by global-teardown.ts: globalSetup and globalTeardown run in the same (parent) process.
  var __SIM_SERVICES__: SimServices | undefined;
}

export default async function globalSetup(): Promise<void> {
  const t0 = Date.now();
  const took = (): string => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const presetDynamo = process.env.AWS_ENDPOINT_URL_DYNAMODB;

  const [dynamo, opensearch] = await Promise.allSettled([
    presetDynamo
      ? Promise.resolve({
          endpoint: presetDynamo,
          note: 'AWS_ENDPOINT_URL_DYNAMODB',
          stop: async () => undefined,
        })
      : startDynamoDbLocal().then((h) => ({
          endpoint: h.endpoint,
          note: `DynamoDB Local in memory, ${took()}`,
          stop: h.stop,
        })),
    resolveOpenSearch().then((s) => ({
      url: s.url,
      note: s.external
        ? `OPENSEARCH_URL, ${s.version ?? 'unknown version'}`
        : `OpenSearch ${s.version}, ${took()}`,
      stop: s.stop,
    })),
  ]);

  if (dynamo.status === 'rejected' || opensearch.status === 'rejected') {
    // Do not leave the one that did start running until this process exits.
    await Promise.all(
      [dynamo, opensearch].map((r) =>
        r.status === 'fulfilled' ? r.value.stop().catch(() => undefined) : undefined,
      ),
    );
    throw dynamo.status === 'rejected' ? dynamo.reason : (opensearch as PromiseRejectedResult).reason;
  }

  globalThis.__SIM_SERVICES__ = {
    stops: [
      { name: 'DynamoDB Local', stop: dynamo.value.stop },
      { name: 'OpenSearch', stop: opensearch.value.stop },
    ],
  };

  // kinesalite (Kinesis for the ingestion tests) runs in this process: milliseconds to start.
  const kinesis = await startKinesalite();
  globalThis.__SIM_SERVICES__.stops.push({ name: 'kinesalite', stop: kinesis.stop });
  process.env.KINESIS_ENDPOINT = kinesis.endpoint;

  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.value.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    OPENSEARCH_URL: opensearch.value.url,
    CLUSTER_ENDPOINT: opensearch.value.url,
    // Node 20 is supported until 2027; the SDK's notice would only clutter test output.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  // Tests must never reach a real account or cluster through the developer's own settings.
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;

  process.stdout.write(
    `\n[global-setup] DynamoDB ${dynamo.value.endpoint} (${dynamo.value.note})` +
      `\n[global-setup] OpenSearch ${opensearch.value.url} (${opensearch.value.note})\n`,
  );
}
