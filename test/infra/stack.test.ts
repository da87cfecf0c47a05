import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { createApp } from '../../infra/app';
import { ConfigError, configFromContext } from '../../infra/config';
import { dataPlaneProxy, fallback, operations } from '../../infra/routes';
import { ROUTE_TABLE, RUNTIME, constructIdFor, type RouteTable } from '../../infra/stack';
import { FAN_OUT_DETAIL_TYPE, FAN_OUT_SOURCE, workers, type Worker } from '../../infra/workers';

/**
 * The CDK stack as a user deploys it: synthesized from CDK context through the real app (with
 * cdk-nag's AwsSolutions checks), asserted on the CloudFormation template.
 */
const ROOT = path.resolve(__dirname, '../..');
const DOMAIN_ARN = 'arn:aws:es:eu-west-1:123456789012:domain/logs';
const ENDPOINT = 'https://search-logs-abc123.eu-west-1.es.amazonaws.com';
const SIGV4 = { clusterEndpoint: ENDPOINT, clusterAuth: 'sigv4', clusterDomainArn: DOMAIN_ARN };

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Synth {
  template: Template;
  resources: Record<string, Json>;
  outdir: string;
}

// Synths with esbuild bundling and the CLI run take seconds; jest 30 ignores a project's testTimeout.
jest.setTimeout(180_000);

