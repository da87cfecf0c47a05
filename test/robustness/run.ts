import { parseArgs } from 'node:util';
import { startDynamoDbLocal } from '../../local/services/dynamodb';
import { resolveOpenSearch } from '../../local/services/opensearch';
import { catalogue } from './catalogue';
import { concurrency } from './concurrency';
import { startDynamoProxy } from '../support/dynamo-proxy';
import { faults } from './faults';
import { prepareCluster, restoreDocuments } from './fixtures';
import { describeRequest, fuzz, type Finding } from './fuzz';
import { closeClient, sendJson } from './http-client';
import { attributeServerRequests, observeCluster, observeTable } from './observer';

/**
 * `npm run test:robustness [-- --seed N] [--cases N] [--case I]`: fuzzing and concurrency over
 * every operation of the route table, against the real local stack (DynamoDB Local, the
 * OpenSearch node, the API server with the deployed handlers), as a client reaches it over HTTP.
 *
 * Prints `robustness: F fuzz cases, C concurrent calls, K faults, 0 5xx, 0 lost updates` and exits
 * 1 when anything was found (each finding with the seed and case that reproduce it).
 */
const { values: args } = parseArgs({
  options: {
    seed: { type: 'string' },
    cases: { type: 'string', default: '10000' },
    case: { type: 'string' },
    from: { type: 'string' },
    parallel: { type: 'string', default: '6' },
    callers: { type: 'string', default: '20' },
    scenario: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    // Also DynamoDB failing part-way through each state-changing request (reported only).
    partial: { type: 'boolean', default: false },
  },
});

const TABLE = 'robustness';

const configureEnvironment = (): void => {
  Object.assign(process.env, {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    // Handlers log every 4xx they answer at INFO/WARN: thousands of lines say nothing here.
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'CRITICAL',
    TABLE_NAME: TABLE,
    ISM_HISTORY_REPLICAS: '0',
  });
};

const printFindings = (findings: readonly Finding[], seed: number, verbose: boolean): void => {
  const byKind = new Map<string, Finding[]>();
  for (const f of findings) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f]);
  for (const [kind, list] of byKind) {
    console.log(`\n${list.length} × ${kind}`);
    for (const f of list.slice(0, verbose ? list.length : 12)) {
      console.log(`  case ${f.caseIndex} (--seed ${seed} --case ${f.caseIndex}) → ${f.status ?? '-'}`);
      console.log(`    ${describeRequest(f.request)}`);
      console.log(`    ${f.detail}`);
    }
    if (!verbose && list.length > 12) console.log(`  … ${list.length - 12} more (--verbose)`);
  }
};

