import { OpenSearchError } from './errors';

/**
 * The nesting a request body may have: Jackson's default (`StreamReadConstraints`), 1000 levels.
 * OpenSearch 2.x sets no limit, and a node dies of a StackOverflowError on a deep enough body
 * (`PUT _cluster/settings` with 5,000 nested objects takes the 2.19 node down), so a deeper body
 * is refused here, before any handler walks it or the cluster sees it.
 *
 *   checkNestingDepth('['.repeat(1001) + ']'.repeat(1001));
 *   // 400 json_parse_exception "Document nesting depth (1001) exceeds the maximum allowed (1000, ...)"
 */
export const MAX_NESTING_DEPTH = 1000;

/** The deepest nesting of `[`/`{` outside strings (a scan of the text; ndjson lines too). */
export const nestingDepth = (text: string, stopAbove = Infinity): number => {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max && (max = depth) > stopAbove) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
};

export const checkNestingDepth = (text: string | undefined): void => {
  if (text === undefined) return;
  const depth = nestingDepth(text, MAX_NESTING_DEPTH);
  if (depth > MAX_NESTING_DEPTH) {
    throw new OpenSearchError(
      400,
      'json_parse_exception',
      `Document nesting depth (${depth}) exceeds the maximum allowed (${MAX_NESTING_DEPTH}, from \`StreamReadConstraints.getMaxNestingDepth()\`)`,
    );
  }
};