const outdirs: string[] = [];
const tmpdir = (prefix: string): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  outdirs.push(dir);
  return dir;
};
afterAll(() => outdirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/**
 * Synthesizes the app. `bundle: false` skips esbuild (CDK's `aws:cdk:bundling-stacks`) for the
 * scenarios that only look at configuration; the default deployment bundles for real.
 */
const synth = (
  context: Record<string, unknown> = {},
  opts: { bundle?: boolean; routeTable?: RouteTable; workers?: readonly Worker[] } = {},
): Synth => {
  const outdir = tmpdir('im-synth-');
  const bundling = opts.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {};
  const { app, stack } = createApp(
    { outdir, context: { ...bundling, ...context } },
    opts.routeTable,
    opts.workers,
  );
  app.synth(); // throws when a validation plugin (cdk-nag) reports an unacknowledged finding
  const template = Template.fromStack(stack);
  return { template, resources: template.toJSON().Resources as Record<string, Json>, outdir };
};

const ofType = (s: Synth, type: string): [string, Json][] =>
  Object.entries(s.resources).filter(([, r]) => r.Type === type);

const functionsOf = (s: Synth): [string, Json][] => ofType(s, 'AWS::Lambda::Function');

/** Every action the function's role may perform, from all policies attached to it. */
const actionsOf = (s: Synth, functionLogicalId: string): string[] => {
  const roleId = s.resources[functionLogicalId].Properties.Role['Fn::GetAtt'][0] as string;
  return ofType(s, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[])
    .flatMap((st) => [st.Action].flat() as string[]);
};

const validationReport = (outdir: string): Json =>
  JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as Json;

/** cdk-nag 3 reports through CDK's policy-validation report; AwsSolutions violations, if any. */
const nagViolations = (outdir: string): string[] =>
  (validationReport(outdir).pluginReports as Json[])
    .filter((r) => r.pluginName === 'AwsSolutions')
    .flatMap((r) => r.violations as Json[])
    .map((v) => `${v.ruleName}: ${(v.violatingConstructs as Json[]).map((c) => c.constructPath).join(', ')}`);

describe('the default deployment (no cluster, no proxy)', () => {
  let s: Synth;
  beforeAll(() => {
    s = synth();
  });

  it('requires SigV4 (AWS_IAM) on every route', () => {
    const routes = ofType(s, 'AWS::ApiGatewayV2::Route');
    expect(routes.length).toBeGreaterThan(0);
    for (const [, route] of routes) expect(route.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  it('deploys one arm64 function per operation of the route table and per worker, plus the fallback, on the newest Node.js', () => {
    const fns = functionsOf(s);
    expect(fns).toHaveLength(operations.length + workers.length + 1);
    const newestNode = Runtime.ALL.map(String)
      .filter((r) => /^nodejs\d/.test(r))
      .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
      .at(-1);
    expect(RUNTIME.name).toBe(newestNode);
    for (const [, fn] of fns) {
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.Runtime).toBe(RUNTIME.name);
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON' });
      expect(fn.Properties.Environment.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'index-management',
      });
    }
    const ids = fns.map(([id]) => id).sort();
    expect(ids).toEqual(
      [...operations.map((o) => o.operation), ...workers.map((w) => w.worker), fallback.operation]
        .map(constructIdFor)
        .sort(),
    );
    expect(ids).toContain('IsmPutPolicy');
  });

  it('gives every function a log group with a retention', () => {
    for (const [, fn] of functionsOf(s)) {
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
      expect(s.resources[logGroupId].Properties.RetentionInDays).toBe(30);
    }
  });

  it('serves every path of the route table as a route, and the owned prefixes through the fallback', () => {
    const keys = ofType(s, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string);
    for (const op of operations) for (const p of op.paths) expect(keys).toContain(`${op.method} ${p}`);
    expect(keys).toEqual(expect.arrayContaining(['ANY /_plugins/{proxy+}', 'ANY /_opendistro/{proxy+}']));
    expect(keys).not.toContain('$default');
  });

  it('bundled each handler with the local esbuild, minified, with the AWS SDK inside (as the bench measures)', () => {
    const key = s.resources.IsmPutPolicy.Properties.Code.S3Key as string;
    const asset = path.join(s.outdir, `asset.${key.replace(/\.zip$/, '')}`);
    const js = fs.readFileSync(path.join(asset, 'index.js'), 'utf8');
    expect(js.includes('require("@aws-sdk/client-dynamodb")')).toBe(false);
    expect(js.includes('ConditionalCheckFailedException')).toBe(true);
    expect(js.length / js.split('\n').length).toBeGreaterThan(2000); // minified: long lines
  });

  it('stores documents in an on-demand, point-in-time-recoverable, encrypted table that outlives the stack', () => {
    s.template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('lets a read-only operation read the table but never write to it', () => {
    const read = actionsOf(s, constructIdFor('ism.get_policy'));
    expect(read).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
    for (const write of [
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:UpdateItem',
      'dynamodb:BatchWriteItem',
    ]) {
      expect(read).not.toContain(write);
    }
    expect(read.some((a) => a.includes('*'))).toBe(false);
    expect(actionsOf(s, constructIdFor('ism.put_policy'))).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ]),
    );
  });

  it('lets only the functions that deliver notifications publish to SNS and assume a channel role', () => {
    const sendTest = actionsOf(s, constructIdFor('notifications.send_test'));
    expect(sendTest).toEqual(expect.arrayContaining(['sns:Publish', 'sts:AssumeRole']));
    for (const op of operations.filter((o) => !o.notify)) {
      const actions = actionsOf(s, constructIdFor(op.operation));
      expect(actions).not.toContain('sns:Publish');
      expect(actions).not.toContain('sts:AssumeRole');
    }
  });

  it('gives the fallback neither the table nor the cluster', () => {
    const id = constructIdFor(fallback.operation);
    expect(actionsOf(s, id).filter((a) => !a.startsWith('logs:'))).toEqual([]);
    expect(Object.keys(s.resources[id].Properties.Environment.Variables)).not.toContain('TABLE_NAME');
  });

  it('has no cdk-nag finding left unacknowledged', () => {
    expect(nagViolations(s.outdir)).toEqual([]);
  });

  it('outputs the API URL and the table name', () => {
    s.template.hasOutput('ApiUrl', {});
    s.template.hasOutput('TableName', { Value: { Ref: Match.stringLikeRegexp('^Table') } });
  });
});

describe('the workers', () => {
  const sample: Worker[] = [
    {
      kind: 'sample',
      worker: 'sample-runner',
      handler: 'lambdas/core/handlers/route-fallback.ts',
      schedule: 'rate(1 minute)',
      timeoutSeconds: 300,
      cluster: true,
      environment: { SAMPLE_INTERVAL_MINUTES: '5' },
    },
  ];
  let s: Synth;
  beforeAll(() => {
    s = synth(SIGV4, { bundle: false, workers: sample });
  });

  it('wakes each worker with an EventBridge rule on its schedule, without retries', () => {
    const rules = ofType(s, 'AWS::Events::Rule').filter(([, r]) => r.Properties.ScheduleExpression);
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0];
    expect(rule.Properties.ScheduleExpression).toBe('rate(1 minute)');
    expect(rule.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': ['SampleRunner', 'Arn'] });
    expect(rule.Properties.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 0 });
    s.template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': ['SampleRunner', 'Arn'] },
    });
  });

  it('lets a worker fan out: it may put events on the default bus, and a rule routes its own back to it', () => {
    const rules = ofType(s, 'AWS::Events::Rule').filter(([, r]) => r.Properties.EventPattern);
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0];
    expect(rule.Properties.EventPattern).toEqual({
      source: [FAN_OUT_SOURCE],
      'detail-type': [FAN_OUT_DETAIL_TYPE],
      detail: { worker: ['sample-runner'] },
    });
    expect(rule.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': ['SampleRunner', 'Arn'] });
    expect(rule.Properties.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 0 });
    expect(s.resources.SampleRunner.Properties.Environment.Variables.WORKER_FAN_OUT).toBe('eventbridge');
    expect(actionsOf(s, 'SampleRunner')).toContain('events:PutEvents');
    const putEvents = ofType(s, 'AWS::IAM::Policy')
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[])
      .filter((st) => [st.Action].flat().includes('events:PutEvents'));
    expect(JSON.stringify(putEvents.map((st) => st.Resource))).toContain(':event-bus/default');
  });

  it('gives a worker its timeout, its environment, the cluster, and read-write access to the table and its due index', () => {
    const fn = s.resources.SampleRunner.Properties;
    expect(fn.Timeout).toBe(300);
    expect(fn.Environment.Variables).toMatchObject({
      SAMPLE_INTERVAL_MINUTES: '5',
      CLUSTER_ENDPOINT: ENDPOINT,
      TABLE_NAME: expect.anything(),
    });
    expect(actionsOf(s, 'SampleRunner')).toEqual(
      expect.arrayContaining(['dynamodb:Query', 'dynamodb:UpdateItem', 'es:ESHttpPost']),
    );
    const roleId = s.resources.SampleRunner.Properties.Role['Fn::GetAtt'][0] as string;
    const resources = ofType(s, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[])
      .filter((st) => [st.Action].flat().includes('dynamodb:Query'))
      .flatMap((st) => [st.Resource].flat());
    expect(JSON.stringify(resources)).toContain('/index/due');
  });

  it('indexes due work by kind and due time, keys only', () => {
    s.template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: 'due',
          KeySchema: [
            { AttributeName: 'dueKey', KeyType: 'HASH' },
            { AttributeName: 'dueAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
  });

  it('has no cdk-nag finding left unacknowledged', () => {
    expect(nagViolations(s.outdir)).toEqual([]);
  });
});

