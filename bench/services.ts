/**
 * The local services the benches run against, started once per bench run and shared by all of
 * them (bench/run.ts, and each bench file when run alone): DynamoDB Local in memory, an OpenSearch
 * node (or the cluster at OPENSEARCH_URL), kinesalite and a Kafka broker. Each starts on first use, so a bench run
 * with `--only` or `--no-…` starts no more than it needs; `stop()` stops what was started.
 *
 * One DynamoDB Local matters beyond start-up time: `documentClient()` (lambdas/shared/dynamo.ts)
 * is a process-wide singleton bound to the first endpoint it saw, so benches run one after another
 * in one process must all see the same DynamoDB Local.
 *
 * The local service modules are required lazily: bench/run.ts's `--wait` may be waiting for a tree
 * that is still being edited, and a standalone bench loads only what it uses.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { randomUUID } from 'node:crypto';
import type { Client } from '@opensearch-project/opensearch';

type DynamoModule = typeof import('../local/services/dynamodb');
type OpenSearchModule = typeof import('../local/services/opensearch');
type KinesisModule = typeof import('../local/services/kinesis');
type KafkaModule = typeof import('../local/services/kafka');
type TableModule = typeof import('../local/table');
type ClusterModule = typeof import('../lambdas/shared/cluster');

export type DynamoService = Awaited<ReturnType<DynamoModule['startDynamoDbLocal']>>;
export type KinesisService = Awaited<ReturnType<KinesisModule['startKinesalite']>>;
export type KafkaService = Awaited<ReturnType<KafkaModule['resolveKafka']>>;

export interface ClusterService {
  url: string;
  version?: string;
  /** OPENSEARCH_URL: a cluster the bench did not start (and will not stop). */
  external: boolean;
  /** How long the node took to start (0 for an external cluster). */
  startMs: number;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const load = {
  dynamo: () => require('../local/services/dynamodb') as DynamoModule,
  opensearch: () => require('../local/services/opensearch') as OpenSearchModule,
  kinesis: () => require('../local/services/kinesis') as KinesisModule,
  kafka: () => require('../local/services/kafka') as KafkaModule,
  table: () => require('../local/table') as TableModule,
  cluster: () => require('../lambdas/shared/cluster') as ClusterModule,
};
/* eslint-enable @typescript-eslint/no-require-imports */

export class BenchServices {
  private dynamoStarting?: Promise<DynamoService>;
  private clusterStarting?: Promise<ClusterService>;
  private kinesisStarting?: Promise<KinesisService>;
  private kafkaStarting?: Promise<KafkaService>;
  private clientMade?: Promise<Client>;
  private readonly stops: (() => Promise<void>)[] = [];

  /**
   * DynamoDB Local, in memory. The SDK (and so every handler and store in this process) is pointed
   * at it; region and keys keep any value already set.
   */
  dynamo(): Promise<DynamoService> {
    return (this.dynamoStarting ??= this.once(
      async () => {
        const handle = await load.dynamo().startDynamoDbLocal({});
        this.stops.push(handle.stop);
        Object.assign(process.env, {
          AWS_ENDPOINT_URL_DYNAMODB: handle.endpoint,
          AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
          AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
          AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
          POWERTOOLS_LOG_LEVEL: 'ERROR',
        });
        return handle;
      },
      () => (this.dynamoStarting = undefined),
    ));
  }

  /** A fresh control-plane table `<prefix>-<random>` on the shared DynamoDB Local. */
  async table(prefix: string): Promise<string> {
    await this.dynamo();
    const name = `${prefix}-${randomUUID().slice(0, 8)}`;
    await load.table().ensureTable(name);
    return name;
  }

  /** OPENSEARCH_URL if set (checked for health), else a local node (~7 s with the distribution cached). */
  opensearch(): Promise<ClusterService> {
    return (this.clusterStarting ??= this.once(
      async () => {
        const started = Date.now();
        const node = await load.opensearch().resolveOpenSearch({});
        this.stops.push(node.stop);
        return {
          url: node.url,
          version: node.version,
          external: node.external,
          startMs: node.external ? 0 : Date.now() - started,
        };
      },
      () => (this.clusterStarting = undefined),
    ));
  }

  /** An OpenSearch client for the shared cluster, from the one cluster client module. */
  client(): Promise<Client> {
    return (this.clientMade ??= this.once(
      async () =>
        load.cluster().createClusterClient({ endpoint: (await this.opensearch()).url, auth: 'none' }),
      () => (this.clientMade = undefined),
    ));
  }

  /** kinesalite on loopback, in this process. */
  kinesis(): Promise<KinesisService> {
    return (this.kinesisStarting ??= this.once(
      async () => {
        const handle = await load.kinesis().startKinesalite();
        this.stops.push(handle.stop);
        return handle;
      },
      () => (this.kinesisStarting = undefined),
    ));
  }

  /** KAFKA_BOOTSTRAP_SERVERS if set, else a local Apache Kafka broker (KRaft; jars fetched once). */
  kafka(): Promise<KafkaService> {
    return (this.kafkaStarting ??= this.once(
      async () => {
        const handle = await load.kafka().resolveKafka();
        this.stops.push(handle.stop);
        return handle;
      },
      () => (this.kafkaStarting = undefined),
    ));
  }

  /** Stops everything started, last started first; never throws (a bench's figures are printed by then). */
  async stop(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) {
      await stop().catch((error: unknown) => console.log(`stopping a bench service: ${String(error)}`));
    }
  }

  /** A start that failed may be tried again (bench/run.ts --wait). */
  private once<T>(start: () => Promise<T>, forget: () => void): Promise<T> {
    const starting = start();
    starting.catch(forget);
    return starting;
  }
}

/** `--name N` from the command line, or the fallback. */
export const numberOption = (name: string, fallback: number, argv = process.argv.slice(2)): number => {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  return Number(argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1]);
};

/** Runs one bench file on its own: its services, then stop, then exit with 0 or 1. */
export const runStandalone = (bench: (services: BenchServices) => Promise<void>): void => {
  const services = new BenchServices();
  bench(services)
    .finally(() => services.stop())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
};
