import { NestedStack, type NestedStackProps } from 'aws-cdk-lib';
import {
  HttpIntegration,
  HttpIntegrationType,
  PayloadFormatVersion,
  type IHttpApi,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { constructIdFor, operationFunction, type Access, type FunctionDeps } from './functions';
import { FAN_OUT_DETAIL_TYPE, FAN_OUT_SOURCE, type Worker } from './workers';

/** The nested stack that holds the scheduled workers (they are not namespaced by route). */
export const WORKERS_NAMESPACE = 'workers';

/**
 * A handler's namespace is its folder under `lambdas/` (`lambdas/ism/handlers/put-policy.ts` →
 * `ism`): each namespace gets a nested stack of its own, so a new folder with routes gets a new
 * nested stack without any change to the stack code.
 */
export const namespaceOf = (handlerModule: string): string => {
  const match = /^lambdas\/([a-z0-9][a-z0-9-]*)\//.exec(handlerModule);
  if (!match || match[1] === 'shared' || match[1] === WORKERS_NAMESPACE) {
    throw new Error(
      `handler [${handlerModule}] must live in lambdas/<namespace>/ (not lambdas/shared/ or lambdas/${WORKERS_NAMESPACE}/): its namespace names the nested stack that deploys it`,
    );
  }
  return match[1];
};

export interface NamespaceStackProps extends NestedStackProps {
  readonly deps: FunctionDeps;
  /** The HTTP API of the parent stack: this stack adds integrations to it, the parent the routes. */
  readonly api: IHttpApi;
}

/**
 * The functions of one namespace (ISM, SM, rollups, …), or the workers, as a nested stack of
 * the control plane. Each API operation brings its function, role, policy and log group, one
 * Lambda integration and one invoke permission; the routes stay in the parent stack, beside the
 * API, so their logical ids never change (API Gateway refuses a second route with the same key,
 * so a route that moved stacks would fail the update that moves it).
 */
export class NamespaceStack extends NestedStack {
  /** Functions by operation (or worker) name. */
  readonly functions = new Map<string, NodejsFunction>();

  private readonly deps: FunctionDeps;
  private readonly api: IHttpApi;

  constructor(scope: Construct, id: string, props: NamespaceStackProps) {
    super(scope, id, props);
    this.deps = props.deps;
    this.api = props.api;
  }

  /**
   * An API operation's function and the integration its routes target. One invoke permission
   * covers every route of this API (HTTP APIs accept a wildcard source ARN), instead of one per
   * route and prefix.
   */
  addOperation(operation: string, handlerModule: string, access: Access): HttpIntegration {
    const fn = this.addFunction(operation, handlerModule, access);
    fn.addPermission('ApiInvoke', {
      principal: new ServicePrincipal('apigateway.amazonaws.com'),
      sourceArn: this.formatArn({ service: 'execute-api', resource: this.api.apiId, resourceName: '*/*' }),
    });
    return new HttpIntegration(this, `${constructIdFor(operation)}Integration`, {
      httpApi: this.api,
      integrationType: HttpIntegrationType.AWS_PROXY,
      integrationUri: fn.functionArn,
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });
  }

  /**
   * A worker's function and its EventBridge rules. The schedule only wakes the worker; each
   * item's own next-run time (in the table) decides whether it is due.
   */
  addWorker(worker: Worker): NodejsFunction {
    const fn = this.addFunction(worker.worker, worker.handler, {
      table: 'readWrite',
      cluster: worker.cluster,
      notify: worker.notify === true,
      streams: worker.streams === true,
      timeoutSeconds: worker.timeoutSeconds,
      environment: {
        ...worker.environment,
        ...worker.configEnvironment?.(this.deps.config),
        WORKER_FAN_OUT: 'eventbridge',
      },
    });
    const id = constructIdFor(worker.worker);
    new Rule(this, `${id}Schedule`, {
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
    new Rule(this, `${id}FanOut`, {
      description: `Copies of ${worker.worker} started by a run that fans out`,
      eventPattern: {
        source: [FAN_OUT_SOURCE],
        detailType: [FAN_OUT_DETAIL_TYPE],
        detail: { worker: [worker.worker] },
      },
      targets: [new LambdaFunction(fn, { retryAttempts: 0 })],
    });
    return fn;
  }

  private addFunction(operation: string, handlerModule: string, access: Access): NodejsFunction {
    const fn = operationFunction(this, this.deps, operation, handlerModule, access);
    this.functions.set(operation, fn);
    return fn;
  }
}