describe('the data-plane proxy', () => {
  it('takes the $default route, signed for the cluster, only when proxyDataPlane is on', () => {
    const on = synth({ ...SIGV4, proxyDataPlane: 'true' }, { bundle: false });
    on.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default',
      AuthorizationType: 'AWS_IAM',
    });
    const proxyId = constructIdFor(dataPlaneProxy.operation);
    expect(on.resources[proxyId].Properties.Environment.Variables).toMatchObject({
      CLUSTER_ENDPOINT: ENDPOINT,
      CLUSTER_AUTH: 'sigv4',
      CLUSTER_SERVICE: 'es',
    });
    expect(actionsOf(on, proxyId)).toEqual(expect.arrayContaining(['es:ESHttpGet', 'es:ESHttpPut']));
    // It reads the table (the indices the poller ingests, whose writes it refuses), never writes it.
    const dynamo = actionsOf(on, proxyId).filter((a) => a.startsWith('dynamodb:'));
    expect(dynamo.length).toBeGreaterThan(0);
    expect(dynamo.filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
    expect(nagViolations(on.outdir)).toEqual([]);

    const off = synth({ ...SIGV4, proxyDataPlane: false }, { bundle: false });
    const keys = ofType(off, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    expect(keys).not.toContain('$default');
    expect(off.resources[proxyId]).toBeUndefined();
  });
});