const main = async (): Promise<number> => {
  configureEnvironment();
  const seed = args.seed !== undefined ? Number(args.seed) : Math.floor(Math.random() * 2 ** 31);
  const started = Date.now();
  const [dynamo, opensearch] = await Promise.all([startDynamoDbLocal(), resolveOpenSearch()]);
  try {
    // The API reaches DynamoDB Local through the faults phase's proxy; the checks go straight.
    const proxy = await startDynamoProxy(dynamo.endpoint);
    process.env.AWS_ENDPOINT_URL_DYNAMODB = proxy.url;
    process.env.OPENSEARCH_URL = opensearch.url;
    process.env.CLUSTER_ENDPOINT = opensearch.url;
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { ensureTable } = await import('../../local/table');
    const { startApiServer } = await import('../../local/server');
    const { documentClient } = await import('../../lambdas/shared/dynamo');
    await ensureTable(TABLE);
    observeTable(documentClient());
    observeCluster(opensearch.url);
    attributeServerRequests();
    const api = await startApiServer(0);
    const direct = new DynamoDBClient({ endpoint: dynamo.endpoint });
    try {
      const ops = catalogue();
      const nodes = await sendJson<{
        nodes?: Record<string, { settings?: { path?: { repo?: string | string[] } } }>;
      }>(opensearch.url, 'GET', '/_nodes/settings');
      const repo = Object.values(nodes.body.nodes ?? {})[0]?.settings?.path?.repo;
      await prepareCluster(opensearch.url, (Array.isArray(repo) ? repo[0] : repo) ?? null);
      const restoreFixtures = () => restoreDocuments(api.url, ops);
      await restoreFixtures();
      console.log(`robustness: seed ${seed}; stack up in ${((Date.now() - started) / 1000).toFixed(0)} s`);

      const fuzzStarted = Date.now();
      const result = await fuzz(
        {
          apiUrl: api.url,
          clusterUrl: opensearch.url,
          dynamo: new DynamoDBClient({}),
          table: TABLE,
          restoreFixtures,
        },
        ops,
        {
          seed,
          cases: Number(args.cases),
          only: args.case !== undefined ? Number(args.case) : undefined,
          from: args.from !== undefined ? Number(args.from) : undefined,
          parallel: Number(args.parallel),
          onStart: args.trace ? (i) => console.log(`  start #${i}`) : undefined,
          onCase: args.trace
            ? (i, r, status, ms) =>
                console.log(
                  `  #${i} ${status} ${ms} ms heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB ${describeRequest(r).slice(0, 200)}`,
                )
            : undefined,
          onProgress: (done) => {
            if (done % 1000 === 0)
              console.log(`  ${done} cases, ${((Date.now() - fuzzStarted) / 1000).toFixed(0)} s`);
          },
        },
      );
      const statusLine = [...result.statuses.entries()]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ');
      console.log(
        `fuzz: ${result.cases} cases (${result.audited} rejected ones audited with scans) in ${((Date.now() - fuzzStarted) / 1000).toFixed(0)} s; ${statusLine}`,
      );
      if (result.clusterErrors)
        console.log(`  (${result.clusterErrors} 5xx answered by the cluster itself, passed through)`);
      printFindings(result.findings, seed, args.verbose!);
      const concurrentStarted = Date.now();
      const together = await concurrency(api.url, opensearch.url, ops, {
        callers: Number(args.callers),
        only: args.scenario,
      });
      console.log(
        `\nconcurrency: ${together.scenarios} scenarios, ${together.calls} calls in ${((Date.now() - concurrentStarted) / 1000).toFixed(0)} s`,
      );
      if (together.clusterErrors)
        console.log(`  (${together.clusterErrors} 5xx answered by the cluster itself, passed through)`);
      for (const problem of together.problems) console.log(`  ${problem}`);
      const faultsStarted = Date.now();
      const faulted = await faults(api.url, proxy, { dynamo: direct, table: TABLE }, ops, {
        partial: args.partial,
        restore: restoreFixtures,
      });
      console.log(
        `\nfaults: ${faulted.faults} calls with DynamoDB throttled or away in ${((Date.now() - faultsStarted) / 1000).toFixed(0)} s`,
      );
      for (const line of faulted.answered) console.log(`  ${line}`);
      for (const problem of faulted.problems) console.log(`  ${problem}`);
      if (args.partial) console.log(`  ${faulted.partial.length} partial writes after a failure part-way:`);
      for (const line of faulted.partial) console.log(`    ${line}`);
      const fiveXx =
        result.findings.filter((f) => f.kind === '5xx').length + together.fiveXx + faulted.fiveXx;
      console.log(
        `\nrobustness: ${result.cases} fuzz cases, ${together.calls} concurrent calls, ${faulted.faults} faults, ${fiveXx} 5xx, ${together.lostUpdates} lost updates`,
      );
      return result.findings.length === 0 && together.problems.length === 0 && faulted.problems.length === 0
        ? 0
        : 1;
    } finally {
      closeClient();
      await api.close();
      await proxy.close();
    }
  } finally {
    await Promise.all([dynamo.stop(), opensearch.stop()]);
  }
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
