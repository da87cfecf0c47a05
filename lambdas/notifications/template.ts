import Mustache from 'mustache';

/**
 * OpenSearch's default mustache encoder for string templates is JSON: values are escaped as
 * inside a JSON string (quotes, backslashes, control characters), not as HTML. `{{{x}}}` and
 * `{{& x}}` stay raw, as in OpenSearch.
 */
const jsonEscape = (value: unknown): string => JSON.stringify(String(value)).slice(1, -1);

/**
 * Renders a mustache template the way ISM and SM render message templates, e.g.
 * `renderTemplate('Index {{ctx.index}} failed', { ctx: { index: 'logs-1' } })`.
 * Throws an Error naming the problem when the template itself is malformed (an unclosed tag).
 */
export const renderTemplate = (source: string, ctx: object): string => {
  try {
    return Mustache.render(source, ctx, undefined, { escape: jsonEscape });
  } catch (e) {
    throw new Error(`invalid mustache template: ${(e as Error).message}`, { cause: e });
  }
};
