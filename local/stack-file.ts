import fs from 'node:fs';
import path from 'node:path';

/**
 * Where a running local stack (`npm start`) can be reached: written by local/start.ts, read by
 * `npm run tick` so that a tick runs against the same DynamoDB table and cluster.
 */
export interface LocalStackInfo {
  readonly pid: number;
  readonly dynamoEndpoint: string;
  readonly tableName: string;
  readonly opensearchUrl: string;
  readonly apiUrl: string;
}

export const STACK_FILE = path.resolve(__dirname, '..', '.local', 'stack.json');

export const writeStackFile = (info: LocalStackInfo): void => {
  fs.mkdirSync(path.dirname(STACK_FILE), { recursive: true });
  fs.writeFileSync(STACK_FILE, `${JSON.stringify(info, null, 2)}\n`);
};

export const removeStackFile = (): void => {
  try {
    const info = JSON.parse(fs.readFileSync(STACK_FILE, 'utf8')) as LocalStackInfo;
    if (info.pid === process.pid) fs.rmSync(STACK_FILE);
  } catch {
    // nothing to remove
  }
};

/** The running local stack, or undefined when none is (no file, or its process is gone). */
export const readStackFile = (): LocalStackInfo | undefined => {
  let info: LocalStackInfo;
  try {
    info = JSON.parse(fs.readFileSync(STACK_FILE, 'utf8')) as LocalStackInfo;
  } catch {
    return undefined;
  }
  try {
    process.kill(info.pid, 0);
  } catch {
    return undefined;
  }
  return info;
};

/** Points this process's handlers at the local stack's table and cluster. */
export const useLocalStack = (info: LocalStackInfo): void => {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: info.dynamoEndpoint,
    OPENSEARCH_URL: info.opensearchUrl,
    CLUSTER_ENDPOINT: info.opensearchUrl,
    TABLE_NAME: info.tableName,
  });
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  // The local node is alone: a history index with a replica would leave the cluster yellow.
  process.env.ISM_HISTORY_REPLICAS ??= '0';
};
