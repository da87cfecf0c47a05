import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CfnRoute, HttpApi, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { SecurityGroup, Subnet, Vpc, type ISecurityGroup } from 'aws-cdk-lib/aws-ec2';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ControlPlaneConfig } from './config';
import { constructIdFor, type FunctionDeps } from './functions';
import { NamespaceStack, WORKERS_NAMESPACE, namespaceOf } from './namespace-stack';
import * as routes from './routes';
import { DUE_INDEX, TABLE } from './table';
import { workers as WORKERS, type Worker } from './workers';

export { RUNTIME, SERVICE_NAME, constructIdFor } from './functions';

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
 * CloudFormation takes at most 500 resources per stack, so the functions live in nested stacks,
 * one per namespace of the route table (the handler's folder under `lambdas/`: `ism`, `sm`,
 * `rollup`, …) and one for the workers. This parent keeps what must never be replaced or
 * renamed: the table, the API with its stage, and every route (at the logical id it has always
 * had). A route targets the integration its namespace's stack exports.
 *
 * Each function gets only what its operation needs: read-only table access for GET/HEAD, read-write
 * for the rest, and the cluster's endpoint and credentials only when the operation talks to the
 * cluster.
 */
export class IndexManagementStack extends Stack {
  readonly table: Table;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** Functions by operation name (route-table operations, fallback, proxy when enabled, workers). */
  readonly functions = new Map<string, NodejsFunction>();
  /** The nested stacks by namespace (`ism`, `sm`, …, `core`, `workers`). */
  readonly namespaces = new Map<string, NamespaceStack>();

  private readonly deps: FunctionDeps;

  constructor(scope: Construct, id: string, props: IndexManagementStackProps) {
    super(scope, id, {
      description:
        'OpenSearch index-management APIs (ISM, SM, rollups, rollover, ingestion) as a serverless control plane',
      ...props,
    });
    const { config } = props;
    const routeTable = props.routeTable ?? ROUTE_TABLE;

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

    this.deps = { config, table: this.table, ...this.network(config) };

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetentionDays as RetentionDays,
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
      const integration = this.namespace(namespaceOf(op.handler)).addOperation(op.operation, op.handler, {
        table: op.method === 'GET' || op.method === 'HEAD' ? 'read' : 'readWrite',
        cluster: op.cluster === true,
        notify: op.notify === true,
        environment: op.configEnvironment?.(config),
        streams: op.streams === true,
      });
      for (const routePath of op.paths) this.apiRoute(op.method, routePath, integration.integrationId);
    }

    // Unmatched requests under the index-management prefixes are answered by the control plane
    // (405 / "no handler found"), never passed to the cluster.
    const { fallback, dataPlaneProxy } = routeTable;
    const fallbackIntegration = this.namespace(namespaceOf(fallback.handler)).addOperation(
      fallback.operation,
      fallback.handler,
      { table: 'none', cluster: false },
    );
    for (const prefix of routeTable.ownedPrefixes) {
      const base = prefix.replace(/\/+$/, '');
      for (const routePath of [base, `${base}/{proxy+}`]) {
        this.apiRoute('ANY', routePath, fallbackIntegration.integrationId);
      }
    }

    if (config.proxyDataPlane) {
      // A Lambda, not a plain HTTP_PROXY integration: a SigV4 or basic-auth cluster needs every
      // request signed or authenticated, and the cluster client module (lambdas/shared/cluster.ts)
      // is the only code that talks to the cluster. It also strips the caller's API Gateway
      // credentials, which must never reach the cluster.
      const proxyIntegration = this.namespace(namespaceOf(dataPlaneProxy.handler)).addOperation(
        dataPlaneProxy.operation,
        dataPlaneProxy.handler,
        // Reads which indices the poller ingests: writes to them are refused as OpenSearch does.
        { table: 'read', cluster: true },
      );
      this.route(new Construct(this, 'DataPlaneRoute'), '$default', proxyIntegration.integrationId);
    }

    // One function and two EventBridge rules (schedule and fan-out) per worker.
    for (const worker of props.workers ?? WORKERS) this.namespace(WORKERS_NAMESPACE).addWorker(worker);

    for (const nested of this.namespaces.values()) {
      for (const [name, fn] of nested.functions) this.functions.set(name, fn);
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

  /** The nested stack of a namespace, created on first use (construct id `Ism`, `Sm`, …). */
  private namespace(name: string): NamespaceStack {
    let nested = this.namespaces.get(name);
    if (!nested) {
      nested = new NamespaceStack(this, constructIdFor(name), {
        description:
          name === WORKERS_NAMESPACE
            ? 'Index management: the scheduled workers'
            : `Index management: the ${name} operations`,
        deps: this.deps,
        api: this.api,
      });
      this.namespaces.set(name, nested);
    }
    return nested;
  }

  /**
   * A route of the API, at the construct path `HttpApi.addRoutes` gives it (`Api/<METHOD><path>`),
   * so its logical id is the one every earlier deployment had. The L1 resource because the L2
   * route insists on creating its integration itself, in the route's stack.
   */
  private apiRoute(method: routes.HttpMethod | 'ANY', routePath: string, integrationId: string): void {
    this.route(new Construct(this.api, `${method}${routePath}`), `${method} ${routePath}`, integrationId);
  }

  private route(scope: Construct, routeKey: string, integrationId: string): void {
    new CfnRoute(scope, 'Resource', {
      apiId: this.api.apiId,
      routeKey,
      // Every caller signs with SigV4 (execute-api:Invoke).
      authorizationType: 'AWS_IAM',
      target: `integrations/${integrationId}`,
    });
  }

  /**
   * The VPC of the functions, when configured: imported by id, never looked up, so synth needs no
   * account and no network. Subnets are given explicitly, so the VPC's own subnet and zone lists
   * are never read.
   */
  private network(config: ControlPlaneConfig): Omit<FunctionDeps, 'config' | 'table'> {
    if (!config.vpc) return {};
    const vpc = Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: config.vpc.vpcId,
      availabilityZones: this.availabilityZones,
    });
    const vpcSubnets = {
      subnets: config.vpc.subnetIds.map((subnetId, i) => Subnet.fromSubnetId(this, `Subnet${i}`, subnetId)),
    };
    const securityGroups: ISecurityGroup[] =
      config.vpc.securityGroupIds.length > 0
        ? config.vpc.securityGroupIds.map((sgId, i) =>
            SecurityGroup.fromSecurityGroupId(this, `SecurityGroup${i}`, sgId),
          )
        : [
            new SecurityGroup(this, 'FunctionSecurityGroup', {
              vpc,
              description:
                'Index-management functions: outbound only (DynamoDB, the cluster, Secrets Manager)',
              allowAllOutbound: true,
            }),
          ];
    return { vpc, vpcSubnets, securityGroups };
  }
}
