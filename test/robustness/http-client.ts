import http from 'node:http';

/**
 * Requests exactly as the fuzzer wrote them: node's http client sends the path byte for byte
 * (fetch would resolve `..`, re-encode and reject what a raw client can send).
 */
export interface RawReply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

export interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: string;
  readonly body?: Buffer | string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export const send = (baseUrl: string, req: RawRequest, timeoutMs = 60_000): Promise<RawReply> => {
  const base = new URL(baseUrl);
  const body =
    req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
  const headers: Record<string, string> = { ...req.headers };
  if (body !== undefined) headers['content-length'] = String(body.length);
  if (req.contentType) headers['content-type'] = req.contentType;
  return new Promise((resolve, reject) => {
    const r = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.query ? `${req.path}?${req.query}` : req.path,
        headers,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    r.on('error', reject);
    r.end(body);
  });
};

export const sendJson = async <T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers?: Readonly<Record<string, string>>,
): Promise<{ status: number; body: T; headers: http.IncomingHttpHeaders }> => {
  const reply = await send(baseUrl, {
    method,
    path,
    body: body === undefined ? undefined : JSON.stringify(body),
    contentType: body === undefined ? undefined : 'application/json',
    headers,
  });
  let parsed: unknown;
  try {
    parsed = reply.text === '' ? undefined : JSON.parse(reply.text);
  } catch {
    parsed = reply.text;
  }
  return { status: reply.status, body: parsed as T, headers: reply.headers };
};

export const closeClient = (): void => agent.destroy();
