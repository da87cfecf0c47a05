/**
 * How every Lambda is bundled, shared by the CDK stack (NodejsFunction) and `npm run bench`,
 * so the benchmark measures exactly what is deployed.
 *
 * The AWS SDK is bundled rather than taken from the runtime: a tree-shaken, minified bundle
 * loads faster than the runtime's full SDK and pins the version we test with.
 */
export const LAMBDA_NODE_TARGET = 'node22';

export const esbuildOptions = {
  bundle: true,
  minify: true,
  sourcemap: false,
  platform: 'node',
  target: LAMBDA_NODE_TARGET,
  format: 'cjs',
  mainFields: ['module', 'main'],
  legalComments: 'none',
} as const;