describe('cluster access', () => {
  /** The route table with one more operation that talks to the cluster. */
  const withClusterOperation: RouteTable = {
    ...ROUTE_TABLE,
    operations: [
      ...operations,
      {
        operation: 'test.cluster_probe',
        method: 'GET',
        paths: ['/_plugins/_test/probe'],
        handler: operations[0].handler,
        params: [],
        cluster: true,
      },
    ],
  };

  it('reaches only the functions whose operation declares it', () => {
    const s = synth(SIGV4, { bundle: false, routeTable: withClusterOperation });
    for (const op of withClusterOperation.operations) {
      const id = constructIdFor(op.operation);
      const vars = Object.keys(s.resources[id].Properties.Environment.Variables);
      const actions = actionsOf(s, id);
      if (op.cluster) {
        expect(vars).toEqual(expect.arrayContaining(['CLUSTER_ENDPOINT', 'CLUSTER_AUTH', 'CLUSTER_REGION']));
        expect(actions).toContain('es:ESHttpGet');
      } else {
        expect(vars.filter((v) => v.startsWith('CLUSTER_'))).toEqual([]);
        expect(actions.some((a) => a.startsWith('es:'))).toBe(false);
      }
    }
    // Scoped to the one domain's paths, never the whole service.
    s.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Resource: `${DOMAIN_ARN}/*` })]) },
    });
    expect(nagViolations(s.outdir)).toEqual([]);
  });

  it('reads the basic-auth secret, and only where the cluster is used', () => {
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:opensearch-admin-AbC123';
    const s = synth(
      {
        clusterEndpoint: 'https://opensearch.internal:9200',
        clusterAuth: 'basic',
        clusterSecretArn: secretArn,
        proxyDataPlane: true,
      },
      { bundle: false, routeTable: withClusterOperation },
    );
    const probe = constructIdFor('test.cluster_probe');
    expect(s.resources[probe].Properties.Environment.Variables).toMatchObject({
      CLUSTER_AUTH: 'basic',
      CLUSTER_SECRET_ARN: secretArn,
    });
    expect(actionsOf(s, probe)).toContain('secretsmanager:GetSecretValue');
    expect(actionsOf(s, constructIdFor('ism.get_policy'))).not.toContain('secretsmanager:GetSecretValue');
    expect(nagViolations(s.outdir)).toEqual([]);
  });

  it('grants aoss:APIAccessAll on the collection for OpenSearch Serverless', () => {
    const collection = 'arn:aws:aoss:eu-west-1:123456789012:collection/k2c1zqkq0s5gvvyxa5in';
    const s = synth(
      {
        clusterEndpoint: 'https://k2c1zqkq0s5gvvyxa5in.eu-west-1.aoss.amazonaws.com',
        clusterAuth: 'sigv4',
        clusterService: 'aoss',
        clusterDomainArn: collection,
        proxyDataPlane: 'true',
      },
      { bundle: false },
    );
    s.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{ Action: 'aoss:APIAccessAll', Effect: 'Allow', Resource: collection }]),
      },
    });
    expect(
      s.resources[constructIdFor(dataPlaneProxy.operation)].Properties.Environment.Variables.CLUSTER_SERVICE,
    ).toBe('aoss');
  });
});

