import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configFromContext } from './config';
import { IndexManagementStack, type RouteTable } from './stack';
import type { Worker } from './workers';

/**
 * The CDK app: one control-plane stack, configured from CDK context (see `infra/config.ts` for
 * every key), checked by cdk-nag's AwsSolutions pack. cdk-nag 3 is a validation plugin: an
 * unacknowledged finding fails `cdk synth` (and throws from `app.synth()` in tests).
 *
 *   npx cdk synth -c clusterEndpoint=https://search-logs.eu-west-1.es.amazonaws.com \
 *     -c clusterAuth=sigv4 -c clusterDomainArn=arn:aws:es:eu-west-1:123456789012:domain/logs
 */
export interface ControlPlaneApp {
  readonly app: App;
  readonly stack: IndexManagementStack;
}

export const createApp = (
  props: AppProps = {},
  routeTable?: RouteTable,
  workers?: readonly Worker[],
): ControlPlaneApp => {
  const app = new App(props);
  const config = configFromContext(app.node);
  const stack = new IndexManagementStack(app, config.stackName, {
    config,
    routeTable,
    workers,
    // No `env`: the template is environment-agnostic (region and account resolve at deploy time),
    // so it is the same whoever synthesizes it, with or without credentials.
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
};

if (require.main === module) createApp();
