import * as path from 'node:path';
import { Annotations, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  type CfnFunction,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { esbuildOptions } from './bundling';
import type { ControlPlaneConfig } from './config';
import { DUE_INDEX } from './table';

/** Repository root: route-table handler paths are relative to it, and it holds the lockfile. */
const ROOT = path.resolve(__dirname, '..');

/**
 * The newest Node.js runtime this aws-cdk-lib knows. cdk-nag's AwsSolutions-L1 accepts only that
 * one, so when aws-cdk-lib learns a newer runtime the synth fails here until this is raised.
 */
export const RUNTIME = Runtime.NODEJS_24_X;

/** Lambda handlers log through Powertools under this service name. */
export const SERVICE_NAME = 'index-management';

/** `ism.put_policy` → `IsmPutPolicy`: the construct id, and the function's logical id. */
export const constructIdFor = (operation: string): string =>
  operation
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');

/** What every function of the deployment shares: the configuration, the table and the network. */
export interface FunctionDeps {
  readonly config: ControlPlaneConfig;
  readonly table: ITable;
  readonly vpc?: IVpc;
  readonly vpcSubnets?: SubnetSelection;
  readonly securityGroups?: ISecurityGroup[];
}

/** What one function may do beside writing its own logs. */
export interface Access {
  readonly table: 'none' | 'read' | 'readWrite';
  readonly cluster: boolean;
  /** Delivers notifications: SNS Publish and STS AssumeRole (a channel's role_arn). */
  readonly notify?: boolean;
  /** Reads ingestion streams with its own role: Kinesis read actions on `kinesisStreamArns`. */
  readonly streams?: boolean;
  /** @default 29 s with cluster access, else 10 s (API Gateway waits 30 s at most) */
  readonly timeoutSeconds?: number;
  readonly environment?: Readonly<Record<string, string>>;
}

const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query'];
/** Conditional writes and TransactWriteItems (which is authorised per item action). */
const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];
/**
 * Every Kinesis API the shard consumer calls (lambdas/ingestion/sources/kinesis.ts); all are
 * authorised on the stream ARN.
 */
const KINESIS_READ_ACTIONS = ['kinesis:ListShards', 'kinesis:GetShardIterator', 'kinesis:GetRecords'];
/** Every HTTP method the cluster client may send (the proxy passes any of them through). */
const ES_HTTP_ACTIONS = ['Get', 'Head', 'Put', 'Post', 'Delete', 'Patch'].map((m) => `es:ESHttp${m}`);

/**
 * One function with its own role and log group, holding exactly the permissions of `access`,
 * created in `scope` (a namespace's nested stack). Its logical id is the operation's construct id
 * (`IsmPutPolicy`), unique across the deployment.
 */
export const operationFunction = (
  scope: Construct,
  deps: FunctionDeps,
  operation: string,
  handlerModule: string,
  access: Access,
): NodejsFunction => {
  const { config, table } = deps;
  const id = constructIdFor(operation);
  const logRetention = config.logRetentionDays as RetentionDays;
  const logGroup = new LogGroup(scope, `${id}Logs`, {
    retention: logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  // An own role instead of the default one: the default attaches AWSLambdaBasicExecutionRole,
  // which may write to every log group in the account; this one writes to its own group only.
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `Runs ${operation}`,
  });
  logGroup.grantWrite(role);

  const environment: Record<string, string> = {
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_LOG_LEVEL: config.logLevel,
    NODE_OPTIONS: '--enable-source-maps',
    // A deployment-wide ISM setting (put policy and the runner read it).
    ...(config.ism.allowList ? { ISM_ALLOW_LIST: config.ism.allowList.join(',') } : {}),
    // Where indices created with `ingestion_source` are ingested (create-index reads it).
    ...(config.ingestionMode === 'native' ? { INGESTION_MODE: 'native' } : {}),
    ...access.environment,
  };
  if (access.table !== 'none') {
    environment.TABLE_NAME = table.tableName;
    const actions =
      access.table === 'read' ? TABLE_READ_ACTIONS : [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS];
    role.addToPolicy(
      new PolicyStatement({
        actions,
        resources: [table.tableArn, `${table.tableArn}/index/${DUE_INDEX.indexName}`],
      }),
    );
  }
  if (access.cluster) Object.assign(environment, grantCluster(role, config));
  if (access.notify) grantNotify(role);
  if (access.streams) grantStreams(role, config);

  if (deps.vpc) {
    // ENI management (ec2:CreateNetworkInterface and friends) cannot be scoped to resources;
    // the AWS managed policy is the documented minimum for a function in a VPC.
    role.addManagedPolicy(
      ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'),
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason:
        'A function in a VPC must create, describe and delete its network interfaces; EC2 does not support resource-level permissions for these actions, and this AWS managed policy grants only them.',
    });
  }

  const fn = new NodejsFunction(scope, id, {
    entry: path.join(ROOT, handlerModule),
    handler: 'handler',
    description: `OpenSearch ${operation}`,
    runtime: RUNTIME,
    architecture: Architecture.ARM_64,
    memorySize: 512,
    timeout: Duration.seconds(access.timeoutSeconds ?? (access.cluster ? 29 : 10)),
    role,
    logGroup,
    loggingFormat: LoggingFormat.JSON,
    applicationLogLevelV2: ApplicationLogLevel[config.logLevel],
    systemLogLevelV2: SystemLogLevel.WARN,
    environment,
    projectRoot: ROOT,
    depsLockFilePath: path.join(ROOT, 'package-lock.json'),
    bundling: {
      // Local esbuild from node_modules; Docker is never used (and is not available in CI).
      // The same options as `npm run bench` (infra/bundling.ts), so the benchmark measures
      // what is deployed; the AWS SDK is bundled, not taken from the runtime.
      forceDockerBundling: false,
      format: OutputFormat.CJS,
      minify: esbuildOptions.minify,
      sourceMap: esbuildOptions.sourcemap,
      target: esbuildOptions.target,
      mainFields: [...esbuildOptions.mainFields],
      externalModules: [],
    },
    vpc: deps.vpc,
    vpcSubnets: deps.vpcSubnets,
    securityGroups: deps.securityGroups,
  });
  // Readable, stable logical ids (`sam local invoke IsmPutPolicy`): the operation names are unique.
  (fn.node.defaultChild as CfnFunction).overrideLogicalId(id);
  return fn;
};

