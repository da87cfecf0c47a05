import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { ACTION_TYPES } from '../lambdas/ism/policy/model';
import { unknownActionTypes } from '../lambdas/ism/policy/allow-list';
import { INGESTION_MODES, type IngestionMode } from '../lambdas/ingestion/native';

/**
 * Deployment configuration of the control plane, read from CDK context (`-c key=value` on the
 * command line, or the `context` block of `cdk.json`). Every key is optional; the defaults
 * deploy a control plane with no cluster attached (index-management documents only).
 *
 * | key                  | values                                   | default                  | meaning |
 * | -------------------- | ---------------------------------------- | ------------------------ | ------- |
 * | `stackName`          | CloudFormation stack name                | `IndexManagement`        | also the name of the `cdk.out/<stackName>.template.json` file |
 * | `clusterEndpoint`    | `https://…` URL of the cluster           | none                     | required with `proxyDataPlane`; without it, operations that talk to the cluster answer 500 (synth warns) |
 * | `clusterAuth`        | `none` \| `sigv4` \| `basic`             | `none`                   | how the cluster client authenticates |
 * | `clusterRegion`      | AWS region of the cluster                | the stack's region       | SigV4 signing region |
 * | `clusterService`     | `es` \| `aoss`                           | `es`                     | SigV4 service: OpenSearch Service domain or OpenSearch Serverless collection |
 * | `clusterDomainArn`   | domain ARN (`arn:aws:es:…:domain/<name>`) or collection ARN (`arn:aws:aoss:…:collection/<id>`) | none | required with `sigv4`: grants `es:ESHttp*` on the domain, or `aoss:APIAccessAll` on the collection |
 * | `clusterSecretArn`   | Secrets Manager secret ARN               | none                     | required with `basic`: a secret `{"username": …, "password": …}` |
 * | `vpcId`              | `vpc-…`                                  | none (no VPC)            | runs every function in this VPC (with `vpcSubnetIds`); the subnets need a route to DynamoDB (gateway endpoint or NAT) and to the cluster |
 * | `vpcSubnetIds`       | `subnet-a,subnet-b` (or a JSON array)    | none                     | private subnets for the functions; required with `vpcId` |
 * | `securityGroupIds`   | `sg-…,sg-…` (or a JSON array)            | one new egress-only group | security groups for the functions |
 * | `proxyDataPlane`     | `true` \| `false`                        | `false`                  | pass every non-index-management path to the cluster (`$default` route) |
 * | `logLevel`           | `DEBUG` \| `INFO` \| `WARN` \| `ERROR`   | `INFO`                   | Powertools and Lambda application log level |
 * | `logRetentionDays`   | a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, …) | `30`                     | retention of function and access log groups |
 * | `tableRemovalPolicy` | `retain` \| `destroy`                    | `retain`                 | what `cdk destroy` does with the table (retained tables also get deletion protection) |
 * | `ismJobIntervalMinutes` | whole minutes ≥ 1                     | `5`                      | ISM job interval: how often a managed index that waits is evaluated again (the plugin's `plugins.index_state_management.job_interval`) |
 * | `ismJitter`          | 0.0 – 1.0                                | `0.6`                    | random delay added to each run, as a fraction of the interval (`plugins.index_state_management.jitter`) |
 * | `ismStepsPerRun`     | whole number ≥ 1, or `unlimited`         | `unlimited`              | plugin job runs one ism-runner invocation does per managed index: `1` is the plugin's pace (one step per job interval, every stage visible in explain); unlimited goes on at once while steps complete |
 * | `ismHistoryEnabled`  | `true` \| `false`                        | `true`                   | ISM history index (`plugins.index_state_management.history.enabled`) |
 * | `ismHistoryMaxDocs`  | whole number ≥ 1                         | `2500000`                | roll the history index over at this many documents (`history.max_docs`) |
 * | `ismHistoryMaxAgeHours` | whole number ≥ 1                      | `24`                     | ...or at this age (`history.max_age`) |
 * | `ismHistoryRetentionDays` | whole number ≥ 1                    | `30`                     | delete history indices older than this (`history.rollover_retention_period`) |
 * | `ismHistoryReplicas` | whole number ≥ 0                         | `1`                      | replicas of the history indices (`history.number_of_replicas`) |
 * | `ismAllowList`       | `rollover,delete,…` (or a JSON array)    | every action type        | ISM action types policies may use (`plugins.index_state_management.allow_list`) |
 * | `rollupSearchEnabled` | `true` \| `false`                       | `true`                   | rewrite searches of rollup indices (`plugins.rollup.search.enabled`); false sends them to the cluster as they are |
 * | `rollupSearchAllJobs` | `true` \| `false`                       | `false`                  | a rollup search accepts the documents of every job that can answer, not only the coarsest one (`plugins.rollup.search.search_all_jobs`) |
 * | `rollupSearchSourceIndices` | `true` \| `false`                 | `false`                  | a search may mix rollup and plain indices (`plugins.rollup.search.search_source_indices`) |
 * | `kinesisStreamArns`  | stream ARNs `arn:aws:kinesis:<region>:<account>:stream/<name>`, comma list or JSON array; or `none` | every stream of the stack's account and region | Kinesis streams the functions that read streams (`ingestion-poller`, rollover, `ism-runner`) may read with their own role; `none` grants nothing (sources with `param.access_key`/`secret_key`, or Kafka only) |
 * | `ingestionMode`      | `control-plane` \| `native`               | `control-plane`          | who ingests an index created with `ingestion_source`: our poller, or the cluster's own ingestion plugin (OpenSearch 3.x; `PUT /<index>?ingestion=` overrides it per index) |
 *
 * Nothing here is looked up in an AWS account: VPC, subnets and security groups are imported by
 * id, so `cdk synth` works offline and without credentials.
 */
