import net from 'node:net';

/**
 * A loopback TCP proxy in front of a real server, for tests of what happens when that server
 * goes away: `down()` stops listening and cuts every open connection (clients then get real
 * ECONNREFUSED / ECONNRESET), `answer(503)` keeps listening but answers every HTTP request
 * with that status itself (an overloaded cluster), `up()` forwards again on the same port.
 * `loseAnswers('POST /_bulk')` lets such requests reach the target but cuts the connection as
 * soon as it answers: the work is done, the client never hears of it.
 *
 *   const proxy = await startTcpProxy('http://127.0.0.1:9200');
 *   const client = await createClusterClient({ endpoint: proxy.url, auth: 'none' });
 *   await proxy.down();  // ... the cluster is unreachable
 *   await proxy.up();    // ... and back
 *   await proxy.close();
 *
 * The server is unref'd, so it ends with the test process even if a test forgets `close()`.
 */
export interface TcpProxy {
  /** `http://127.0.0.1:<port>`: the same port across down() and up(). */
  readonly url: string;
  /** Forward to the target (listening again if down). */
  up(): Promise<void>;
  /** Refuse connections: stop listening, destroy the open ones. */
  down(): Promise<void>;
  /** Answer every request with this HTTP status (429, 503...) without reaching the target. */
  answer(status: number): Promise<void>;
  /** Requests starting with `prefix` reach the target; their answers are cut off (undefined: off). */
  loseAnswers(prefix: string | undefined): void;
  close(): Promise<void>;
}

export const startTcpProxy = async (target: string): Promise<TcpProxy> => {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set<net.Socket>();
  let status: number | undefined;
  let losing: string | undefined;

  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (status !== undefined) {
      // What a load balancer in front of a cluster answers: its own status, not OpenSearch's error shape.
      const body = `status ${status} from the proxy`;
      client.once('data', () =>
        client.end(
          `HTTP/1.1 ${status} Proxy\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
        ),
      );
      return;
    }
    const upstream = net.connect(Number(targetPort), hostname);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    let dropAnswer = false;
    client.on('data', (chunk: Buffer) => {
      if (losing !== undefined && chunk.toString('latin1', 0, losing.length) === losing) dropAnswer = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!dropAnswer) client.write(chunk);
      else {
        client.destroy();
        upstream.destroy();
      }
    });
  });
  server.unref();

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });

  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const cutOpen = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };

  return {
    url: `http://127.0.0.1:${port}`,
    async up() {
      status = undefined;
      cutOpen();
      if (!server.listening) await listen(port);
    },
    down: stop,
    loseAnswers(prefix) {
      losing = prefix;
    },
    async answer(code: number) {
      status = code;
      cutOpen();
      if (!server.listening) await listen(port);
    },
    close: stop,
  };
};
