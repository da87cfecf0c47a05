import Mustache from 'mustache';
import type { CustomWebhook, Destination } from '../policy/model';
import type { Notifier } from './step';

/**
 * Delivers ISM notifications straight to the policy's destination (Slack, Chime, custom
 * webhook). NOTE: channel ids (`{"channel":{"id":..}}`) need the notifications module
 * (lambdas/notifications), which this will delegate to once it lands on main.
 */
const webhookUrl = (w: CustomWebhook): string => {
  if (w.url) return w.url;
  const q = new URLSearchParams(w.query_params).toString();
  return `${w.scheme ?? 'https'}://${w.host}${w.port > 0 ? `:${w.port}` : ''}${w.path ? `/${w.path.replace(/^\//, '')}` : ''}${q ? `?${q}` : ''}`;
};

export const directNotifier = (fetchFn: typeof fetch = fetch): Notifier => ({
  render: (template, ctx) => Mustache.render(template, { ctx }),
  async send(target, _subject, message) {
    const t = target as Destination | { id: string } | undefined;
    if (!t) throw new Error('no destination or channel');
    if ('id' in t)
      throw new Error(`notification channel [${t.id}] cannot be reached: channels are not wired in yet`);
    let url: string;
    let body: string;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if ('slack' in t) [url, body] = [t.slack.url, JSON.stringify({ text: message })];
    else if ('chime' in t) [url, body] = [t.chime.url, JSON.stringify({ Content: message })];
    else {
      url = webhookUrl(t.custom_webhook);
      body = message;
      Object.assign(headers, { 'content-type': 'text/plain' }, t.custom_webhook.header_params);
    }
    const res = await fetchFn(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`the destination answered ${res.status}`);
  },
});
