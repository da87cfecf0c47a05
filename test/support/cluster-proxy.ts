import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback HTTP proxy in front of the test node, for tests of the cluster going away or
 * misbehaving. The code under test gets a real cluster client pointed at `url`; the test then
 *
 * - cuts it off (`down()`: the port refuses connections, open keep-alive sockets are destroyed)
 *   and brings it back on the same port (`up()`, which also ends any fault below);
 * - has it answer a status itself instead of forwarding (`answer(503)`, or only for matching
 *   requests: `answer(429, /^PUT \/idx\/_settings/)`), as an overloaded cluster or a gateway does;
 * - lets matching requests reach the node but cuts the connection as soon as the node answers
 *   (`loseAnswers(/^POST \/_bulk/)`): the work is done, the client never hears of it.
 *
 * Requests are matched, and recorded in `seen`, as `METHOD /path?query`. It listens on 127.0.0.1
 * and is unref'd, so it ends with the test process even if a test forgets `close()`.
 */
export interface ClusterProxy {
  /** `http://127.0.0.1:<port>`: the same port across down() and up(). */
  readonly url: string;
  /** Requests seen, as `METHOD /path?query`. */
  readonly seen: string[];
  /** Refuse connections: stop listening, destroy the open ones. */
  down(): Promise<void>;
  /** Listen again if down, and forward every request (no fault). */
  up(): Promise<void>;
  /**
   * Answer matching requests (all without a pattern) with `status` until forward() or up();
   * listening again if down.
   */
  answer(status: number, pattern?: RegExp): Promise<void>;
  /** Matching requests reach the node; their answers are cut off, until forward() or up(). */
  loseAnswers(pattern: RegExp): void;
  /** Forward every request again. */
  forward(): void;
  close(): Promise<void>;
}

export const startClusterProxy = async (target: string): Promise<ClusterProxy> => {
  const to = new URL(target);
  let fault: { status: number; pattern?: RegExp } | undefined;
  let losing: RegExp | undefined;
  const sockets = new Set<Socket>();
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const line = `${req.method} ${req.url}`;
    seen.push(line);
    if (fault && (!fault.pattern || fault.pattern.test(line))) {
      req.resume();
      const status = fault.status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { type: 'status_exception', reason: `injected ${status} by the test proxy` },
          status,
        }),
      );
      return;
    }
    const lose = losing?.test(line) === true;
    const upstream = http.request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        if (lose) {
          up.resume();
          req.socket.destroy();
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  server.unref();
  const port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  const forward = (): void => {
    fault = undefined;
    losing = undefined;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    down: stop,
    async up() {
      forward();
      if (!server.listening) await listen(port);
    },
    async answer(status, pattern) {
      fault = { status, pattern };
      if (!server.listening) await listen(port);
    },
    loseAnswers(pattern) {
      losing = pattern;
    },
    forward,
    close: stop,
  };
};
