import Mustache from 'mustache';
import { statusException } from '../../shared/errors';

/**
 * RollupFieldValueExpressionResolver: `target_index` is a mustache template over
 * `ctx.source_index` (the ISM action also gives `ctx.index`). An empty render falls back to the
 * raw value; a rendered name with a wildcard is refused.
 */
export interface TargetContext {
  source_index: string;
  index?: string;
}

export const renderTargetIndex = (template: string, ctx: TargetContext): string => {
  let rendered: string;
  try {
    // Index names are not HTML: no escaping.
    rendered = Mustache.render(template, { ctx }, {}, { escape: (s: string) => s });
  } catch {
    rendered = template;
  }
  return rendered.trim() === '' ? template : rendered;
};

export const validateTargetIndex = (template: string, ctx: TargetContext): string => {
  const name = renderTargetIndex(template, ctx);
  if (name.includes('*') || name.includes('?')) {
    throw statusException(400, `target_index value is invalid: ${template}`);
  }
  return name;
};
