/**
 * Long-running local servers (OpenSearch, DynamoDB Local) bound to the life of this Node process.
 *
 * Why a shell wrapper: Node cannot set PR_SET_PDEATHSIG, and a SIGKILLed parent runs no exit
 * hooks. So every server runs under a tiny `sh` that keeps the read end of a pipe whose only
 * write end lives in this process. When this process goes away for any reason (normal exit,
 * SIGINT, SIGTERM, SIGKILL, crash) the kernel closes that pipe, the wrapper reads EOF and stops
 * the server: SIGTERM, then SIGKILL after a grace period. No PID polling, so no PID-reuse race.
 *
 * The wrapper is a session/process-group leader (`detached: true` = setsid), so a terminal's
 * Ctrl+C reaches Node only; Node then exits and the pipe does the rest.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

// $1 = grace seconds, $2 = dir to delete if the parent died ('' = none), $3... = the server's
// command line. Async lists of a non-interactive sh get /dev/null as stdin, hence the parent
// pipe is kept on fd 3. The watchdog blocks in `read` until EOF, i.e. until the parent is gone;
// from then on it ignores SIGTERM, so the main shell's `kill` after the server exits only ends
// a watchdog still waiting in `read` (parent alive: stop() or a crash), never one busy stopping
// the server and removing the work dir. Only an orphaned wrapper removes the dir: a live parent
// owns it and may still read the log. Loops are bounded: where PID 1 reaps no orphans (some
// sandboxes), a killed server may stay a zombie that `kill -0` still sees.
const WRAPPER = `
grace="$1"; cleanup="$2"; shift 2
exec 3<&0
"$@" 3<&- &
child=$!
{
  while read -r _; do :; done
  trap '' TERM
  kill -TERM "$child" 2>/dev/null
  i=0
  while [ "$i" -lt "$grace" ] && kill -0 "$child" 2>/dev/null; do sleep 1; i=$((i+1)); done
  kill -KILL "$child" 2>/dev/null
  if [ -n "$cleanup" ]; then
    i=0
    while [ "$i" -lt 5 ] && kill -0 "$child" 2>/dev/null; do sleep 1; i=$((i+1)); done
    rm -rf -- "$cleanup"
  fi
} <&3 &
watchdog=$!
exec 3<&-
trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP
status=0
while :; do
  wait "$child"; status=$?
  kill -0 "$child" 2>/dev/null || break
done
kill "$watchdog" 2>/dev/null
wait "$watchdog" 2>/dev/null
exit "$status"
`;

export interface BoundProcessOptions {
  /** Short name used in error messages. */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here (a file, not a pipe: it survives our death and is readable after). */
  logFile: string;
  /** Seconds the watchdog waits after SIGTERM before SIGKILL when the parent dies. */
  graceSeconds?: number;
  /** A temp dir the wrapper deletes once the server is gone, if (and only if) the parent died. */
  cleanupDirIfOrphaned?: string;
}

export interface BoundProcess {
  readonly name: string;
  /** PID of the wrapper, which is also the process-group id of the server. */
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) once the wrapper has exited. */
  readonly exited: Promise<number | string>;
  isRunning(): boolean;
  logTail(maxLines?: number): string;
  /** SIGTERM, wait up to graceMs, then SIGKILL the whole group. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnBound(opts: BoundProcessOptions): BoundProcess {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const logFd = fs.openSync(opts.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      '/bin/sh',
      [
        '-c',
        WRAPPER,
        'sim-wrapper',
        String(opts.graceSeconds ?? 15),
        opts.cleanupDirIfOrphaned ?? '',
        opts.command,
        ...opts.args,
      ],
      {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        stdio: ['pipe', logFd, logFd],
        detached: true,
      },
    );
  } finally {
    fs.closeSync(logFd); // the child has its own copy
  }
  if (child.pid === undefined) throw new Error(`${opts.name}: failed to spawn /bin/sh`);
  const pid = child.pid;
  let running = true;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', () => {
      running = false;
      resolve('spawn-error');
    });
  });
  // Neither the child nor its pipe should keep Node alive: a script that forgets stop() still
  // exits, and the pipe closing on exit stops the server.
  child.unref();
  child.stdin?.on('error', () => undefined); // EPIPE if the wrapper is already gone
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 15_000): Promise<void> => {
    stopping ??= (async () => {
      if (!running) return;
      child.ref(); // keep Node alive until the server is really gone
      signal(pid, 'SIGTERM'); // the wrapper forwards it to the server and waits for it
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>(
        (resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)),
      );
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        signalGroup(pid, 'SIGKILL');
        await exited;
      }
      clearTimeout(timer);
      child.stdin?.destroy();
    })();
    return stopping;
  };

  return {
    name: opts.name,
    pid,
    logFile: opts.logFile,
    exited,
    isRunning: () => running,
    logTail: (maxLines) => readLogTail(opts.logFile, maxLines),
    stop,
  };
}

/**
 * Polls `probe` until it returns true. Fails early if the process exits, and on timeout;
 * both errors carry the tail of the process log, which is what one needs to see why.
 */
export async function waitUntilReady(
  proc: BoundProcess,
  probe: () => Promise<boolean>,
  opts: { timeoutMs: number; intervalMs?: number; what?: string },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  const what = opts.what ?? proc.name;
  for (;;) {
    if (!proc.isRunning()) {
      throw new Error(
        `${what} exited (${await proc.exited}) before it was ready. Log ${proc.logFile}:\n${proc.logTail()}`,
      );
    }
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${what} not ready after ${opts.timeoutMs} ms. Log ${proc.logFile}:\n${proc.logTail()}`,
      );
    }
    await delay(opts.intervalMs ?? 250);
  }
}

/** Last lines of a log file (reads at most 64 KiB from its end). */
export function readLogTail(file: string, maxLines = 60): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const len = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      return buf.toString('utf8').split('\n').slice(-maxLines).join('\n');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '(no log)';
  }
}

// Ports handed out by this process recently: the OS may return the same ephemeral port twice in
// a row once the probe socket is closed, and two services must not be given the same one.
const handedOut = new Set<number>();

/** A currently free TCP port on `host`. Racy by nature (someone may take it before we bind it). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.unref();
      srv.once('error', reject);
      srv.listen(0, host, () => {
        const { port } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('freePort: could not find an unused port');
}

/** True for start-up failures caused by a port taken between freePort() and bind. */
export function isPortClash(err: unknown): boolean {
  return /BindException|Failed to bind|Address already in use|EADDRINUSE/i.test(
    String(err instanceof Error ? err.message : err),
  );
}

/** Fresh temp dir for a server's cwd, logs and ephemeral data. */
export function makeWorkDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `sim-${prefix}-`));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    /* already gone */
  }
}
