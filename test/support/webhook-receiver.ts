import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback webhook endpoint for tests: stands in for Slack, Chime, a custom webhook (they all
 * just receive an HTTP request at a URL) and records what it got.
 *
 *   const hook = await startWebhookReceiver();
 *   await notifier().deliver({ destination: { slack: { url: hook.url('/slack') } } }, { text: 'hi' });
 *   expect(hook.requests[0]).toMatchObject({ method: 'POST', path: '/slack', json: { text: 'hi' } });
 *   hook.respondWith(500);  // later requests fail, e.g. to test delivery errors
 *   await hook.close();
 *
 * It listens on 127.0.0.1 on a free port and is unref'd, so it ends with the test process even
 * if a test forgets `close()`.
 */
export interface ReceivedRequest {
  method: string;
  /** Path and query, e.g. `/hook?team=a`. */
  path: string;
  /** Lower-cased header names, as Node gives them. */
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface WebhookReceiver {
  /** The receiver's base URL plus `path` (default `/`). */
  url(path?: string): string;
  /** Every request received so far, oldest first. */
  readonly requests: ReceivedRequest[];
  /** Answers later requests with this status (and body, content type); the default is 200 `ok`. */
  respondWith(status: number, body?: string, contentType?: string): void;
  /** Resolves once at least `count` requests arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Forgets the recorded requests and the configured response. */
  reset(): void;
  close(): Promise<void>;
}

export const startWebhookReceiver = async (): Promise<WebhookReceiver> => {
  const requests: ReceivedRequest[] = [];
  let response = { status: 200, body: 'ok', contentType: 'text/plain' };
  const waiters: (() => void)[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json });
      res.writeHead(response.status, { 'content-type': response.contentType }).end(response.body);
      waiters.splice(0).forEach((w) => w());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;

  return {
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    requests,
    respondWith(status, body = status < 300 ? 'ok' : 'error', contentType = 'text/plain') {
      response = { status, body, contentType };
    },
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`webhook receiver got ${requests.length} of ${count} requests`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return requests;
    },
    reset() {
      requests.length = 0;
      response = { status: 200, body: 'ok', contentType: 'text/plain' };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
