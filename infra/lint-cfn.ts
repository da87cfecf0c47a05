/**
 * `npm run lint:cfn`: cfn-lint over every template the app synthesizes (the parent stack and each
 * nested stack), in the configurations a deployment can take. Optional: where cfn-lint is not
 * installed (`pip install cfn-lint`), it says so and succeeds.
 *
 *   npm run lint:cfn            # synthesize offline (no bundling: templates only) and lint
 *   npm run lint:cfn -- cdk.out # lint the templates of an existing cloud assembly
 *
 * Errors fail it. W3005 (a DependsOn that a GetAtt already implies) is skipped: CDK adds that
 * DependsOn on purpose, so that a function is created only after its role's policy.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createApp } from './app';

const DOMAIN_ARN = 'arn:aws:es:eu-west-1:123456789012:domain/logs';
const ENDPOINT = 'https://search-logs-abc123.eu-west-1.es.amazonaws.com';

/** Every branch of the stack's code: no cluster; SigV4 with the proxy; Serverless; basic auth in a VPC. */
const CONFIGURATIONS: Record<string, Record<string, string>> = {
  default: {},
  sigv4Proxy: {
    clusterEndpoint: ENDPOINT,
    clusterAuth: 'sigv4',
    clusterDomainArn: DOMAIN_ARN,
    proxyDataPlane: 'true',
    kinesisStreamArns: 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders',
  },
  serverless: {
    clusterEndpoint: 'https://k2c1zqkq0s5gvvyxa5in.eu-west-1.aoss.amazonaws.com',
    clusterAuth: 'sigv4',
    clusterService: 'aoss',
    clusterDomainArn: 'arn:aws:aoss:eu-west-1:123456789012:collection/k2c1zqkq0s5gvvyxa5in',
  },
  basicInVpc: {
    clusterEndpoint: 'https://opensearch.internal:9200',
    clusterAuth: 'basic',
    clusterSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:opensearch-admin-AbC123',
    proxyDataPlane: 'true',
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    vpcSubnetIds: 'subnet-0a1b2c3d4e5f60718,subnet-1a1b2c3d4e5f60718',
    tableRemovalPolicy: 'destroy',
  },
};

const templatesIn = (dir: string): string[] =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => path.join(dir, f));

const synthesizeAll = (root: string): string[] =>
  Object.entries(CONFIGURATIONS).flatMap(([name, context]) => {
    const outdir = path.join(root, name);
    const { app } = createApp({ outdir, context: { ...context, 'aws:cdk:bundling-stacks': [] } });
    app.synth();
    return templatesIn(outdir);
  });

const lint = (templates: string[], assembly: string | undefined): number => {
  if (templates.length === 0) {
    console.error(`no *.template.json in ${assembly}`);
    return 1;
  }
  console.log(`cfn-lint on ${templates.length} templates`);
  const run = spawnSync(
    'cfn-lint',
    ['--non-zero-exit-code', 'error', '--ignore-checks', 'W3005', '--', ...templates],
    { stdio: 'inherit' },
  );
  if (run.status === 0) console.log('no errors');
  return run.status ?? 1;
};

const main = (): number => {
  if (spawnSync('cfn-lint', ['--version']).error) {
    console.log('cfn-lint is not installed (pip install cfn-lint): skipped');
    return 0;
  }
  const [assembly] = process.argv.slice(2);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'im-cfn-lint-'));
  try {
    return lint(assembly ? templatesIn(assembly) : synthesizeAll(root), assembly);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
};

process.exitCode = main();