export type ClusterAuth = 'none' | 'sigv4' | 'basic';
export type ClusterService = 'es' | 'aoss';
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface VpcConfig {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  /** Empty: the stack creates one egress-only security group for the functions. */
  readonly securityGroupIds: readonly string[];
}

export interface ClusterConfig {
  /** Empty when no cluster is attached. */
  readonly endpoint: string;
  readonly auth: ClusterAuth;
  readonly region?: string;
  readonly service: ClusterService;
  /** Domain ARN (`es`) or collection ARN (`aoss`) the SigV4 permission is scoped to. */
  readonly resourceArn?: string;
  readonly secretArn?: string;
}

/**
 * Kinesis streams the stream-reading functions may read with their own role (an ingestion source
 * without `param.access_key`/`secret_key`): every stream of the stack's account and region, the
 * listed ones, or none.
 */
export type KinesisStreams =
  | { readonly grant: 'account' }
  | { readonly grant: 'none' }
  | { readonly grant: 'streams'; readonly arns: readonly string[] };

export interface ControlPlaneConfig {
  readonly stackName: string;
  readonly cluster: ClusterConfig;
  readonly vpc?: VpcConfig;
  readonly proxyDataPlane: boolean;
  readonly logLevel: LogLevel;
  readonly logRetentionDays: number;
  readonly retainTable: boolean;
  readonly ism: IsmConfig;
  readonly kinesisStreams: KinesisStreams;
  readonly rollup: RollupConfig;
  /** Default mode of indices created with `ingestion_source` (INGESTION_MODE of the functions). */
  readonly ingestionMode: IngestionMode;
}

/** The plugin's rollup search settings (lambdas/rollup/search/settings.ts reads them back). */
export interface RollupConfig {
  readonly search: { readonly enabled: boolean; readonly allJobs: boolean; readonly sourceIndices: boolean };
}

