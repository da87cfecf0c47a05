import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback HTTP proxy in front of the test node, for tests of the cluster going away. Unlike
 * tcp-proxy.ts it reads each request, so it can fail chosen ones (a step's settings call) while
 * the others go through. The
 * runner's real cluster client talks to it, and the test cuts it off (`down()`: the port refuses
 * connections, open keep-alive sockets are destroyed), brings it back on the same port (`up()`),
 * or has it answer a status (`answer(503)`, `answer(429, /_settings/)`) instead of forwarding,
 * as an overloaded cluster or a gateway in front of it does.
 *
 * It listens on 127.0.0.1 and is unref'd, so it ends with the test process even if a test forgets
 * `close()`.
 */
export interface FaultProxy {
  readonly url: string;
  down(): Promise<void>;
  up(): Promise<void>;
  /** Answers matching requests (all when no pattern) with `status` until `forward()`. */
  answer(status: number, pattern?: RegExp): void;
  forward(): void;
  /** Requests seen, as `METHOD path`. */
  readonly seen: string[];
  close(): Promise<void>;
}

export const startFaultProxy = async (target: string): Promise<FaultProxy> => {
  const to = new URL(target);
  let fault: { status: number; pattern?: RegExp } | undefined;
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
    const upstream = http.request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
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
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    down: stop,
    up: () => listen(port),
    answer(status, pattern) {
      fault = { status, pattern };
    },
    forward() {
      fault = undefined;
    },
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
};
