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
import { ACTION_TYPES } from '../../lambdas/ism/policy/model';
import { WORKERS_NAMESPACE, namespaceOf } from '../../infra/namespace-stack';
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

/** One synthesized CloudFormation template: the parent stack's or a nested stack's. */
interface TemplateFile {
  /** File name in the cloud assembly, e.g. `IndexManagementIsmE3815EE4.nested.template.json`. */
  file: string;
  /** The stack's construct id: the parent's name, or the nested stack's (`Ism`, `Workers`, …). */
  stack: string;
  bytes: number;
  json: Json;
}

interface Synth {
  /** Every resource of the parent and its nested stacks (logical ids are unique across them). */
  template: Template;
  /** The parent stack alone. */
  parent: Template;
  resources: Record<string, Json>;
  templates: TemplateFile[];
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

const readJson = (file: string): Json => JSON.parse(fs.readFileSync(file, 'utf8')) as Json;

/**
 * The parent template of a cloud assembly and its nested templates, which CDK writes beside it as
 * `<parent><nested id><hash>.nested.template.json`.
 */
const templatesOf = (outdir: string, stackName: string): TemplateFile[] => {
  const read = (file: string, stack: string): TemplateFile => ({
    file,
    stack,
    bytes: fs.statSync(path.join(outdir, file)).size,
    json: readJson(path.join(outdir, file)),
  });
  const nestedName = new RegExp(`^${stackName}(\\w+?)[0-9A-F]{8}\\.nested\\.template\\.json$`);
  const nested = fs
    .readdirSync(outdir)
    .map((file) => [file, nestedName.exec(file)?.[1]] as const)
    .filter((entry): entry is readonly [string, string] => entry[1] !== undefined)
    .map(([file, id]) => read(file, id))
    .sort((a, b) => a.stack.localeCompare(b.stack));
  return [read(`${stackName}.template.json`, stackName), ...nested];
};

/** The resources of all templates in one map; a logical id used twice would hide a resource. */
const mergedResources = (templates: TemplateFile[]): Record<string, Json> => {
  const merged: Record<string, Json> = {};
  for (const t of templates) {
    for (const [id, resource] of Object.entries(t.json.Resources as Record<string, Json>)) {
      if (resource.Type === 'AWS::CDK::Metadata') continue; // the CLI's, one per template
      if (merged[id]) throw new Error(`logical id ${id} is used in two templates`);
      merged[id] = resource;
    }
  }
  return merged;
};

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
  const templates = templatesOf(outdir, stack.stackName);
  const resources = mergedResources(templates);
  const parent = templates[0].json;
  return {
    template: Template.fromJSON({ Resources: resources, Outputs: parent.Outputs }),
    parent: Template.fromJSON(parent),
    resources,
    templates,
    outdir,
  };
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

/**
 * Hard limits of CloudFormation, API Gateway, Lambda and IAM that a deployment must stay under,
 * with the room this project keeps (250 resources where CloudFormation allows 500).
 */
const LIMITS = {
  /** CloudFormation takes 500 resources per template; 250 leaves each template room to double. */
  resourcesPerTemplate: 250,
  /** CloudFormation: outputs and parameters per template. */
  outputsPerTemplate: 200,
  parametersPerTemplate: 200,
  /** CloudFormation: a template body read from S3 (every nested template, and the parent as cdk deploys it). */
  templateBytes: 1_000_000,
  /** API Gateway: routes per HTTP API (default quota). */
  routesPerApi: 300,
  /** Lambda: all environment variables of a function, names and values. */
  environmentBytes: 4 * 1024,
  /** IAM: the inline policies of one role together, whitespace excluded. */
  inlinePolicyBytes: 10_240,
  /** Lambda: a function's code unzipped. */
  unzippedCodeBytes: 250 * 1024 * 1024,
} as const;

/** Prints a measured figure next to the test's result. */
const report = (line: string): void => {
  process.stdout.write(`  ${line}\n`);
};

const directoryBytes = (dir: string): number =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .reduce(
      (sum, e) =>
        sum +
        (e.isDirectory() ? directoryBytes(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size),
      0,
    );

/**
 * A template value as it could resolve at deploy time, for size estimates: pseudo parameters at
 * their longest, any other reference (a table name or ARN, a log group ARN) as 320 characters,
 * more than any of them resolves to.
 */
const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws-iso-b',
  'AWS::Region': 'ap-southeast-5',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com.cn',
};
const resolveForSize = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(resolveForSize);
  if (value === null || typeof value !== 'object') return value;
  const v = value as Json;
  if (typeof v.Ref === 'string') return PSEUDO[v.Ref] ?? 'x'.repeat(320);
  if (v['Fn::GetAtt']) return 'x'.repeat(320);
  if (v['Fn::Join']) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return (parts.map(resolveForSize) as string[]).join(sep);
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveForSize(x)]));
};

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

  it("keeps every function far below Lambda's 250 MB of unzipped code", () => {
    const sizes = functionsOf(s).map(([id, fn]) => {
      const key = fn.Properties.Code.S3Key as string;
      return [id, directoryBytes(path.join(s.outdir, `asset.${key.replace(/\.zip$/, '')}`))] as const;
    });
    const [largest, bytes] = sizes.reduce((a, b) => (b[1] > a[1] ? b : a));
    report(`unzipped code: largest ${(bytes / 2 ** 20).toFixed(2)} MiB (${largest}) of 250 MB`);
    for (const [, size] of sizes) expect(size).toBeLessThan(LIMITS.unzippedCodeBytes);
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

describe('the split into nested stacks', () => {
  /** The deployment with the most resources and the longest settings a user can choose. */
  const FULLEST = {
    ...SIGV4,
    proxyDataPlane: 'true',
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    vpcSubnetIds: 'subnet-0a1b2c3d4e5f60718,subnet-1a1b2c3d4e5f60718,subnet-2a1b2c3d4e5f60718',
    ismAllowList: ACTION_TYPES.join(','),
    ingestionMode: 'native',
    kinesisStreamArns: Array.from(
      { length: 10 },
      (_, i) => `arn:aws:kinesis:eu-west-1:123456789012:stream/ingestion-source-stream-${i}`,
    ).join(','),
  };
  let s: Synth;
  beforeAll(() => {
    s = synth(FULLEST, { bundle: false });
  });

  const resourcesOf = (t: TemplateFile): [string, Json][] =>
    Object.entries(t.json.Resources as Record<string, Json>);

  it('deploys each namespace of the route table (its lambdas/<namespace>/ folder) and the workers in a nested stack of its own', () => {
    const [, ...nested] = s.templates;
    const expected = new Set([
      ...[...operations, fallback, dataPlaneProxy].map((o) => namespaceOf(o.handler)),
      WORKERS_NAMESPACE,
    ]);
    expect(nested.map((t) => t.stack).sort()).toEqual([...expected].map(constructIdFor).sort());
    const stackOf = (fnId: string): string | undefined =>
      s.templates.find((t) => t.json.Resources[fnId]?.Type === 'AWS::Lambda::Function')?.stack;
    for (const op of [...operations, fallback, dataPlaneProxy]) {
      expect(stackOf(constructIdFor(op.operation))).toBe(constructIdFor(namespaceOf(op.handler)));
    }
    for (const w of workers) expect(stackOf(constructIdFor(w.worker))).toBe('Workers');
  });

  it('keeps the table, the API, its stage and every route in the parent, which holds no function', () => {
    const types = new Set(
      Object.values(s.templates[0].json.Resources as Record<string, Json>).map((r) => r.Type),
    );
    expect([...types].sort()).toEqual(
      [
        'AWS::ApiGatewayV2::Api',
        'AWS::ApiGatewayV2::Route',
        'AWS::ApiGatewayV2::Stage',
        'AWS::CloudFormation::Stack',
        'AWS::DynamoDB::Table',
        'AWS::EC2::SecurityGroup',
        'AWS::Logs::LogGroup',
      ].sort(),
    );
    for (const t of s.templates.slice(1)) {
      expect(resourcesOf(t).filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route')).toEqual([]);
    }
  });

  it('gives each API function one invoke permission for all its routes, and its routes one integration', () => {
    const apiPermissions = ofType(s, 'AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties.Principal === 'apigateway.amazonaws.com',
    );
    const apiFunctions = [...operations, fallback, dataPlaneProxy].map((o) => constructIdFor(o.operation));
    expect(apiPermissions.map(([, p]) => p.Properties.FunctionName['Fn::GetAtt'][0]).sort()).toEqual(
      [...apiFunctions].sort(),
    );
    for (const [, p] of apiPermissions) {
      // Any route and stage of this API, and nothing else.
      expect(p.Properties.SourceArn['Fn::Join'][1].at(-1)).toBe('/*/*');
    }
    expect(ofType(s, 'AWS::ApiGatewayV2::Integration')).toHaveLength(apiFunctions.length);
  });

  it(`keeps every template under ${LIMITS.resourcesPerTemplate} resources, ${LIMITS.outputsPerTemplate} outputs and parameters, and 1 MB`, () => {
    report('resources per template (CloudFormation allows 500; this project keeps each under 250):');
    for (const t of s.templates) {
      report(
        `  ${t.stack.padEnd(16)} ${String(resourcesOf(t).length).padStart(4)} resources ${String(Object.keys(t.json.Outputs ?? {}).length).padStart(4)} outputs ${String(Object.keys(t.json.Parameters ?? {}).length).padStart(3)} parameters ${String(Math.round(t.bytes / 1000)).padStart(5)} kB`,
      );
    }
    for (const t of s.templates) {
      expect(resourcesOf(t).length).toBeLessThanOrEqual(LIMITS.resourcesPerTemplate);
      expect(Object.keys(t.json.Outputs ?? {}).length).toBeLessThanOrEqual(LIMITS.outputsPerTemplate);
      expect(Object.keys(t.json.Parameters ?? {}).length).toBeLessThanOrEqual(LIMITS.parametersPerTemplate);
      expect(t.bytes).toBeLessThan(LIMITS.templateBytes);
    }
  });

  it(`serves at most ${LIMITS.routesPerApi} routes, the HTTP API's default quota`, () => {
    const routes = ofType(s, 'AWS::ApiGatewayV2::Route').length;
    report(`routes: ${routes} of ${LIMITS.routesPerApi}`);
    expect(routes).toBeLessThanOrEqual(LIMITS.routesPerApi);
  });

  it("keeps each function's environment under Lambda's 4 KB", () => {
    const sizes = functionsOf(s).map(([id, fn]) => {
      const vars = resolveForSize(fn.Properties.Environment?.Variables ?? {}) as Record<string, string>;
      return [id, Object.entries(vars).reduce((n, [k, v]) => n + k.length + String(v).length, 0)] as const;
    });
    const [largest, bytes] = sizes.reduce((a, b) => (b[1] > a[1] ? b : a));
    report(`environment: largest ${bytes} bytes (${largest}) of ${LIMITS.environmentBytes}`);
    for (const [, size] of sizes) expect(size).toBeLessThan(LIMITS.environmentBytes);
  });

  it("keeps each role's inline policies under IAM's 10,240 characters", () => {
    const sizes = ofType(s, 'AWS::IAM::Role').map(([roleId, role]) => {
      const attached = ofType(s, 'AWS::IAM::Policy')
        .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId))
        .map(([, p]) => p.Properties.PolicyDocument as Json);
      const inline = ((role.Properties.Policies ?? []) as Json[]).map((p) => p.PolicyDocument as Json);
      const chars = [...attached, ...inline].reduce(
        (n, doc) => n + JSON.stringify(resolveForSize(doc)).length,
        0,
      );
      return [roleId, chars] as const;
    });
    const [largest, chars] = sizes.reduce((a, b) => (b[1] > a[1] ? b : a));
    report(`inline policy: largest ${chars} characters (${largest}) of ${LIMITS.inlinePolicyBytes}`);
    for (const [, size] of sizes) expect(size).toBeLessThan(LIMITS.inlinePolicyBytes);
  });

  it('has no cdk-nag finding left unacknowledged', () => {
    expect(nagViolations(s.outdir)).toEqual([]);
  });

  it('derives the nested stacks from the table: a route table of one namespace deploys that one, core and the workers', () => {
    const sm = operations.filter((o) => namespaceOf(o.handler) === 'sm');
    const small = synth({}, { bundle: false, routeTable: { ...ROUTE_TABLE, operations: sm } });
    expect(small.templates.map((t) => t.stack)).toEqual(['IndexManagement', 'Core', 'Sm', 'Workers']);
    const none = synth({}, { bundle: false, routeTable: { ...ROUTE_TABLE, operations: sm }, workers: [] });
    expect(none.templates.map((t) => t.stack)).toEqual(['IndexManagement', 'Core', 'Sm']);
  });

  it('refuses a handler outside lambdas/<namespace>/', () => {
    expect(namespaceOf('lambdas/transform/handlers/put-transform.ts')).toBe('transform');
    expect(() => namespaceOf('lambdas/shared/http.ts')).toThrow(/lambdas\/<namespace>\//);
    expect(() => namespaceOf('handlers/put.ts')).toThrow(/lambdas\/<namespace>\//);
  });
});

describe('an upgrade of a deployment from before the split', () => {
  const before = readJson(path.join(__dirname, 'fixtures', 'pre-nested-logical-ids.json')) as {
    table: string;
    api: string;
    stage: string;
    accessLogs: string;
    routes: Record<string, string>;
  };
  let s: Synth;
  beforeAll(() => {
    s = synth({ proxyDataPlane: 'true', clusterEndpoint: ENDPOINT }, { bundle: false });
  });

  it('keeps the table at its logical id, retained with deletion protection: a redeploy never replaces it', () => {
    const tables = Object.keys(s.templates[0].json.Resources as Record<string, Json>).filter(
      (id) => s.resources[id].Type === 'AWS::DynamoDB::Table',
    );
    expect(tables).toEqual([before.table]);
    expect(s.resources[before.table]).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { DeletionProtectionEnabled: true },
    });
  });

  it('keeps the API, its stage and its access logs at their logical ids', () => {
    const parent = s.templates[0].json.Resources as Record<string, Json>;
    expect(parent[before.api]?.Type).toBe('AWS::ApiGatewayV2::Api');
    expect(parent[before.stage]?.Type).toBe('AWS::ApiGatewayV2::Stage');
    expect(parent[before.accessLogs]?.Type).toBe('AWS::Logs::LogGroup');
  });

  it('keeps every route at its logical id (a route created anew would collide with its old self)', () => {
    const parent = s.templates[0].json.Resources as Record<string, Json>;
    const now = Object.fromEntries(
      Object.entries(parent)
        .filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route')
        .map(([id, r]) => [r.Properties.RouteKey as string, id]),
    );
    // Routes taken out since on purpose (the plugin never served them): gone, not moved.
    const removed = new Set([
      'POST /_opendistro/_ism/update_policy',
      'POST /_opendistro/_ism/update_policy/{index}',
    ]);
    for (const [key, id] of Object.entries(before.routes)) {
      if (removed.has(key)) expect(now[key]).toBeUndefined();
      else expect([key, now[key]]).toEqual([key, id]);
    }
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
    // The group lives in the parent; each nested stack receives its id as a parameter.
    const nestedStacks = ofType(s, 'AWS::CloudFormation::Stack');
    for (const [, fn] of functionsOf(s)) {
      const [group] = fn.Properties.VpcConfig.SecurityGroupIds as Json[];
      const passed = nestedStacks
        .map(([, n]) => n.Properties.Parameters?.[group.Ref as string] as Json | undefined)
        .filter(Boolean);
      expect(passed.length).toBeGreaterThan(0);
      for (const value of passed) {
        expect(value).toEqual({
          'Fn::GetAtt': [expect.stringMatching(/^FunctionSecurityGroup/), 'GroupId'],
        });
      }
    }
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

  it("runs ISM unlimited by default; ismStepsPerRun=1 is the plugin's pace, handed to the ism-runner", () => {
    expect(config({}).ism.stepsPerRun).toBeUndefined();
    expect(config({ ismStepsPerRun: 'unlimited' }).ism.stepsPerRun).toBeUndefined();
    expect(config({ ismStepsPerRun: '1' }).ism.stepsPerRun).toBe(1);
    const ism = workers.filter((w) => w.kind === 'ism');
    const paced = synth({ ...SIGV4, ismStepsPerRun: '1' }, { bundle: false, workers: ism });
    expect(paced.resources.IsmRunner.Properties.Environment.Variables).toMatchObject({
      ISM_STEPS_PER_RUN: '1',
    });
    const unlimited = synth(SIGV4, { bundle: false, workers: ism });
    expect(unlimited.resources.IsmRunner.Properties.Environment.Variables).not.toHaveProperty(
      'ISM_STEPS_PER_RUN',
    );
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
    [{ ismStepsPerRun: '0' }, /ismStepsPerRun must be a whole number, at least 1, or unlimited/],
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
    const resources = Object.values(mergedResources(templatesOf(outdir, 'ImCliTest')));
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
