import type { RawReply } from './http-client';

/**
 * What every error answer of ours must look like: OpenSearch's envelope
 * `{"error":{"root_cause":[{type,reason}],"type","reason"},"status":N}` with N the HTTP status, or
 * one of the two plain forms OpenSearch's REST layer itself answers with (no handler for a path:
 * `{"error":"no handler found for uri [...] and method [...]"}` or `{"error":"invalid uri has been
 * requested"}`; a path without the method: `{"error":"Incorrect HTTP method ...","status":405}`; a
 * body of a type it cannot read: `{"error":"Content-Type header [...] is not supported","status":406}`).
 * A HEAD answer has no body.
 */
const isCause = (c: unknown): boolean =>
  !!c &&
  typeof c === 'object' &&
  typeof (c as { type?: unknown }).type === 'string' &&
  ['string', 'object'].includes(typeof (c as { reason?: unknown }).reason);

export const envelopeProblem = (method: string, reply: RawReply): string | undefined => {
  if (method === 'HEAD') return reply.text === '' ? undefined : 'HEAD answer with a body';
  let body: unknown;
  try {
    body = JSON.parse(reply.text);
  } catch {
    return `not JSON: ${reply.text.slice(0, 120)}`;
  }
  if (!body || typeof body !== 'object') return `not an object: ${reply.text.slice(0, 120)}`;
  const { error, status } = body as { error?: unknown; status?: unknown };
  if (typeof error === 'string') {
    if (
      reply.status === 400 &&
      status === undefined &&
      /^(no handler found for uri \[|invalid uri has been requested$)/.test(error)
    )
      return undefined;
    if (reply.status === 405 && status === 405 && /^(Incorrect|Unexpected) HTTP method/.test(error))
      return undefined;
    // RestController's answer to a body it cannot read (BytesRestResponse.createSimpleErrorResponse).
    if (reply.status === 406 && status === 406 && /^Content-Type header/.test(error)) return undefined;
    return `plain error form for ${reply.status}: ${reply.text.slice(0, 160)}`;
  }
  if (status !== reply.status) return `envelope status ${String(status)} on a ${reply.status}`;
  const e = error as { root_cause?: unknown; type?: unknown; reason?: unknown } | undefined;
  if (!e || typeof e !== 'object' || !isCause(e)) return `no error type/reason: ${reply.text.slice(0, 160)}`;
  if (!Array.isArray(e.root_cause) || e.root_cause.length === 0 || !e.root_cause.every(isCause))
    return `no root_cause: ${reply.text.slice(0, 160)}`;
  return undefined;
};
