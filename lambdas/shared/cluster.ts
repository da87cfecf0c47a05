import { Client, errors, type ClientOptions } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * The one module that speaks HTTP to the cluster (the data plane). Configured from the
 * environment the CDK stack (or the local stack) sets:
 *
 * - `CLUSTER_ENDPOINT` (falls back to `OPENSEARCH_URL` locally)
 * - `CLUSTER_AUTH`: `none` | `sigv4` | `basic`
 * - `CLUSTER_REGION`, `CLUSTER_SERVICE` (`es` or `aoss`) for SigV4
 * - `CLUSTER_SECRET_ARN` for basic auth: a secret `{"username":..,"password":..}`
 */
export type ClusterAuth = 'none' | 'sigv4' | 'basic';

export interface ClusterConfig {
  endpoint: string;
  auth: ClusterAuth;
  region?: string;
  service?: 'es' | 'aoss';
  secretArn?: string;
}

export const clusterConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): ClusterConfig => {
  const endpoint = env.CLUSTER_ENDPOINT || env.OPENSEARCH_URL;
  if (!endpoint) throw new Error('CLUSTER_ENDPOINT is not set');
  const auth = (env.CLUSTER_AUTH || 'none') as ClusterAuth;
  if (!['none', 'sigv4', 'basic'].includes(auth))
    throw new Error(`CLUSTER_AUTH [${auth}] is not one of none|sigv4|basic`);
  return {
    endpoint,
    auth,
    region: env.CLUSTER_REGION || env.AWS_REGION,
    service: env.CLUSTER_SERVICE === 'aoss' ? 'aoss' : 'es',
    secretArn: env.CLUSTER_SECRET_ARN,
  };
};

const basicAuth = async (secretArn: string): Promise<{ username: string; password: string }> => {
  const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
  const secret = JSON.parse(out.SecretString ?? '{}') as { username?: string; password?: string };
  if (!secret.username || !secret.password) {
    throw new Error(`secret ${secretArn} must hold {"username": ..., "password": ...}`);
  }
  return { username: secret.username, password: secret.password };
};

export const createClusterClient = async (config: ClusterConfig): Promise<Client> => {
  const options: ClientOptions = { node: config.endpoint, maxRetries: 2, requestTimeout: 30_000 };
  if (config.auth === 'sigv4') {
    Object.assign(
      options,
      AwsSigv4Signer({
        region: config.region ?? 'us-east-1',
        service: config.service ?? 'es',
        getCredentials: () => fromNodeProviderChain()(),
      }),
    );
  } else if (config.auth === 'basic') {
    if (!config.secretArn) throw new Error('CLUSTER_SECRET_ARN is required with CLUSTER_AUTH=basic');
    options.auth = await basicAuth(config.secretArn);
  }
  return new Client(options);
};

let cached: Promise<Client> | undefined;

/** The cluster client of this container, created on first use. */
export const clusterClient = (): Promise<Client> => (cached ??= createClusterClient(clusterConfigFromEnv()));

/**
 * Whether a cluster error is worth retrying later (connection trouble, overload, timeouts) or is
 * permanent (the request itself is wrong).
 */
export const isRetryableClusterError = (error: unknown): boolean => {
  if (error instanceof errors.ConnectionError || error instanceof errors.TimeoutError) return true;
  if (error instanceof errors.NoLivingConnectionsError) return true;
  if (error instanceof errors.ResponseError) return [429, 502, 503, 504].includes(error.statusCode ?? 0);
  return false;
};
