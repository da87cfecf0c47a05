/**
 * Picks a Java installation for the local servers.
 *
 * Why not just `java` from PATH: OpenSearch 2.x installs a SecurityManager, which Java 24+
 * removed, so it needs Java 11..23 even when a newer JDK is the default; DynamoDB Local 3.x
 * needs Java 17+. The version is read from the JDK's `release` file (no JVM start).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface JavaHome {
  home: string;
  java: string;
  major: number;
  /** Has javac (jdk.compiler), i.e. can run a .java file in source-file mode. */
  hasCompiler: boolean;
}

export function findJavaHome(range: { min: number; max?: number }, what: string): JavaHome {
  const seen = new Set<string>();
  const tried: string[] = [];
  for (const home of candidates()) {
    const real = safeRealpath(home);
    if (!real || seen.has(real)) continue;
    seen.add(real);
    const info = inspect(real);
    if (!info) continue;
    tried.push(`${real} (${info.major})`);
    if (info.major >= range.min && info.major <= (range.max ?? Infinity)) return info;
  }
  const want = range.max ? `${range.min}..${range.max}` : `${range.min}+`;
  throw new Error(`${what} needs Java ${want}; found: ${tried.join(', ') || 'none'}. Set SIM_JAVA_HOME.`);
}

/** Explicit settings first, then the default `java`, then every JDK under /usr/lib/jvm (newest first). */
function* candidates(): Generator<string> {
  for (const v of [process.env.SIM_JAVA_HOME, process.env.JAVA_HOME]) if (v) yield v;
  try {
    const onPath = execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim();
    if (onPath) yield path.dirname(path.dirname(fs.realpathSync(onPath)));
  } catch {
    /* no java on PATH */
  }
  const jvmDir = '/usr/lib/jvm';
  if (fs.existsSync(jvmDir)) {
    const homes = fs.readdirSync(jvmDir).map((d) => path.join(jvmDir, d));
    homes.sort((a, b) => (inspect(b)?.major ?? 0) - (inspect(a)?.major ?? 0));
    yield* homes;
  }
}

function inspect(home: string): JavaHome | undefined {
  const java = path.join(home, 'bin', 'java');
  let release: string;
  try {
    fs.accessSync(java, fs.constants.X_OK);
    release = fs.readFileSync(path.join(home, 'release'), 'utf8');
  } catch {
    return undefined;
  }
  const version = /^JAVA_VERSION="([^"]+)"/m.exec(release)?.[1];
  if (!version) return undefined;
  // "1.8.0_392" -> 8, "17.0.15" -> 17, "25" -> 25
  const parts = version.split(/[._-]/).map(Number);
  const major = parts[0] === 1 ? parts[1] : parts[0];
  const hasCompiler = fs.existsSync(path.join(home, 'bin', 'javac'));
  return { home, java, major, hasCompiler };
}

function safeRealpath(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}
