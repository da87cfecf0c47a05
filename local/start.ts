import fs from 'node:fs';
import path from 'node:path';
import { startApiServer } from './server';
import { startDynamoDbLocal } from './services/dynamodb';
import { startKafka, type KafkaHandle } from './services/kafka';
import { startKinesalite } from './services/kinesis';
import { resolveOpenSearch } from './services/opensearch';
import { workers } from '../infra/workers';
import { startScheduler } from './scheduler';
import { removeStackFile, writeStackFile } from './stack-file';
import { ensureTable } from './table';

/**
 * `npm start`: the whole local stack on one machine, no AWS account needed.
 *
 * - DynamoDB Local (data in .local/dynamodb; `--in-memory` keeps nothing)
 * - an OpenSearch node (data in .local/opensearch), unless OPENSEARCH_URL names a running cluster
 * - kinesalite (Kinesis) and an Apache Kafka broker (KRaft; data in .local/kafka) for ingestion
 * - the API on http://localhost:9900 (PORT), serving the route table through the same handlers
 *   the CDK stack deploys, and passing every other path to the cluster
 * - the local scheduler, waking every worker of the worker table (infra/workers.ts) every
 *   LOCAL_SCHEDULER_SECONDS (default 10; items still run only when due); `npm run tick -- <kind>`
 *   runs one invocation now
 */
const ROOT = path.resolve(__dirname, '..');
const inMemory = process.argv.includes('--in-memory') || process.env.IN_MEMORY === 'true';
const dataDir = path.resolve(process.env.SIM_DATA_DIR ?? path.join(ROOT, '.local'));
const port = Number(process.env.PORT ?? 9900);
const tableName = process.env.TABLE_NAME ?? 'index-management-local';
const schedulerEveryMs = Number(process.env.LOCAL_SCHEDULER_SECONDS ?? 10) * 1000;

// Node 20 is supported until 2027; the SDK's notice would only clutter the console.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Handlers log JSON at INFO in Lambda; on a console every worker tick would flood it. The
// scheduler prints a line for each run that did work (POWERTOOLS_LOG_LEVEL=INFO shows all).
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
// The local node is alone: a history index with a replica would leave the cluster yellow.
process.env.ISM_HISTORY_REPLICAS ??= '0';

const main = async (): Promise<void> => {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      console.log('\nstopping…');
      void stopAll().then(() => process.exit(0));
    });
  }

  try {
    if (!inMemory) fs.mkdirSync(dataDir, { recursive: true });
    console.log(
      `starting DynamoDB Local and ${process.env.OPENSEARCH_URL ? 'checking' : 'an OpenSearch node for'} the cluster…`,
    );
    // Apache Kafka (KRaft, one node) for ingestion from `type: kafka`, started alongside; the
    // stack runs without it if it cannot start (e.g. no Maven to fetch its jars).
    const kafkaStarting = process.env.KAFKA_BOOTSTRAP_SERVERS
      ? Promise.resolve(undefined)
      : startKafka({
          port: Number(process.env.KAFKA_PORT ?? 9092),
          dataDir: inMemory ? undefined : path.join(dataDir, 'kafka'),
        });
    kafkaStarting.catch(() => undefined);
    const [dynamo, opensearch] = await Promise.all([
      startDynamoDbLocal({ dbPath: inMemory ? undefined : path.join(dataDir, 'dynamodb') }),
      // path.repo for `fs` snapshot repositories (Snapshot Management) sits beside the node's data,
      // so snapshots and the repositories registered in the cluster state survive restarts.
      resolveOpenSearch(
        inMemory
          ? {}
          : { dataDir: path.join(dataDir, 'opensearch'), repoPath: path.join(dataDir, 'snapshots') },
      ),
    ]);
    stops.push(dynamo.stop, opensearch.stop);

    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
    process.env.AWS_REGION ??= 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    process.env.OPENSEARCH_URL = opensearch.url;
    process.env.CLUSTER_ENDPOINT = opensearch.url;
    process.env.TABLE_NAME = tableName;
    await ensureTable(tableName);

    // kinesalite: the local Kinesis for ingestion (`param.endpoint_override` = KINESIS_ENDPOINT).
    const kinesis = await startKinesalite(Number(process.env.KINESIS_PORT ?? 4567));
    stops.push(kinesis.stop);
    process.env.KINESIS_ENDPOINT = kinesis.endpoint;

    let kafka: KafkaHandle | undefined;
    let kafkaNote: string;
    try {
      kafka = await kafkaStarting;
      if (kafka) stops.push(kafka.stop);
      kafkaNote = kafka
        ? `${kafka.bootstrapServers}  (Apache Kafka ${kafka.version}, KRaft${inMemory ? ', in memory' : ''})`
        : `${process.env.KAFKA_BOOTSTRAP_SERVERS}  (KAFKA_BOOTSTRAP_SERVERS)`;
    } catch (error) {
      kafkaNote = `not started: ${(error as Error).message.split('\n')[0]}`;
    }

    const api = await startApiServer(port, '127.0.0.1');
    stops.push(api.close);

    const scheduler = startScheduler({
      workers,
      everyMs: schedulerEveryMs,
      onRun: (worker, summary) => {
        const s = summary as { ran?: number };
        if (s.ran) console.log(`[${worker.worker}] ${JSON.stringify(summary)}`);
      },
      onError: (worker, error) => console.error(`[${worker.worker}] failed: ${(error as Error).message}`),
    });
    stops.push(scheduler.stop);
    writeStackFile({
      pid: process.pid,
      dynamoEndpoint: dynamo.endpoint,
      tableName,
      opensearchUrl: opensearch.url,
      apiUrl: api.url,
    });
    stops.push(async () => removeStackFile());

    console.log(`
  DynamoDB Local  ${dynamo.endpoint}  (table ${tableName}${inMemory ? ', in memory' : `, data in ${path.relative(ROOT, dataDir) || dataDir}`})
  Kinesis         ${kinesis.endpoint}  (kinesalite, in memory)
  Kafka           ${kafkaNote}
  OpenSearch      ${opensearch.url}${opensearch.external ? '  (OPENSEARCH_URL)' : `  (path.repo for fs snapshot repositories: ${inMemory ? 'a temp dir' : path.relative(ROOT, path.join(dataDir, 'snapshots'))})`}
  API             ${api.url.replace('127.0.0.1', 'localhost')}
  Scheduler       ${workers.length ? `${workers.map((w) => w.kind).join(', ')} every ${schedulerEveryMs / 1000} s (npm run tick -- <${workers.map((w) => w.kind).join('|')}> runs one now)` : 'no workers yet'}

Try:
  curl -s -XPUT ${api.url.replace('127.0.0.1', 'localhost')}/_plugins/_ism/policies/delete-after-30d \\
    -H 'content-type: application/json' \\
    -d '{"policy":{"description":"delete after 30 days","default_state":"hot","states":[{"name":"hot","actions":[],"transitions":[{"state_name":"delete","conditions":{"min_index_age":"30d"}}]},{"name":"delete","actions":[{"delete":{}}]}]}}'

Ctrl-C stops everything.`);
  } catch (error) {
    console.error(`could not start the local stack: ${(error as Error).message}`);
    await stopAll();
    process.exit(1);
  }
};

void main();