/**
 * Kinesis sources without keys in `param` are read with the function's own role. Their streams
 * are named through the API at run time, so by default any stream of this account and region
 * may be read; `kinesisStreamArns` narrows that to a list, or to nothing.
 */
const grantStreams = (role: Role, config: ControlPlaneConfig): void => {
  const streams = config.kinesisStreams;
  if (streams.grant === 'none') return;
  if (streams.grant === 'streams') {
    role.addToPolicy(new PolicyStatement({ actions: KINESIS_READ_ACTIONS, resources: [...streams.arns] }));
    return;
  }
  const every = Stack.of(role).formatArn({ service: 'kinesis', resource: 'stream', resourceName: '*' });
  role.addToPolicy(new PolicyStatement({ actions: KINESIS_READ_ACTIONS, resources: [every] }));
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kinesis:<AWS::Region>:<AWS::AccountId>:stream/*]',
    reason:
      'Ingestion sources (and their Kinesis streams) are named through the API at run time; reading is limited to the streams of this account and region, and the kinesisStreamArns context key narrows it to a list or to none.',
  });
};

/**
 * Notification channels are created through the API at run time, so their SNS topics and
 * roles are unknown at deploy time: publish to any topic of this account (other accounts'
 * topics through the channel's role_arn), and assume any role a channel names (the role's own
 * trust policy decides whether this control plane may).
 */
const grantNotify = (role: Role): void => {
  const stack = Stack.of(role);
  const topics = `arn:${stack.partition}:sns:*:${stack.account}:*`;
  role.addToPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [topics] }));
  role.addToPolicy(new PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['*'] }));
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sns:*:<AWS::AccountId>:*]',
    reason:
      'Notification channels (and their SNS topics) are created through the API at run time; publishing is limited to topics of this account.',
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      "A channel's role_arn is chosen through the API at run time, possibly in another account; that role's trust policy decides whether this function may assume it.",
  });
};

/** Cluster environment for a function, and the matching permissions on its role. */
const grantCluster = (role: Role, config: ControlPlaneConfig): Record<string, string> => {
  const { cluster } = config;
  const env: Record<string, string> = { CLUSTER_AUTH: cluster.auth };
  if (cluster.endpoint) env.CLUSTER_ENDPOINT = cluster.endpoint;
  else {
    Annotations.of(role).addWarningV2(
      'index-management:clusterEndpoint',
      'this operation talks to the cluster but no clusterEndpoint is configured (-c clusterEndpoint=https://...): it will answer 500 until one is',
    );
  }
  if (cluster.auth === 'sigv4' && cluster.resourceArn) {
    env.CLUSTER_REGION = cluster.region ?? Stack.of(role).region;
    env.CLUSTER_SERVICE = cluster.service;
    if (cluster.service === 'aoss') {
      // The collection's data access policy must also name this role.
      role.addToPolicy(
        new PolicyStatement({ actions: ['aoss:APIAccessAll'], resources: [cluster.resourceArn] }),
      );
    } else {
      // ESHttp* actions are authorised on `<domain ARN>/<request path>`.
      const paths = `${cluster.resourceArn}/*`;
      role.addToPolicy(new PolicyStatement({ actions: ES_HTTP_ACTIONS, resources: [paths] }));
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${paths}]`,
        reason:
          'es:ESHttp* permissions name the REST paths of one domain; the wildcard covers the paths of that domain only, because the cluster client reads and writes indices whose names the users choose.',
      });
    }
  }
  if (cluster.auth === 'basic' && cluster.secretArn) {
    env.CLUSTER_SECRET_ARN = cluster.secretArn;
    // A complete ARN ends in the 6-character suffix Secrets Manager adds; a partial one needs it matched.
    const secret = /-[A-Za-z0-9]{6}$/.test(cluster.secretArn)
      ? cluster.secretArn
      : `${cluster.secretArn}-??????`;
    role.addToPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret] }),
    );
  }
  return env;
};
