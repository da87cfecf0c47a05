import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback proxy in front of DynamoDB Local, as cluster-proxy.ts is in front of the cluster:
 * the code under test gets a DynamoDB client pointed at `url`, and the test (or the robustness
 * suite's faults phase) has it
 *
 * - `throttle()`: answer every request as DynamoDB does when it throttles (400
 *   `ThrottlingException`; the SDK retries, then gives up);
 * - `failAfter(n)`: let `n` requests through, then answer 500 `InternalServerError` (DynamoDB
 *   failing part-way through a request);
 * - `down()`: refuse connections (DynamoDB out of reach);
 * - `forward()`: pass everything through again.
 */
export interface DynamoProxy {
  readonly url: string;
  throttle(): void;
  failAfter(n: number): void;
  down(): Promise<void>;
  forward(): Promise<void>;
  /** Requests answered with a fault or refused since the start. */
  readonly faults: () => number;
  close(): Promise<void>;
}

export const startDynamoProxy = async (target: string): Promise<DynamoProxy> => {
  const to = new URL(target);
  let mode: 'forward' | 'throttle' | 'fail' = 'forward';
  let passes = 0;
  let faults = 0;
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    if (mode === 'fail' && passes > 0) passes--;
    else if (mode === 'fail') {
      faults++;
      req.resume();
      res.writeHead(500, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-errortype': 'InternalServerError',
      });
      res.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
          message: 'injected',
        }),
      );
      return;
    }
    if (mode === 'throttle') {
      faults++;
      req.resume();
      res.writeHead(400, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-errortype': 'ThrottlingException',
      });
      res.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
          message: 'Rate exceeded',
        }),
      );
      return;
    }
    const upstream = http.request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number): Promise<void> =>
    new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  server.unref();
  return {
    url: `http://127.0.0.1:${port}`,
    throttle: () => {
      mode = 'throttle';
    },
    failAfter: (n) => {
      mode = 'fail';
      passes = n;
    },
    down: async () => {
      mode = 'forward';
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
    forward: async () => {
      mode = 'forward';
      if (!server.listening) await listen(port);
    },
    faults: () => faults,
    close: async () => {
      for (const s of sockets) s.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
