import { esbuildOptions } from './bundling';
import * as path from 'node:path';
import {
  Annotations,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import {
  SecurityGroup,
  Subnet,
  Vpc,
  type ISecurityGroup,
  type IVpc,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  CfnFunction,
  LoggingFormat,
  Runtime,
  ApplicationLogLevel,
  SystemLogLevel,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ControlPlaneConfig } from './config';
import * as routes from './routes';
import { DUE_INDEX, TABLE } from './table';
import { FAN_OUT_DETAIL_TYPE, FAN_OUT_SOURCE, workers as WORKERS, type Worker } from './workers';

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

/** The handlers the stack deploys: by default the route table, replaceable in tests. */
export interface RouteTable {
  readonly operations: readonly routes.Operation[];
  readonly fallback: { readonly operation: string; readonly handler: string };
  readonly dataPlaneProxy: { readonly operation: string; readonly handler: string };
  readonly ownedPrefixes: readonly string[];
}

export const ROUTE_TABLE: RouteTable = {
  operations: routes.operations,
  fallback: routes.fallback,
  dataPlaneProxy: routes.dataPlaneProxy,
  ownedPrefixes: routes.OWNED_PREFIXES,
};

export interface IndexManagementStackProps extends StackProps {
  readonly config: ControlPlaneConfig;
  /** @default ROUTE_TABLE */
  readonly routeTable?: RouteTable;
  /** @default the worker table (infra/workers.ts) */
  readonly workers?: readonly Worker[];
}

/** What one function may do beside writing its own logs. */
interface Access {
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

/** Fields HTTP APIs can log; `$context.identity.userArn` is the IAM caller. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    time: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    caller: '$context.identity.userArn',
    method: '$context.httpMethod',
    path: '$context.path',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    latency: '$context.responseLatency',
    integrationLatency: '$context.integration.latency',
    integrationStatus: '$context.integration.status',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
  }),
);

/**
 * The control plane: an HTTP API with IAM authorization in front of one Lambda function per
 * operation of the route table, and the DynamoDB table that holds every document.
 *
 * Each function gets only what its operation needs: read-only table access for GET/HEAD, read-write
 * for the rest, and the cluster's endpoint and credentials only when the operation talks to the
 * cluster.
 */
export class IndexManagementStack extends Stack {
  readonly table: Table;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** Functions by operation name (route-table operations, fallback and, when enabled, proxy). */
  readonly functions = new Map<string, NodejsFunction>();

  private readonly config: ControlPlaneConfig;
  private readonly vpc?: IVpc;
  private readonly vpcSubnets?: SubnetSelection;
  private readonly securityGroups?: ISecurityGroup[];
  private readonly logRetention: RetentionDays;

  constructor(scope: Construct, id: string, props: IndexManagementStackProps) {
    super(scope, id, {
      description:
        'OpenSearch index-management APIs (ISM, SM, rollups, rollover, ingestion) as a serverless control plane',
      ...props,
    });
    const { config } = props;
    const routeTable = props.routeTable ?? ROUTE_TABLE;
    this.config = config;
    this.logRetention = config.logRetentionDays as RetentionDays;

    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: config.retainTable ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      // A retained table outlives the stack; protection keeps a stray console click from deleting it.
      deletionProtection: config.retainTable,
    });
    // Workers find due items through this sparse index (only scheduled job items carry its keys).
    this.table.addGlobalSecondaryIndex({
      indexName: DUE_INDEX.indexName,
      partitionKey: { name: DUE_INDEX.partitionKey, type: AttributeType.STRING },
      sortKey: { name: DUE_INDEX.sortKey, type: AttributeType.NUMBER },
      projectionType: ProjectionType.KEYS_ONLY,
    });

    if (config.vpc) {
      // Imported by id, never looked up, so synth needs no account and no network.
      // Subnets are given explicitly below, so the VPC's own subnet and zone lists are never read.
      this.vpc = Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: config.vpc.vpcId,
        availabilityZones: this.availabilityZones,
      });
      this.vpcSubnets = {
        subnets: config.vpc.subnetIds.map((subnetId, i) => Subnet.fromSubnetId(this, `Subnet${i}`, subnetId)),
      };
      this.securityGroups =
        config.vpc.securityGroupIds.length > 0
          ? config.vpc.securityGroupIds.map((sgId, i) =>
              SecurityGroup.fromSecurityGroupId(this, `SecurityGroup${i}`, sgId),
            )
          : [
              new SecurityGroup(this, 'FunctionSecurityGroup', {
                vpc: this.vpc,
                description:
                  'Index-management functions: outbound only (DynamoDB, the cluster, Secrets Manager)',
                allowAllOutbound: true,
              }),
            ];
    }

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: this.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new HttpApi(this, 'Api', {
      apiName: id,
      description: 'OpenSearch index-management APIs; callers sign requests with SigV4 (execute-api)',
      defaultAuthorizer: new HttpIamAuthorizer(),
      // The stage is declared below so that it can carry access logs.
      createDefaultStage: false,
    });
    // `$default` keeps the URL free of a stage prefix, so request paths reach the handlers as
    // OpenSearch clients send them.
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });

    for (const op of routeTable.operations) {
      const fn = this.operationFunction(op.operation, op.handler, {
        table: op.method === 'GET' || op.method === 'HEAD' ? 'read' : 'readWrite',
        cluster: op.cluster === true,
        notify: op.notify === true,
        environment: op.configEnvironment?.(this.config),
        streams: op.streams === true,
      });
      const integration = new HttpLambdaIntegration(`${constructIdFor(op.operation)}Integration`, fn);
      for (const routePath of op.paths) {
        this.api.addRoutes({ path: routePath, methods: [HttpMethod[op.method]], integration });
      }
    }

    // Unmatched requests under the index-management prefixes are answered by the control plane
    // (405 / "no handler found"), never passed to the cluster.
    const fallbackFn = this.operationFunction(routeTable.fallback.operation, routeTable.fallback.handler, {
      table: 'none',
      cluster: false,
    });
    const fallbackIntegration = new HttpLambdaIntegration('FallbackIntegration', fallbackFn);
    for (const prefix of routeTable.ownedPrefixes) {
      const base = prefix.replace(/\/+$/, '');
      for (const routePath of [base, `${base}/{proxy+}`]) {
        this.api.addRoutes({ path: routePath, methods: [HttpMethod.ANY], integration: fallbackIntegration });
      }
    }

    if (config.proxyDataPlane) {
      // A Lambda, not a plain HTTP_PROXY integration: a SigV4 or basic-auth cluster needs every
      // request signed or authenticated, and the cluster client module (lambdas/shared/cluster.ts)
      // is the only code that talks to the cluster. It also strips the caller's API Gateway
      // credentials, which must never reach the cluster.
      const proxyFn = this.operationFunction(
        routeTable.dataPlaneProxy.operation,
        routeTable.dataPlaneProxy.handler,
        {
          // Reads which indices the poller ingests: writes to them are refused as OpenSearch does.
          table: 'read',
          cluster: true,
        },
      );
      new HttpRoute(this, 'DataPlaneRoute', {
        httpApi: this.api,
        routeKey: HttpRouteKey.DEFAULT,
        integration: new HttpLambdaIntegration('DataPlaneIntegration', proxyFn),
        authorizer: new HttpIamAuthorizer(),
      });
    }

    // One function and one EventBridge rule per worker. The rule only wakes the worker; each
    // item's own next-run time (in the table) decides whether it is due.
    for (const worker of props.workers ?? WORKERS) {
      const fn = this.operationFunction(worker.worker, worker.handler, {
        table: 'readWrite',
        cluster: worker.cluster,
        notify: worker.notify === true,
        streams: worker.streams === true,
        timeoutSeconds: worker.timeoutSeconds,
        environment: {
          ...worker.environment,
          ...worker.configEnvironment?.(this.config),
          WORKER_FAN_OUT: 'eventbridge',
        },
      });
      new Rule(this, `${constructIdFor(worker.worker)}Schedule`, {
        description: `Wakes ${worker.worker}`,
        schedule: Schedule.expression(worker.schedule),
        targets: [new LambdaFunction(fn, { retryAttempts: 0 })],
      });
      // Fan-out: a run with more due items than one invocation should take starts copies of
      // itself through the default bus (lambdas/shared/worker.ts); this rule brings them back.
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['events:PutEvents'],
          resources: [this.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
        }),
      );
      new Rule(this, `${constructIdFor(worker.worker)}FanOut`, {
        description: `Copies of ${worker.worker} started by a run that fans out`,
        eventPattern: {
          source: [FAN_OUT_SOURCE],
          detailType: [FAN_OUT_DETAIL_TYPE],
          detail: { worker: [worker.worker] },
        },
        targets: [new LambdaFunction(fn, { retryAttempts: 0 })],
      });
    }

    new CfnOutput(this, 'ApiUrl', {
      value: this.stage.url,
      description: 'Endpoint of the index-management API (sign requests with SigV4, service execute-api)',
    });
    new CfnOutput(this, 'TableName', {
      value: this.table.tableName,
      description: 'DynamoDB table of the control plane',
    });
  }

  /** One function with its own role and log group, holding exactly the permissions of `access`. */
  private operationFunction(operation: string, handlerModule: string, access: Access): NodejsFunction {
    const id = constructIdFor(operation);
    const logGroup = new LogGroup(this, `${id}Logs`, {
      retention: this.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An own role instead of the default one: the default attaches AWSLambdaBasicExecutionRole,
    // which may write to every log group in the account; this one writes to its own group only.
    const role = new Role(this, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${operation}`,
    });
    logGroup.grantWrite(role);

    const environment: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_LOG_LEVEL: this.config.logLevel,
      NODE_OPTIONS: '--enable-source-maps',
      // A deployment-wide ISM setting (put policy and the runner read it).
      ...(this.config.ism.allowList ? { ISM_ALLOW_LIST: this.config.ism.allowList.join(',') } : {}),
      // Where indices created with `ingestion_source` are ingested (create-index reads it).
      ...(this.config.ingestionMode === 'native' ? { INGESTION_MODE: 'native' } : {}),
      ...access.environment,
    };
    if (access.table !== 'none') {
      environment.TABLE_NAME = this.table.tableName;
      const actions =
        access.table === 'read' ? TABLE_READ_ACTIONS : [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS];
      role.addToPolicy(
        new PolicyStatement({
          actions,
          resources: [this.table.tableArn, `${this.table.tableArn}/index/${DUE_INDEX.indexName}`],
        }),
      );
    }
    if (access.cluster) Object.assign(environment, this.grantCluster(role));
    if (access.notify) this.grantNotify(role);
    if (access.streams) this.grantStreams(role);

    if (this.vpc) {
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

    const fn = new NodejsFunction(this, id, {
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
      applicationLogLevelV2: ApplicationLogLevel[this.config.logLevel],
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
      vpc: this.vpc,
      vpcSubnets: this.vpcSubnets,
      securityGroups: this.securityGroups,
    });
    // Readable, stable logical ids (`sam local invoke IsmPutPolicy`): the operation names are unique.
    (fn.node.defaultChild as CfnFunction).overrideLogicalId(id);
    this.functions.set(operation, fn);
    return fn;
  }

  /**
   * Kinesis sources without keys in `param` are read with the function's own role. Their streams
   * are named through the API at run time, so by default any stream of this account and region
   * may be read; `kinesisStreamArns` narrows that to a list, or to nothing.
   */
  private grantStreams(role: Role): void {
    const streams = this.config.kinesisStreams;
    if (streams.grant === 'none') return;
    if (streams.grant === 'streams') {
      role.addToPolicy(new PolicyStatement({ actions: KINESIS_READ_ACTIONS, resources: [...streams.arns] }));
      return;
    }
    const every = this.formatArn({ service: 'kinesis', resource: 'stream', resourceName: '*' });
    role.addToPolicy(new PolicyStatement({ actions: KINESIS_READ_ACTIONS, resources: [every] }));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kinesis:<AWS::Region>:<AWS::AccountId>:stream/*]',
      reason:
        'Ingestion sources (and their Kinesis streams) are named through the API at run time; reading is limited to the streams of this account and region, and the kinesisStreamArns context key narrows it to a list or to none.',
    });
  }

  /**
   * Notification channels are created through the API at run time, so their SNS topics and
   * roles are unknown at deploy time: publish to any topic of this account (other accounts'
   * topics through the channel's role_arn), and assume any role a channel names (the role's own
   * trust policy decides whether this control plane may).
   */
  private grantNotify(role: Role): void {
    const topics = `arn:${this.partition}:sns:*:${this.account}:*`;
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
  }

  /** Cluster environment for a function, and the matching permissions on its role. */
  private grantCluster(role: Role): Record<string, string> {
    const { cluster } = this.config;
    const env: Record<string, string> = { CLUSTER_AUTH: cluster.auth };
    if (cluster.endpoint) env.CLUSTER_ENDPOINT = cluster.endpoint;
    else {
      Annotations.of(role).addWarningV2(
        'index-management:clusterEndpoint',
        'this operation talks to the cluster but no clusterEndpoint is configured (-c clusterEndpoint=https://...): it will answer 500 until one is',
      );
    }
    if (cluster.auth === 'sigv4' && cluster.resourceArn) {
      env.CLUSTER_REGION = cluster.region ?? this.region;
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
  }
}
