import { PublishCommand, SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import pRetry, { AbortError } from 'p-retry';
import type { Delivery, HttpDelivery, SnsDelivery } from './request';

/** The outcome of one send, never an exception: callers show `reason` in explain/info. */
export interface SendResult {
  ok: boolean;
  status?: number;
  reason?: string;
}

export type Sender = (delivery: Delivery) => Promise<SendResult>;

/** The statuses the plugin's DestinationHttpClient accepts as delivered (2xx except 2xx oddities). */
const DELIVERED = new Set([200, 201, 202, 203, 204, 205, 206, 207]);

export interface HttpOptions {
  /** Extra attempts after the first, for network errors, 429 and 5xx. */
  retries: number;
  minTimeoutMs: number;
  /** Per attempt, so one slow endpoint can't eat a worker's whole Lambda budget. */
  timeoutMs: number;
  /**
   * All attempts together: fits in the 10 s of an API function (send test) and keeps a worker's
   * budget for its real work when an endpoint hangs.
   */
  totalMs: number;
}

export const DEFAULT_HTTP_OPTIONS: HttpOptions = {
  retries: 2,
  minTimeoutMs: 200,
  timeoutMs: 5000,
  totalMs: 8000,
};

class Undelivered extends Error {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super(reason);
  }
}

class Unreachable extends Error {}

/** The most telling part of a fetch failure: the socket error code, else the message. */
const networkDetail = (e: unknown): string => {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return 'timed out';
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
};

const snippet = async (res: Response): Promise<string> => {
  const text = await res.text().catch(() => '');
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
};

/** POSTs (or PUTs/PATCHes) a webhook delivery with bounded retries and backoff. */
export const sendHttp = async (
  delivery: HttpDelivery,
  options = DEFAULT_HTTP_OPTIONS,
): Promise<SendResult> => {
  try {
    const deadline = Date.now() + options.totalMs;
    const status = await pRetry(
      async () => {
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new AbortError(
            new Unreachable(`failed to reach ${delivery.url}: gave up after ${options.totalMs} ms`),
          );
        }
        let res: Response;
        try {
          res = await fetch(delivery.url, {
            method: delivery.method,
            headers: delivery.headers,
            body: delivery.body,
            // The plugin does not follow redirects: a 3xx is a failed delivery.
            redirect: 'manual',
            signal: AbortSignal.timeout(Math.min(options.timeoutMs, left)),
          });
        } catch (e) {
          // Rethrown as this module's own Error: fetch's errors may come from another realm.
          throw new Unreachable(`failed to reach ${delivery.url}: ${networkDetail(e)}`);
        }
        if (DELIVERED.has(res.status)) {
          await res.body?.cancel();
          return res.status;
        }
        const failure = new Undelivered(
          res.status,
          `${delivery.url} answered ${res.status}: ${await snippet(res)}`,
        );
        // Only overload and server errors are worth another attempt.
        if (res.status === 429 || res.status >= 500) throw failure;
        throw new AbortError(failure);
      },
      { retries: options.retries, minTimeout: options.minTimeoutMs, factor: 2, randomize: true },
    );
    return { ok: true, status };
  } catch (e) {
    const err = (e as { originalError?: Error }).originalError ?? (e as Error);
    if (err instanceof Undelivered) return { ok: false, status: err.status, reason: err.message };
    if (err instanceof Unreachable) return { ok: false, reason: err.message };
    return { ok: false, reason: `failed to reach ${delivery.url}: ${networkDetail(err)}` };
  }
};

/** The PublishCommand input of an SNS delivery (SNS subjects are at most 100 characters, one line). */
export const snsPublishInput = (delivery: SnsDelivery): PublishCommandInput => ({
  TopicArn: delivery.topicArn,
  Message: delivery.message,
  Subject: delivery.subject ? delivery.subject.replace(/[\r\n]+/g, ' ').slice(0, 100) : undefined,
});

/** The region is the topic ARN's own (arn:aws:sns:<region>:<account>:<name>). */
export const topicRegion = (topicArn: string): string | undefined => {
  const parts = topicArn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts[2] === 'sns' ? parts[3] : undefined;
};

/** Publishes to SNS; the SDK's own retry strategy retries throttling and server errors. */
export const sendSns = async (delivery: SnsDelivery): Promise<SendResult> => {
  const region = topicRegion(delivery.topicArn);
  if (!region) return { ok: false, reason: `invalid SNS topic ARN [${delivery.topicArn}]` };
  try {
    const client = new SNSClient({
      region,
      maxAttempts: 3,
      // role_arn: publish as that role, as the plugin does with STS AssumeRole.
      credentials: delivery.roleArn
        ? fromTemporaryCredentials({
            params: { RoleArn: delivery.roleArn, RoleSessionName: 'serverless-index-management' },
            clientConfig: { region },
          })
        : undefined,
    });
    const out = await client.send(new PublishCommand(snsPublishInput(delivery)));
    return { ok: true, status: out.$metadata.httpStatusCode };
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    return {
      ok: false,
      status: err.$metadata?.httpStatusCode,
      reason: `SNS publish to ${delivery.topicArn} failed: ${err.name}: ${err.message}`,
    };
  }
};

export const send: Sender = (delivery) => (delivery.kind === 'http' ? sendHttp(delivery) : sendSns(delivery));