export interface IsmConfig {
  readonly jobIntervalMinutes: number;
  readonly jitter: number;
  /** Plugin job runs per index and invocation (ISM_STEPS_PER_RUN); undefined: unlimited. */
  readonly stepsPerRun?: number;
  /** Allowed action types; undefined allows every type. */
  readonly allowList?: readonly string[];
  readonly history: IsmHistoryConfig;
}

/** The ISM history index settings (lambdas/ism/history/settings.ts reads them back). */
export interface IsmHistoryConfig {
  readonly enabled: boolean;
  readonly maxDocs: number;
  readonly maxAgeHours: number;
  readonly retentionDays: number;
  readonly replicas: number;
}

/** Context keys this app reads (and nothing else). */
export const CONTEXT_KEYS = [
  'stackName',
  'clusterEndpoint',
  'clusterAuth',
  'clusterRegion',
  'clusterService',
  'clusterDomainArn',
  'clusterSecretArn',
  'vpcId',
  'vpcSubnetIds',
  'securityGroupIds',
  'proxyDataPlane',
  'logLevel',
  'logRetentionDays',
  'tableRemovalPolicy',
  'ismJobIntervalMinutes',
  'ismJitter',
  'ismStepsPerRun',
  'ismAllowList',
  'ismHistoryEnabled',
  'ismHistoryMaxDocs',
  'ismHistoryMaxAgeHours',
  'ismHistoryRetentionDays',
  'ismHistoryReplicas',
  'rollupSearchEnabled',
  'rollupSearchAllJobs',
  'rollupSearchSourceIndices',
  'kinesisStreamArns',
  'ingestionMode',
] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];

export class ConfigError extends Error {
  constructor(message: string) {
    super(`invalid CDK context: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Context from `-c` arrives as strings, context from cdk.json or tests as JSON values. */
const str = (value: unknown): string | undefined => {
  if (value === undefined || value === null) return undefined;
  const s = String(value).trim();
  return s === '' ? undefined : s;
};

const bool = (key: string, value: unknown): boolean => {
  if (value === undefined || value === null || value === '') return false;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new ConfigError(`${key} must be true or false, got [${String(value)}]`);
};

/** Accepts `a,b`, a JSON array string, or an array. */
const list = (value: unknown): string[] => {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value))
    return value
      .map(String)
      .map((s) => s.trim())
      .filter(Boolean);
  const s = String(value).trim();
  if (s.startsWith('[')) return list(JSON.parse(s) as unknown);
  return s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
};

const oneOf = <T extends string>(
  key: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T => {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${key} must be one of ${allowed.join('|')}, got [${value}]`);
  }
  return value as T;
};

/** A stream name is 1–128 of `[a-zA-Z0-9_.-]`; no wildcards: a pattern would widen the grant silently. */
const KINESIS_STREAM_ARN =
  /^arn:aws[\w-]*:kinesis:[a-z]{2}(-[a-z]+)+-\d:\d{12}:stream\/[A-Za-z0-9_.-]{1,128}$/;

const kinesisStreams = (value: unknown): KinesisStreams => {
  let arns: string[];
  try {
    arns = list(value);
  } catch {
    throw new ConfigError(
      `kinesisStreamArns must be none, or stream ARNs as a comma list or a JSON array, got [${String(value)}]`,
    );
  }
  if (arns.length === 0) return { grant: 'account' };
  if (arns.length === 1 && arns[0].toLowerCase() === 'none') return { grant: 'none' };
  if (arns.some((a) => a.toLowerCase() === 'none')) {
    throw new ConfigError('kinesisStreamArns=none cannot be combined with stream ARNs');
  }
  const wrong = arns.find((a) => !KINESIS_STREAM_ARN.test(a));
  if (wrong) {
    throw new ConfigError(
      `kinesisStreamArns must hold Kinesis stream ARNs (arn:aws:kinesis:<region>:<account>:stream/<name>), got [${wrong}]`,
    );
  }
  return { grant: 'streams', arns: [...new Set(arns)] };
};

