/**
 * A throwaway single-node OpenSearch for local runs and tests.
 *
 * Distribution: the `integ-test-zip` published on Maven Central (reachable wherever Maven is),
 * fetched once into a per-user cache. It is the bare server: core plus the transport-netty4
 * module, no security plugin (plain HTTP, no auth) and no other modules (no reindex, painless,
 * ingest-common, analysis-common...). Without Maven we fall back to the official
 * `opensearch-min` tarball, which has all modules and a bundled JDK.
 *
 * CLI:  npx ts-node --transpile-only local/services/opensearch.ts fetch [version]   (pre-fetch for CI)
 *       npx ts-node --transpile-only local/services/opensearch.ts start [port]      (run until Ctrl+C)
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';

import { findJavaHome, type JavaHome } from './java';
import { delay, freePort, isPortClash, makeWorkDir, spawnBound, waitUntilReady } from './process';

/**
 * Newest 2.19.x with an integ-test-zip on Maven Central (checked with mvn dependency:get:
 * 2.19.7 and 2.19.8 do not exist there). Pinned rather than resolved at run time so every
 * machine tests against the same server. Override with OPENSEARCH_VERSION.
 */
export const DEFAULT_OPENSEARCH_VERSION = '2.19.6';

/**
 * The 3.x node of the native-ingestion tests (test/integration/ingestion-native.test.ts): the
 * 3.x line pulls from streams itself with its `ingestion-*` plugins. Only that test starts it;
 * `npm start` and the other tests stay on the default version. Needs Java 21+.
 */
export const NATIVE_INGESTION_OPENSEARCH_VERSION = '3.8.0';

const HOST = '127.0.0.1';
const ARTIFACTS_URL = 'https://artifacts.opensearch.org/releases/core/opensearch';

export type DistributionSource = 'maven' | 'tarball';

/** $SIM_CACHE_DIR, else $XDG_CACHE_HOME/serverless-index-management, else ~/.cache/serverless-index-management. */
export function cacheRoot(): string {
  if (process.env.SIM_CACHE_DIR) return path.resolve(process.env.SIM_CACHE_DIR);
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdg, 'serverless-index-management');
}

/**
 * Returns OPENSEARCH_HOME of a cached distribution, fetching and unpacking it on first use.
 *
 * Concurrency: everything is staged in a private temp dir next to the target and moved into
 * place with one rename(2). A directory rename onto an existing non-empty one fails, so of two
 * processes fetching at once one wins and the other discards its copy: the cache only ever
 * holds complete distributions (at worst the download happens twice).
 *
 * Layout: <cacheRoot>/opensearch/<version>/<integ-test-zip | min-linux-x64>/
 */