describe('Kinesis streams', () => {
  const KINESIS = ['kinesis:ListShards', 'kinesis:GetShardIterator', 'kinesis:GetRecords'];
  /** The functions that read a stream: the poller, and every function that can roll an ingesting index over. */
  const READERS = ['IndicesRollover', 'IsmRunner', 'IngestionPoller'];

  /** The resources of the Kinesis statements on the function's role. */
  const kinesisResources = (s: Synth, functionLogicalId: string): unknown[] => {
    const roleId = s.resources[functionLogicalId].Properties.Role['Fn::GetAtt'][0] as string;
    return ofType(s, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[])
      .filter((st) => [st.Action].flat().some((a: string) => a.startsWith('kinesis:')))
      .flatMap((st) => {
        expect([st.Action].flat().sort()).toEqual([...KINESIS].sort());
        return [st.Resource].flat() as unknown[];
      });
  };

  it('lets the poller, the rollover API and the ISM runner read every stream of the account and region, and nobody else', () => {
    const s = synth(SIGV4, { bundle: false });
    const readers = functionsOf(s)
      .filter(([id]) => actionsOf(s, id).some((a) => a.startsWith('kinesis:')))
      .map(([id]) => id);
    expect(readers.sort()).toEqual([...READERS].sort());
    for (const id of READERS) {
      expect(actionsOf(s, id)).toEqual(expect.arrayContaining(KINESIS));
      expect(kinesisResources(s, id)).toEqual([
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':kinesis:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':stream/*',
            ],
          ],
        },
      ]);
    }
    expect(nagViolations(s.outdir)).toEqual([]);
  });

  it('grants only the streams kinesisStreamArns lists', () => {
    const orders = 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders';
    const clicks = 'arn:aws:kinesis:eu-west-1:210987654321:stream/clicks.v2';
    const s = synth({ ...SIGV4, kinesisStreamArns: `${orders}, ${clicks}` }, { bundle: false });
    for (const id of READERS) expect(kinesisResources(s, id)).toEqual([orders, clicks]);
    expect(kinesisResources(s, constructIdFor('ingestion.get_state'))).toEqual([]);
    expect(nagViolations(s.outdir)).toEqual([]);
    const fromJson = synth({ ...SIGV4, kinesisStreamArns: JSON.stringify([orders]) }, { bundle: false });
    expect(kinesisResources(fromJson, 'IngestionPoller')).toEqual([orders]);
  });

  it('grants no stream at all with kinesisStreamArns=none', () => {
    const s = synth({ ...SIGV4, kinesisStreamArns: 'none' }, { bundle: false });
    for (const [id] of functionsOf(s)) {
      expect(actionsOf(s, id).filter((a) => a.startsWith('kinesis:'))).toEqual([]);
    }
    expect(nagViolations(s.outdir)).toEqual([]);
  });
});

describe('a VPC from context', () => {
  it('puts every function in the given subnets and security groups, without looking anything up', () => {
    const s = synth(
      {
        vpcId: 'vpc-0a1b2c3d4e5f60718',
        vpcSubnetIds: 'subnet-0a1b2c3d4e5f60718,subnet-1a1b2c3d4e5f60718',
        securityGroupIds: '["sg-0a1b2c3d4e5f60718"]',
      },
      { bundle: false },
    );
    const fns = functionsOf(s);
    expect(fns).toHaveLength(operations.length + workers.length + 1);
    for (const [id, fn] of fns) {
      expect(fn.Properties.VpcConfig).toEqual({
        SubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-1a1b2c3d4e5f60718'],
        SecurityGroupIds: ['sg-0a1b2c3d4e5f60718'],
      });
      const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
      expect(JSON.stringify(s.resources[roleId].Properties.ManagedPolicyArns)).toContain(
        'AWSLambdaVPCAccessExecutionRole',
      );
      expect(id).toBeTruthy();
    }
    expect(nagViolations(s.outdir)).toEqual([]);
  });

  it('creates one egress-only security group when none is given', () => {
    const s = synth(
      { vpcId: 'vpc-0a1b2c3d4e5f60718', vpcSubnetIds: 'subnet-0a1b2c3d4e5f60718' },
      { bundle: false },
    );
    expect(ofType(s, 'AWS::EC2::SecurityGroup')).toHaveLength(1);
    const [, fn] = functionsOf(s)[0];
    expect(fn.Properties.VpcConfig.SecurityGroupIds).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^FunctionSecurityGroup/), 'GroupId'] },
    ]);
  });
});

describe('cdk-nag', () => {
  it('fails the synth on a finding nobody acknowledged', () => {
    const outdir = tmpdir('im-nag-');
    const { app, stack } = createApp({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    new LambdaFunction(stack, 'Outdated', {
      runtime: Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler=async()=>1'),
    });
    // In-process (NODE_ENV=test) the thrown error carries the report; the CLI prints it and exits 1.
    expect(() => app.synth()).toThrow(/AwsSolutions-L1/);
    expect(nagViolations(outdir)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AwsSolutions-L1: .*\/Outdated\//),
        expect.stringMatching(/^AwsSolutions-IAM4\[/),
      ]),
    );
  });
});

describe('configuration from context', () => {
  const config = (context: Record<string, unknown>) =>
    configFromContext({ tryGetContext: (k: string) => context[k] });

  it('defaults the ISM job interval to 5 minutes and jitter to 0.6, as the plugin does', () => {
    expect(config({}).ism).toMatchObject({ jobIntervalMinutes: 5, jitter: 0.6 });
    expect(config({ ismJobIntervalMinutes: '1', ismJitter: '0' }).ism).toMatchObject({
      jobIntervalMinutes: 1,
      jitter: 0,
    });
  });

  it('hands the ISM job interval and jitter to the ism-runner function', () => {
    const ism = workers.filter((w) => w.kind === 'ism');
    const s = synth(
      { ...SIGV4, ismJobIntervalMinutes: '2', ismJitter: '0.25' },
      { bundle: false, workers: ism },
    );
    expect(s.resources.IsmRunner.Properties.Environment.Variables).toMatchObject({
      ISM_JOB_INTERVAL_MINUTES: '2',
      ISM_JITTER: '0.25',
    });
  });

  it('hands the ISM allow list to every function, as the plugin setting holds for the whole cluster', () => {
    expect(config({ ismAllowList: 'rollover, delete' }).ism.allowList).toEqual(['rollover', 'delete']);
    expect(config({ ismAllowList: ['read_only'] }).ism.allowList).toEqual(['read_only']);
    expect(config({ ismAllowList: '' }).ism.allowList).toBeUndefined();
    const ism = workers.filter((w) => w.kind === 'ism');
    const s = synth({ ...SIGV4, ismAllowList: 'rollover,delete' }, { bundle: false, workers: ism });
    expect(s.resources.IsmRunner.Properties.Environment.Variables.ISM_ALLOW_LIST).toBe('rollover,delete');
    expect(
      s.resources[constructIdFor('ism.put_policy')].Properties.Environment.Variables.ISM_ALLOW_LIST,
    ).toBe('rollover,delete');
    const unset = synth(SIGV4, { bundle: false, workers: ism });
    expect(unset.resources.IsmRunner.Properties.Environment.Variables.ISM_ALLOW_LIST).toBeUndefined();
  });

  it('hands ingestionMode=native to the functions; control-plane is the default and sets nothing', () => {
    expect(config({}).ingestionMode).toBe('control-plane');
    expect(config({ ingestionMode: 'NATIVE' }).ingestionMode).toBe('native');
    const create = constructIdFor('indices.create');
    const native = synth({ ...SIGV4, ingestionMode: 'native' }, { bundle: false, workers: [] });
    expect(native.resources[create].Properties.Environment.Variables.INGESTION_MODE).toBe('native');
    const unset = synth(SIGV4, { bundle: false, workers: [] });
    expect(unset.resources[create].Properties.Environment.Variables.INGESTION_MODE).toBeUndefined();
  });

  it('hands the ISM history settings to the ism-runner, with the plugin defaults', () => {
    expect(config({}).ism.history).toEqual({
      enabled: true,
      maxDocs: 2_500_000,
      maxAgeHours: 24,
      retentionDays: 30,
      replicas: 1,
    });
    const ism = workers.filter((w) => w.kind === 'ism');
    const s = synth(
      { ...SIGV4, ismHistoryEnabled: 'false', ismHistoryRetentionDays: '7', ismHistoryReplicas: '0' },
      { bundle: false, workers: ism },
    );
    expect(s.resources.IsmRunner.Properties.Environment.Variables).toMatchObject({
      ISM_HISTORY_ENABLED: 'false',
      ISM_HISTORY_RETENTION_DAYS: '7',
      ISM_HISTORY_REPLICAS: '0',
      ISM_HISTORY_MAX_DOCS: '2500000',
      ISM_HISTORY_MAX_AGE_HOURS: '24',
    });
  });

  it('hands the rollup search settings to the search functions, with the plugin defaults', () => {
    expect(config({}).rollup.search).toEqual({ enabled: true, allJobs: false, sourceIndices: false });
    const s = synth(
      {
        ...SIGV4,
        rollupSearchEnabled: 'false',
        rollupSearchAllJobs: true,
        rollupSearchSourceIndices: 'true',
      },
      { bundle: false, workers: [] },
    );
    for (const op of ['rollups.search', 'rollups.search_get']) {
      expect(s.resources[constructIdFor(op)].Properties.Environment.Variables).toMatchObject({
        ROLLUP_SEARCH_ENABLED: 'false',
        ROLLUP_SEARCH_ALL_JOBS: 'true',
        ROLLUP_SEARCH_SOURCE_INDICES: 'true',
      });
    }
    expect(
      s.resources[constructIdFor('rollups.put')].Properties.Environment.Variables.ROLLUP_SEARCH_ENABLED,
    ).toBeUndefined();
  });

  it('accepts the string "true" for proxyDataPlane, as `-c proxyDataPlane=true` passes it', () => {
    expect(config({ proxyDataPlane: 'true', clusterEndpoint: ENDPOINT }).proxyDataPlane).toBe(true);
    expect(config({ proxyDataPlane: true, clusterEndpoint: ENDPOINT }).proxyDataPlane).toBe(true);
    expect(config({}).proxyDataPlane).toBe(false);
  });

  it('reads kinesisStreamArns as a comma list, a JSON array, none, or (unset) every stream of the account', () => {
    const arn = 'arn:aws:kinesis:us-east-1:123456789012:stream/orders';
    const cn = 'arn:aws-cn:kinesis:cn-north-1:123456789012:stream/orders_2';
    expect(config({}).kinesisStreams).toEqual({ grant: 'account' });
    expect(config({ kinesisStreamArns: '' }).kinesisStreams).toEqual({ grant: 'account' });
    expect(config({ kinesisStreamArns: 'none' }).kinesisStreams).toEqual({ grant: 'none' });
    expect(config({ kinesisStreamArns: ' NONE ' }).kinesisStreams).toEqual({ grant: 'none' });
    expect(config({ kinesisStreamArns: `${arn},${cn},${arn}` }).kinesisStreams).toEqual({
      grant: 'streams',
      arns: [arn, cn],
    });
    expect(config({ kinesisStreamArns: JSON.stringify([arn]) }).kinesisStreams).toEqual({
      grant: 'streams',
      arns: [arn],
    });
    expect(config({ kinesisStreamArns: [cn] }).kinesisStreams).toEqual({ grant: 'streams', arns: [cn] });
  });

  it.each([
    [{ clusterAuth: 'sigv4', clusterEndpoint: ENDPOINT }, /clusterDomainArn/],
    [
      { clusterAuth: 'sigv4', clusterEndpoint: ENDPOINT, clusterDomainArn: 'arn:aws:s3:::bucket' },
      /domain ARN/,
    ],
    [{ clusterAuth: 'basic', clusterEndpoint: ENDPOINT }, /clusterSecretArn/],
    [{ clusterAuth: 'kerberos' }, /none\|sigv4\|basic/],
    [{ proxyDataPlane: 'true' }, /clusterEndpoint/],
    [{ proxyDataPlane: 'yes', clusterEndpoint: ENDPOINT }, /true or false/],
    [{ vpcId: 'vpc-0a1b2c3d4e5f60718' }, /vpcSubnetIds/],
    [{ vpcSubnetIds: 'subnet-0a1b2c3d4e5f60718' }, /need vpcId/],
    [{ vpcId: 'vpc-0a1b2c3d4e5f60718', vpcSubnetIds: 'sg-0a1b2c3d4e5f60718' }, /subnet-/],
    [{ logRetentionDays: '31' }, /logRetentionDays/],
    [{ ismJobIntervalMinutes: '0' }, /ismJobIntervalMinutes.*at least 1/],
    [{ ismJobIntervalMinutes: '2.5' }, /ismJobIntervalMinutes/],
    [{ ismJitter: '1.5' }, /ismJitter/],
    [{ ismAllowList: 'rollover,rolover' }, /unknown ISM action types \[rolover\]/],
    [{ ismHistoryEnabled: 'yes' }, /ismHistoryEnabled must be true or false/],
    [{ ismHistoryReplicas: '-1' }, /ismHistoryReplicas must be a whole number, at least 0/],
    [{ ismHistoryMaxDocs: '0' }, /ismHistoryMaxDocs/],
    [{ rollupSearchAllJobs: 'yes' }, /rollupSearchAllJobs must be true or false/],
    [{ kinesisStreamArns: 'orders' }, /kinesisStreamArns must hold Kinesis stream ARNs .*\[orders\]/],
    [
      { kinesisStreamArns: 'arn:aws:kinesis:eu-west-1:123456789012:stream/*' },
      /kinesisStreamArns must hold Kinesis stream ARNs/,
    ],
    [
      { kinesisStreamArns: 'arn:aws:sqs:eu-west-1:123456789012:orders' },
      /kinesisStreamArns must hold Kinesis stream ARNs/,
    ],
    [
      { kinesisStreamArns: 'none,arn:aws:kinesis:eu-west-1:123456789012:stream/orders' },
      /cannot be combined/,
    ],
    [{ kinesisStreamArns: '["arn:aws:kinesis' }, /kinesisStreamArns must be none, or stream ARNs/],
    [{ ingestionMode: 'cluster' }, /ingestionMode must be one of control-plane\|native, got \[cluster\]/],
  ])('refuses %j with a reason', (context, reason) => {
    expect(() => config(context)).toThrow(ConfigError);
    expect(() => config(context)).toThrow(reason);
  });
});

describe('the real CDK CLI', () => {
  it('synthesizes offline with string context from the command line', async () => {
    const outdir = tmpdir('im-cli-');
    // Without jest's NODE_ENV=test the app behaves as under a user's shell.
    const cliEnv = { ...process.env };
    delete cliEnv.NODE_ENV;
    const { stderr } = await promisify(execFile)(
      'npx',
      [
        'cdk',
        'synth',
        '--quiet',
        '--no-notices',
        '--output',
        outdir,
        '-c',
        'proxyDataPlane=true',
        '-c',
        `clusterEndpoint=${ENDPOINT}`,
        '-c',
        'stackName=ImCliTest',
      ],
      {
        cwd: ROOT,
        env: { ...cliEnv, CDK_DISABLE_VERSION_CHECK: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true' },
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((e: Error & { stderr?: string }) => {
      throw new Error(`cdk synth failed: ${e.message}\n${e.stderr ?? ''}`);
    });
    const template = JSON.parse(
      fs.readFileSync(path.join(outdir, 'ImCliTest.template.json'), 'utf8'),
    ) as Json;
    const resources = Object.values(template.Resources as Record<string, Json>);
    expect(resources.filter((r) => r.Type === 'AWS::Lambda::Function')).toHaveLength(
      operations.length + workers.length + 2,
    );
    expect(
      resources.some((r) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.RouteKey === '$default'),
    ).toBe(true);
    expect(stderr).not.toMatch(/AwsSolutions-/);
    // It bundles every function with esbuild: minutes on a busy 2-core machine.
  }, 600_000);
});