export const configFromContext = (node: Pick<Node, 'tryGetContext'>): ControlPlaneConfig => {
  const ctx = (key: ContextKey): unknown => node.tryGetContext(key);

  const endpoint = str(ctx('clusterEndpoint')) ?? '';
  if (endpoint && !/^https?:\/\/[^/\s]+/.test(endpoint)) {
    throw new ConfigError(`clusterEndpoint must be an http(s) URL, got [${endpoint}]`);
  }
  const auth = oneOf<ClusterAuth>('clusterAuth', str(ctx('clusterAuth')), ['none', 'sigv4', 'basic'], 'none');
  const service = oneOf<ClusterService>('clusterService', str(ctx('clusterService')), ['es', 'aoss'], 'es');
  const resourceArn = str(ctx('clusterDomainArn'));
  const secretArn = str(ctx('clusterSecretArn'));
  if (auth === 'sigv4') {
    // Without the ARN the only possible grant would be `es:*` on `*`; refuse instead.
    if (!resourceArn)
      throw new ConfigError('clusterAuth=sigv4 needs clusterDomainArn (domain or collection ARN)');
    const expected =
      service === 'aoss'
        ? /^arn:aws[\w-]*:aoss:[^:]*:\d{12}:collection\/.+$/
        : /^arn:aws[\w-]*:es:[^:]*:\d{12}:domain\/[^/]+$/;
    if (!expected.test(resourceArn)) {
      throw new ConfigError(
        `clusterDomainArn [${resourceArn}] is not ${service === 'aoss' ? 'an OpenSearch Serverless collection ARN' : 'an OpenSearch Service domain ARN (arn:aws:es:<region>:<account>:domain/<name>)'}`,
      );
    }
  }
  if (auth === 'basic' && !secretArn) throw new ConfigError('clusterAuth=basic needs clusterSecretArn');
  if (secretArn && !/^arn:aws[\w-]*:secretsmanager:[^:]*:\d{12}:secret:.+$/.test(secretArn)) {
    throw new ConfigError(`clusterSecretArn [${secretArn}] is not a Secrets Manager secret ARN`);
  }

  const proxyDataPlane = bool('proxyDataPlane', ctx('proxyDataPlane'));
  if (proxyDataPlane && !endpoint) throw new ConfigError('proxyDataPlane=true needs clusterEndpoint');

  const vpcId = str(ctx('vpcId'));
  const subnetIds = list(ctx('vpcSubnetIds'));
  const securityGroupIds = list(ctx('securityGroupIds'));
  if (!vpcId && (subnetIds.length > 0 || securityGroupIds.length > 0)) {
    throw new ConfigError('vpcSubnetIds and securityGroupIds need vpcId');
  }
  if (vpcId && subnetIds.length === 0)
    throw new ConfigError('vpcId needs vpcSubnetIds (comma-separated subnet ids)');

  for (const [key, ids, prefix] of [
    ['vpcId', vpcId ? [vpcId] : [], 'vpc'],
    ['vpcSubnetIds', subnetIds, 'subnet'],
    ['securityGroupIds', securityGroupIds, 'sg'],
  ] as const) {
    const wrong = ids.find((id) => !new RegExp(`^${prefix}-[0-9a-f]{8,17}$`).test(id));
    if (wrong) throw new ConfigError(`${key} must hold ${prefix}-… ids, got [${wrong}]`);
  }

  const retention = str(ctx('logRetentionDays'));
  const logRetentionDays = retention === undefined ? RetentionDays.ONE_MONTH : Number(retention);
  const allowedRetention = Object.values(RetentionDays).filter(
    (v): v is number => typeof v === 'number' && v > 0,
  );
  if (!allowedRetention.includes(logRetentionDays)) {
    throw new ConfigError(
      `logRetentionDays must be one of ${allowedRetention.sort((a, b) => a - b).join(', ')}, got [${retention}]`,
    );
  }

  const intervalText = str(ctx('ismJobIntervalMinutes'));
  const jobIntervalMinutes = intervalText === undefined ? 5 : Number(intervalText);
  if (!Number.isInteger(jobIntervalMinutes) || jobIntervalMinutes < 1) {
    throw new ConfigError(
      `ismJobIntervalMinutes must be a whole number of minutes, at least 1, got [${intervalText}]`,
    );
  }
  const jitterText = str(ctx('ismJitter'));
  const jitter = jitterText === undefined ? 0.6 : Number(jitterText);
  if (!Number.isFinite(jitter) || jitter < 0 || jitter > 1) {
    throw new ConfigError(`ismJitter must be a number from 0.0 to 1.0, got [${jitterText}]`);
  }

  const stepsText = str(ctx('ismStepsPerRun'));
  const stepsPerRun = stepsText === undefined || stepsText === 'unlimited' ? undefined : Number(stepsText);
  if (stepsPerRun !== undefined && (!Number.isInteger(stepsPerRun) || stepsPerRun < 1)) {
    throw new ConfigError(
      `ismStepsPerRun must be a whole number, at least 1, or unlimited, got [${stepsText}]`,
    );
  }

  // Empty is the default (every type), as an unset ISM_ALLOW_LIST is.
  const allowedTypes = list(ctx('ismAllowList'));
  const allowList = allowedTypes.length > 0 ? allowedTypes : undefined;
  const unknown = allowList ? unknownActionTypes(allowList) : [];
  if (unknown.length > 0) {
    throw new ConfigError(
      `ismAllowList names unknown ISM action types [${unknown.join(', ')}]; known: ${ACTION_TYPES.join(', ')}`,
    );
  }

  const whole = (key: ContextKey, fallback: number, min: number): number => {
    const text = str(ctx(key));
    const n = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(n) || n < min) {
      throw new ConfigError(`${key} must be a whole number, at least ${min}, got [${text}]`);
    }
    return n;
  };
  const history: IsmHistoryConfig = {
    enabled:
      ctx('ismHistoryEnabled') === undefined ? true : bool('ismHistoryEnabled', ctx('ismHistoryEnabled')),
    maxDocs: whole('ismHistoryMaxDocs', 2_500_000, 1),
    maxAgeHours: whole('ismHistoryMaxAgeHours', 24, 1),
    retentionDays: whole('ismHistoryRetentionDays', 30, 1),
    replicas: whole('ismHistoryReplicas', 1, 0),
  };

  const flag = (key: ContextKey, fallback: boolean): boolean =>
    ctx(key) === undefined ? fallback : bool(key, ctx(key));
  const rollup: RollupConfig = {
    search: {
      enabled: flag('rollupSearchEnabled', true),
      allJobs: flag('rollupSearchAllJobs', false),
      sourceIndices: flag('rollupSearchSourceIndices', false),
    },
  };

  return {
    ism: { jobIntervalMinutes, jitter, stepsPerRun, allowList, history },
    rollup,
    kinesisStreams: kinesisStreams(ctx('kinesisStreamArns')),
    ingestionMode: oneOf<IngestionMode>(
      'ingestionMode',
      str(ctx('ingestionMode'))?.toLowerCase(),
      INGESTION_MODES,
      'control-plane',
    ),
    stackName: str(ctx('stackName')) ?? 'IndexManagement',
    cluster: {
      endpoint,
      auth,
      region: str(ctx('clusterRegion')),
      service,
      resourceArn,
      secretArn,
    },
    vpc: vpcId ? { vpcId, subnetIds, securityGroupIds } : undefined,
    proxyDataPlane,
    logLevel: oneOf<LogLevel>(
      'logLevel',
      str(ctx('logLevel'))?.toUpperCase(),
      ['DEBUG', 'INFO', 'WARN', 'ERROR'],
      'INFO',
    ),
    logRetentionDays,
    retainTable:
      oneOf(
        'tableRemovalPolicy',
        str(ctx('tableRemovalPolicy'))?.toLowerCase(),
        ['retain', 'destroy'],
        'retain',
      ) === 'retain',
  };
};
