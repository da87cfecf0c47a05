import { randomUUID } from 'node:crypto';
import { ensureTable } from '../../local/table';
import { startApiServer, type ApiServer } from '../../local/server';

/**
 * An API endpoint for one test file: the real local server (route table → handlers) on a free
 * loopback port, over a fresh table in the DynamoDB Local that globalSetup started.
 */
export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestApi {
  url: string;
  tableName: string;
  request<T = any>(method: string, path: string, body?: unknown): Promise<Reply<T>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

export const startTestApi = async (): Promise<TestApi> => {
  const tableName = `test-${randomUUID()}`;
  process.env.TABLE_NAME = tableName;
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  await ensureTable(tableName);
  const server: ApiServer = await startApiServer(0);
  return {
    url: server.url,
    tableName,
    async request(method, path, body) {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, headers: res.headers, body: parsed as never, text };
    },
    close: () => server.close(),
  };
};