export async function ensureOpenSearchDistribution(version: string = defaultVersion()): Promise<string> {
  const source = distributionSource();
  const versionDir = path.join(cacheRoot(), 'opensearch', version);
  const home = path.join(versionDir, source === 'maven' ? 'integ-test-zip' : `min-linux-${tarballArch()}`);
  if (isOpenSearchHome(home)) return home;

  fs.mkdirSync(versionDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(versionDir, '.tmp-'));
  try {
    const staged = source === 'maven' ? await fetchFromMaven(version, tmp) : await fetchTarball(version, tmp);
    if (!isOpenSearchHome(staged))
      throw new Error(`unpacked OpenSearch ${version} has no bin/opensearch (${staged})`);
    publish(staged, home);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return home;
}

export interface StartOpenSearchOptions {
  /** HTTP port; 0/undefined = a free port. */
  port?: number;
  /** Transport port; 0/undefined = a free port (never the default 9300, which may be taken). */
  transportPort?: number;
  /**
   * path.data. Undefined = a fresh dir inside the temp work dir, deleted by stop(): OpenSearch
   * has no in-memory store, so this is the ephemeral mode. Given = kept across runs.
   */
  dataDir?: string;
  /** path.repo, for `fs` snapshot repositories. Default: <workDir>/repo (ephemeral). */
  repoPath?: string;
  /** -Xms/-Xmx. Default 512m. */
  heap?: string;
  /** An unpacked distribution to use instead of the cached one. */
  home?: string;
  /** Version to fetch when `home` is not given. Default $OPENSEARCH_VERSION or DEFAULT_OPENSEARCH_VERSION. */
  version?: string;
  /**
   * Plugins to install, each as `opensearch-plugin install` takes it (a file:// or https URL),
   * as a Maven coordinate `group:artifact:version` of a plugin zip, e.g.
   * `org.opensearch.plugin:opensearch-job-scheduler:2.19.6.0`, or as a {@link JarPlugin} (a
   * plugin published only as a jar). Installed once into a cached copy of the distribution
   * keyed by this list.
   */
  plugins?: (string | JarPlugin)[];
  /** Extra node settings, passed as -E flags after (so overriding) the defaults. */
  settings?: Record<string, string | number | boolean>;
  /** Extra JVM options, appended to OPENSEARCH_JAVA_OPTS. */
  javaOpts?: string[];
  /** Default 120 s. */
  startTimeoutMs?: number;
}

/**
 * A plugin that Maven Central has only as a jar (with a pom naming its dependencies), not as an
 * installable zip: OpenSearch 3.x's `ingestion-kafka` and `ingestion-kinesis`. It is assembled
 * the way `opensearch-plugin install` would lay out its zip: a folder under plugins/ with the jar,
 * its runtime dependencies (`mvn dependency:copy-dependencies`) and a plugin-descriptor.properties
 * written from these fields.
 */
export interface JarPlugin {
  /** Plugin name and folder under plugins/, e.g. `ingestion-kafka`. */
  name: string;
  /** `group:artifact:version` of the plugin jar. */
  artifact: string;
  /** The jar's Plugin subclass. */
  classname: string;
  description: string;
  /** Body of plugin-security.policy, if the plugin needs permissions. */
  policy?: string;
}

/** OpenSearch 3.x's pull-based ingestion from Kafka, for a node of that version. */
export const ingestionKafkaPlugin = (version: string): JarPlugin => ({
  name: 'ingestion-kafka',
  artifact: `org.opensearch.plugin:ingestion-kafka:${version}`,
  classname: 'org.opensearch.plugin.kafka.KafkaPlugin',
  description: 'Pull-based ingestion plugin to consume from Kafka',
  // The consumer connects to the brokers (what the plugin's own policy grants).
  policy: 'grant {\n  permission java.net.SocketPermission "*", "connect,resolve";\n};\n',
});

/** OpenSearch 3.x's pull-based ingestion from Kinesis (`param.endpoint_override` reaches kinesalite). */
export const ingestionKinesisPlugin = (version: string): JarPlugin => ({
  name: 'ingestion-kinesis',
  artifact: `org.opensearch.plugin:ingestion-kinesis:${version}`,
  classname: 'org.opensearch.plugin.kinesis.KinesisPlugin',
  description: 'Pull-based ingestion plugin to consume from Kinesis',
  policy: 'grant {\n  permission java.net.SocketPermission "*", "connect,resolve";\n};\n',
});

export interface OpenSearchHandle {
  url: string;
  port: number;
  version: string;
  home: string;
  /** Temp dir with config copy, logs, tmp and (unless dataDir/repoPath were given) data and repo. */
  workDir: string;
  dataDir: string;
  repoPath: string;
  /** stdout/stderr of the node; the server log proper is in <workDir>/logs. */
  logFile: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startOpenSearch(opts: StartOpenSearchOptions = {}): Promise<OpenSearchHandle> {
  const version = opts.version ?? defaultVersion();
  const baseHome = opts.home ? path.resolve(opts.home) : await ensureOpenSearchDistribution(version);
  const home = await withPlugins(baseHome, version, opts.plugins ?? []);
  // Only ports we picked ourselves can have been taken in between; retry those.
  const attempts = opts.port || opts.transportPort ? 1 : 3;
  for (let i = 1; ; i++) {
    try {
      const httpPort = opts.port || (await freePort(HOST));
      const transportPort = opts.transportPort || (await freePort(HOST));
      return await startOnce(opts, home, version, httpPort, transportPort);
    } catch (err) {
      if (i >= attempts || !isPortClash(err)) throw err;
    }
  }
}

async function startOnce(
  opts: StartOpenSearchOptions,
  home: string,
  version: string,
  httpPort: number,
  transportPort: number,
): Promise<OpenSearchHandle> {
  const java = openSearchJava(home, version);
  const workDir = makeWorkDir('opensearch');
  const dir = (name: string, given?: string): string => {
    const p = given ? path.resolve(given) : path.join(workDir, name);
    fs.mkdirSync(p, { recursive: true });
    return p;
  };
  const logsDir = dir('logs');
  const tmpDir = dir('tmp');
  const dataDir = dir('data', opts.dataDir);
  const repoPath = dir('repo', opts.repoPath);
  const confDir = copyConfig(home, path.join(workDir, 'config'), workDir, logsDir);

  const settings: Record<string, string | number | boolean> = {
    'cluster.name': 'sim-local',
    'node.name': 'sim-node',
    'discovery.type': 'single-node',
    'network.host': HOST,
    'http.port': httpPort,
    'transport.port': transportPort,
    'path.data': dataDir,
    'path.logs': logsDir,
    'path.repo': repoPath,
    // Test machines often have nearly full disks; the watermarks would block allocation.
    'cluster.routing.allocation.disk.threshold_enabled': false,
    'bootstrap.memory_lock': false,
    ...opts.settings,
  };
  const heap = opts.heap ?? '512m';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OPENSEARCH_HOME: home,
    OPENSEARCH_JAVA_HOME: java.home, // beats JAVA_HOME and the bundled JDK in bin/opensearch-env
    OPENSEARCH_PATH_CONF: confDir, // the node writes its keystore there: never into the shared cache
    OPENSEARCH_TMPDIR: tmpDir,
    OPENSEARCH_JAVA_OPTS: [`-Xms${heap}`, `-Xmx${heap}`, ...(opts.javaOpts ?? [])].join(' '),
  };
  delete env.JAVA_TOOL_OPTIONS; // bin/opensearch-env ignores it, but noisily
  const asRoot = rootWorkaround();
  if (asRoot.javaOpts.length) env.OPENSEARCH_JAVA_OPTS += ` ${asRoot.javaOpts.join(' ')}`;
  const command = [
    ...asRoot.prefix,
    path.join(home, 'bin', 'opensearch'),
    ...Object.entries(settings).map(([k, v]) => `-E${k}=${v}`),
  ];

  const proc = spawnBound({
    name: 'OpenSearch',
    command: command[0],
    args: command.slice(1),
    cwd: workDir,
    env,
    logFile: path.join(workDir, 'opensearch.out'),
    graceSeconds: 20,
    cleanupDirIfOrphaned: workDir,
  });
  const url = `http://${HOST}:${httpPort}`;
  try {
    await waitUntilReady(proc, () => clusterIsUp(url, 5_000), {
      timeoutMs: opts.startTimeoutMs ?? 120_000,
      intervalMs: 500,
      what: `OpenSearch ${version} on ${url}`,
    });
  } catch (err) {
    await proc.stop(5_000);
    throw err; // the work dir is kept: its log is named in the error
  }
  return {
    url,
    port: httpPort,
    version,
    home,
    workDir,
    dataDir,
    repoPath,
    logFile: proc.logFile,
    pid: proc.pid,
    stop: async () => {
      await proc.stop(30_000);
      if (!process.env.SIM_KEEP_WORKDIR) fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}

export interface OpenSearchService {
  url: string;
  /** True when OPENSEARCH_URL (or opts.url) pointed at a cluster we did not start; stop() is then a no-op. */
  external: boolean;
  version?: string;
  stop(): Promise<void>;
}

/**
 * The cluster to use: `url` or $OPENSEARCH_URL if set (after checking it answers with at least
 * yellow health), else a local node started with `opts`.
 */
export async function resolveOpenSearch(
  opts: StartOpenSearchOptions & { url?: string } = {},
): Promise<OpenSearchService> {
  const given = opts.url ?? process.env.OPENSEARCH_URL;
  if (!given) {
    const node = await startOpenSearch(opts);
    return { url: node.url, external: false, version: node.version, stop: node.stop };
  }
  const url = given.replace(/\/+$/, '');
  const deadline = Date.now() + 30_000;
  while (!(await clusterIsUp(url, 10_000))) {
    if (Date.now() > deadline)
      throw new Error(`OPENSEARCH_URL=${redact(url)} does not answer with yellow/green health`);
    await delay(1_000);
  }
  const root = await getJson(url, 10_000).catch(() => undefined);
  const version = (root?.body as { version?: { number?: string } } | undefined)?.version?.number;
  return { url, external: true, version, stop: async () => undefined };
}

// ---------------------------------------------------------------------------------------------
// Fetching

function defaultVersion(): string {
  return process.env.OPENSEARCH_VERSION || DEFAULT_OPENSEARCH_VERSION;
}

/** SIM_OPENSEARCH_SOURCE=maven|tarball forces one; otherwise Maven when `mvn` is on PATH. */
function distributionSource(): DistributionSource {
  const forced = process.env.SIM_OPENSEARCH_SOURCE;
  if (forced === 'maven' || forced === 'tarball') return forced;
  if (forced) throw new Error(`SIM_OPENSEARCH_SOURCE must be maven or tarball, not ${forced}`);
  return hasCommand('mvn') ? 'maven' : 'tarball';
}

async function fetchFromMaven(version: string, tmp: string): Promise<string> {
  const artifact = `org.opensearch.distribution.integ-test-zip:opensearch:${version}:zip`;
  const zip = await mavenCopy(artifact, tmp);
  const out = path.join(tmp, 'unpacked');
  await unzip(zip, out);
  return path.join(out, `opensearch-${version}`);
}

async function fetchTarball(version: string, tmp: string): Promise<string> {
  const base = (process.env.SIM_OPENSEARCH_ARTIFACTS_URL || ARTIFACTS_URL).replace(/\/+$/, '');
  const name = `opensearch-min-${version}-linux-${tarballArch()}.tar.gz`;
  const file = path.join(tmp, name);
  await download(`${base}/${version}/${name}`, file);
  const out = path.join(tmp, 'unpacked');
  fs.mkdirSync(out);
  await run('tar', ['-xzf', file, '-C', out]);
  return path.join(out, `opensearch-${version}`);
}

function tarballArch(): string {
  return process.arch === 'arm64' ? 'arm64' : 'x64';
}

/** `mvn dependency:copy` of one artifact into dir; returns the file. Honours ~/.m2/settings.xml (mirrors, proxies). */
async function mavenCopy(artifact: string, dir: string): Promise<string> {
  const before = new Set(fs.readdirSync(dir));
  // cwd = dir: no pom.xml there, so mvn runs the goal stand-alone.
  await run('mvn', ['-B', '-q', 'dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${dir}`], {
    cwd: dir,
  });
  const added = fs.readdirSync(dir).filter((f) => !before.has(f));
  if (added.length !== 1)
    throw new Error(
      `mvn dependency:copy ${artifact}: expected one new file in ${dir}, got ${added.join(', ')}`,
    );
  return path.join(dir, added[0]);
}

/** `unzip` keeps the executable bits; without it, the JDK's `jar` tool does the job and we restore them. */
async function unzip(zip: string, out: string): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  if (hasCommand('unzip')) {
    await run('unzip', ['-q', zip, '-d', out]);
    return;
  }
  const java = findJavaHome({ min: 11 }, 'unpacking OpenSearch without unzip');
  const jar = path.join(java.home, 'bin', 'jar');
  if (!fs.existsSync(jar)) throw new Error('neither unzip nor a JDK jar tool found: apt-get install unzip');
  await run(jar, ['xf', zip], { cwd: out });
  for (const top of fs.readdirSync(out)) {
    const bin = path.join(out, top, 'bin');
    if (!fs.existsSync(bin)) continue;
    for (const f of fs.readdirSync(bin)) if (!/\.(bat|exe)$/.test(f)) fs.chmodSync(path.join(bin, f), 0o755);
  }
}

/** GET with redirects (artifacts.opensearch.org redirects to a CDN), streamed to dest. */
function download(url: string, dest: string, redirectsLeft = 5): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const req = client.get(url, { timeout: 60_000 }, (res) => {
      const status = res.statusCode ?? 0;
      if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) {
        res.resume();
        if (redirectsLeft === 0) return reject(new Error(`GET ${url}: too many redirects`));
        return resolve(download(new URL(res.headers.location, url).href, dest, redirectsLeft - 1));
      }
      if (status !== 200) {
        res.resume();
        return reject(new Error(`GET ${url}: HTTP ${status}`));
      }
      const expected = Number(res.headers['content-length'] ?? NaN);
      pipeline(res, fs.createWriteStream(dest)).then(() => {
        const got = fs.statSync(dest).size;
        if (Number.isFinite(expected) && got !== expected)
          reject(new Error(`GET ${url}: got ${got} of ${expected} bytes`));
        else resolve();
      }, reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: stalled for 60 s`)));
    req.on('error', reject);
  });
}

/** Atomically moves a staged dir to its cache path; losing a race to an identical copy is fine. */
function publish(staged: string, target: string): void {
  try {
    fs.renameSync(staged, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && isOpenSearchHome(target)) return;
    throw err;
  }
}

function isOpenSearchHome(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'bin', 'opensearch')) && fs.existsSync(path.join(dir, 'lib'));
}

/**
 * A cached copy of `home` with the plugins installed: <home>-plugins-<hash of the list> (no `+`:
 * OpenSearch 3.x reads plugin policy files through a URL and turns a `+` in the path into a space).
 */
async function withPlugins(home: string, version: string, plugins: (string | JarPlugin)[]): Promise<string> {
  if (plugins.length === 0) return home;
  const key = createHash('sha256').update(JSON.stringify(plugins)).digest('hex').slice(0, 12);
  const target = `${home}-plugins-${key}`;
  if (isOpenSearchHome(target)) return target;
  const tmp = fs.mkdtempSync(path.join(path.dirname(home), '.tmp-'));
  try {
    const staged = path.join(tmp, 'home');
    fs.cpSync(home, staged, { recursive: true, preserveTimestamps: true });
    const java = openSearchJava(staged, version);
    for (const plugin of plugins) {
      if (typeof plugin !== 'string') {
        await assembleJarPlugin(plugin, staged, version, tmp);
        continue;
      }
      const source = isMavenCoordinate(plugin)
        ? `file://${await mavenCopy(plugin.split(':').length === 3 ? `${plugin}:zip` : plugin, tmp)}`
        : fs.existsSync(plugin)
          ? `file://${path.resolve(plugin)}`
          : plugin;
      await run(path.join(staged, 'bin', 'opensearch-plugin'), ['install', '--batch', source], {
        env: {
          ...process.env,
          OPENSEARCH_HOME: staged,
          OPENSEARCH_JAVA_HOME: java.home,
          OPENSEARCH_PATH_CONF: path.join(staged, 'config'),
        },
      });
    }
    publish(staged, target);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return target;
}

/**
 * The jar and its runtime dependencies from Maven (a generated pom), without the jars the server
 * itself has in lib/ (a class on both class paths stops the node: "jar hell"), and the descriptor.
 */
async function assembleJarPlugin(
  plugin: JarPlugin,
  home: string,
  version: string,
  tmp: string,
): Promise<void> {
  const dir = path.join(home, 'plugins', plugin.name);
  const [groupId, artifactId, artifactVersion] = plugin.artifact.split(':');
  const work = fs.mkdtempSync(path.join(tmp, 'jar-plugin-'));
  fs.writeFileSync(
    path.join(work, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>local.sim</groupId><artifactId>${plugin.name}-assembly</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies><dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${artifactVersion}</version></dependency></dependencies>
</project>
`,
  );
  await run(
    'mvn',
    ['-B', '-q', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${dir}`],
    { cwd: work },
  );
  const core = new Set(fs.readdirSync(path.join(home, 'lib')));
  for (const jar of fs.readdirSync(dir)) if (core.has(jar)) fs.rmSync(path.join(dir, jar));
  const props = {
    description: plugin.description,
    version: artifactVersion,
    name: plugin.name,
    classname: plugin.classname,
    'java.version': majorOf(version) >= 3 ? '21' : '11',
    'opensearch.version': version,
    'custom.foldername': '',
    'extended.plugins': '',
    'has.native.controller': 'false',
  };
  fs.writeFileSync(
    path.join(dir, 'plugin-descriptor.properties'),
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
  if (plugin.policy) fs.writeFileSync(path.join(dir, 'plugin-security.policy'), plugin.policy);
}

const majorOf = (version: string): number => Number(version.split('.')[0]);

function isMavenCoordinate(s: string): boolean {
  return !/^[a-z]+:\/\//i.test(s) && /^[\w.-]+:[\w.-]+:[\w.-]+(:zip)?$/.test(s);
}

// ---------------------------------------------------------------------------------------------
// Running

/**
 * A bundled JDK if the distribution has one, else an installed Java the line supports: 2.x
 * 11..23 (24 dropped the SecurityManager), 3.x 21+.
 */
function openSearchJava(home: string, version: string): JavaHome {
  const bundled = path.join(home, 'jdk');
  if (fs.existsSync(path.join(bundled, 'bin', 'java'))) {
    return { home: bundled, java: path.join(bundled, 'bin', 'java'), major: 0, hasCompiler: false };
  }
  return majorOf(version) >= 3
    ? findJavaHome({ min: 21 }, `OpenSearch ${version}`)
    : findJavaHome({ min: 11, max: 23 }, 'OpenSearch 2.x');
}

let rootWorkaroundCache: { prefix: string[]; javaOpts: string[] } | undefined;

/**
 * OpenSearch refuses to start as root ("can not run opensearch as root"), and CI containers and
 * sandboxes often are root. Preferred: run it in a user namespace where our uid 0 appears as
 * 1000 (`unshare --user --map-user`); file access is unchanged since the kernel still sees root.
 * unshare execs in place, so signals and the PID are those of the server. Where user namespaces
 * are blocked (e.g. Docker's default seccomp profile): keep JNA from loading its native library,
 * as OpenSearch detects root through JNA; it then also skips mlockall and its seccomp filter,
 * which a test node does not need.
 */
function rootWorkaround(): { prefix: string[]; javaOpts: string[] } {
  if (rootWorkaroundCache) return rootWorkaroundCache;
  if (process.getuid?.() !== 0) {
    rootWorkaroundCache = { prefix: [], javaOpts: [] };
  } else {
    const prefix = ['unshare', '--user', '--map-user=1000', '--map-group=1000'];
    let userns = false;
    try {
      execFileSync(prefix[0], [...prefix.slice(1), 'true'], { stdio: 'ignore' });
      userns = true;
    } catch {
      /* no unshare, or user namespaces not allowed */
    }
    rootWorkaroundCache = userns
      ? { prefix, javaOpts: [] }
      : { prefix: [], javaOpts: ['-Djna.nosys=true', '-Djna.noclasspath=true'] };
  }
  return rootWorkaroundCache;
}

/**
 * A private copy of the config dir: the node writes opensearch.keystore into it, and the stock
 * jvm.options points GC logs, heap dumps and error files at paths relative to the cwd (3.x also
 * its Java agent, which lives in the distribution).
 */
function copyConfig(home: string, confDir: string, workDir: string, logsDir: string): string {
  fs.cpSync(path.join(home, 'config'), confDir, { recursive: true });
  const jvmOptions = path.join(confDir, 'jvm.options');
  const text = fs
    .readFileSync(jvmOptions, 'utf8')
    .replace(/([=:])logs\//g, `$1${logsDir}/`)
    .replace(/HeapDumpPath=data\b/g, `HeapDumpPath=${workDir}`)
    .replace(/-javaagent:agent\//g, `-javaagent:${path.join(home, 'agent')}/`);
  fs.writeFileSync(jvmOptions, text);
  return confDir;
}

/** Yellow or green within `timeoutMs` (a fresh single node with replicas configured stays yellow). */
async function clusterIsUp(url: string, timeoutMs: number): Promise<boolean> {
  const res = await getJson(
    `${url}/_cluster/health?wait_for_status=yellow&timeout=${Math.ceil(timeoutMs / 1000)}s`,
    timeoutMs + 2_000,
  ).catch(() => undefined);
  const status = (res?.body as { status?: string } | undefined)?.status;
  return res?.status === 200 && (status === 'yellow' || status === 'green');
}

function getJson(url: string, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const client = u.protocol === 'https:' ? https : http;
    const auth = u.username
      ? `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`
      : undefined;
    const req = client.get(
      {
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        auth,
        timeout: timeoutMs,
        headers: { Accept: 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { ...opts, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve();
      const out = `${stdout}\n${stderr}`.trim().split('\n').slice(-40).join('\n');
      reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${out}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// CLI

async function main(argv: string[]): Promise<void> {
  const [command, arg] = argv;
  if (command === 'fetch') {
    const t0 = Date.now();
    const home = await ensureOpenSearchDistribution(arg || defaultVersion());
    console.log(
      `OpenSearch ${arg || defaultVersion()} ready in ${home} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );
  } else if (command === 'start') {
    const node = await startOpenSearch({ port: arg ? Number(arg) : undefined });
    console.log(
      `OpenSearch ${node.version} listening on ${node.url} (work dir ${node.workDir}); Ctrl+C stops it`,
    );
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const shutdown = (): void => {
      void node.stop().finally(() => {
        clearInterval(keepAlive);
        process.exit(0);
      });
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  } else {
    console.error('usage: opensearch.ts fetch [version] | start [port]');
    process.exitCode = 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
