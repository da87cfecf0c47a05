import { OpenSearchError } from '../../shared/errors';
import type { ISMTemplate } from './model';
import { languagesIntersect, simpleMatch, type PatternLanguage } from './wildcard';
import {
  check,
  expectArray,
  fields,
  instant,
  intValue,
  invalidField,
  text,
  tokenOf,
  unexpectedToken,
} from '../../shared/xcontent';

/**
 * ISM templates: parsing (ISMTemplate.kt), index-pattern validation and overlap checks
 * (ISMTemplateService.kt / TransportIndexPolicyAction), and matching an index name.
 *
 * Exclusions (`-pattern`) are from the plugin's newer releases; in 2.19 such a pattern is a
 * literal that no index name can match. Here a template's language is "any inclusion, no
 * exclusion", for matching and for overlap alike.
 */

// ---- parsing ------------------------------------------------------------------------------

export const parseIsmTemplate = (value: unknown, now: number): ISMTemplate => {
  const indexPatterns: string[] = [];
  let priority = 0;
  let lastUpdatedTime: number | null = null;
  for (const [field, v] of fields(value)) {
    switch (field) {
      case 'index_patterns':
        for (const p of expectArray(v)) indexPatterns.push(text(p));
        break;
      case 'priority':
        priority = v === null ? 0 : intValue(v);
        break;
      case 'last_updated_time':
        lastUpdatedTime = instant(v);
        break;
      default:
        throw invalidField(field, 'ISMTemplate');
    }
  }
  check(priority >= 0, 'Requires priority to be >= 0');
  check(indexPatterns.length > 0, 'Requires at least one index pattern');
  // Kept as sent: a template only manages indices created after this time.
  return { index_patterns: indexPatterns, priority, last_updated_time: lastUpdatedTime ?? now };
};

/** `ism_template` may be one object, an array of them, or null. */
export const parseIsmTemplates = (value: unknown, now: number): ISMTemplate[] | null => {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map((t) => parseIsmTemplate(t, now));
  if (tokenOf(value) === 'START_OBJECT') return [parseIsmTemplate(value, now)];
  throw unexpectedToken('START_ARRAY', tokenOf(value), { value });
};

// ---- errors -------------------------------------------------------------------------------

/** IndexManagementException.wrap(e): 400 with the Java exception rendered as the cause. */
const indexManagementException = (reason: string, javaClass: string): OpenSearchError =>
  new OpenSearchError(
    400,
    'index_management_exception',
    reason,
    {},
    { type: 'exception', reason: `${javaClass}: ${reason}` },
  );

/** Kotlin's List.toString(). */
const listString = (items: readonly string[]): string => `[${items.join(', ')}]`;

// ---- pattern validation -------------------------------------------------------------------

// Strings.INVALID_FILENAME_CHARS as its HashSet prints; `*` is listed but allowed in patterns.
const INVALID_FILENAME_CHARS = '[ , ", *, \\, <, |, ,, >, /, ?]';
const INVALID_CHARS = new Set(['\\', '/', '?', '"', '<', '>', '|', ' ', ',']);

const isExclusion = (pattern: string): boolean => pattern.startsWith('-');

/**
 * The plugin's validateFormat over every pattern of every template, errors collected into one
 * `Validation Failed: 1: ...;2: ...;` (an index_management_exception, 400).
 */
export const validateIndexPatterns = (patterns: readonly string[]): OpenSearchError | undefined => {
  const errors: string[] = [];
  for (const pattern of patterns) {
    const body = isExclusion(pattern) ? pattern.slice(1) : pattern;
    if (isExclusion(pattern) && body === '') {
      errors.push(`index_pattern [${pattern}] must have content after '-' exclusion prefix`);
      continue;
    }
    if (body.includes('#')) errors.push(`index_pattern [${pattern}] must not contain a '#'`);
    if (body.includes(':')) errors.push(`index_pattern [${pattern}] must not contain a ':'`);
    if (body.startsWith('_')) errors.push(`index_pattern [${pattern}] must not start with '_'`);
    if ([...body].some((c) => INVALID_CHARS.has(c))) {
      errors.push(
        `index_pattern [${pattern}] must not contain the following characters ${INVALID_FILENAME_CHARS}`,
      );
    }
  }
  if (patterns.length > 0 && patterns.every(isExclusion)) {
    errors.push(
      'index_patterns must contain at least one inclusion pattern (patterns cannot be all exclusions)',
    );
  }
  if (errors.length === 0) return undefined;
  const reason = `Validation Failed: ${errors.map((e, i) => `${i + 1}: ${e};`).join('')}`;
  return indexManagementException(reason, 'org.opensearch.common.ValidationException');
};

// ---- overlap ------------------------------------------------------------------------------

const languageOf = (patterns: readonly string[]): PatternLanguage => ({
  include: patterns.filter((p) => !isExclusion(p)),
  exclude: patterns.filter(isExclusion).map((p) => p.slice(1)),
});

/** Whether some index name would be matched by both pattern lists. */
export const patternsOverlap = (a: readonly string[], b: readonly string[]): boolean =>
  a.length > 0 && b.length > 0 && languagesIntersect([languageOf(a), languageOf(b)]);

/**
 * The PUT-time overlap rules: first two templates of this policy with equal priority whose
 * patterns overlap, then a template overlapping another policy's template of equal priority.
 * `others` should not include this policy (its previous version never conflicts with itself).
 */
export const findTemplateConflict = (
  policyId: string,
  templates: ISMTemplate[],
  others: { policyId: string; templates: ISMTemplate[] }[],
): OpenSearchError | undefined => {
  const byPriority = new Map<number, ISMTemplate[]>();
  for (const t of templates) byPriority.set(t.priority, [...(byPriority.get(t.priority) ?? []), t]);
  for (const group of byPriority.values()) {
    for (let i = 0; i < group.length - 1; i++) {
      const later = group.slice(i + 1);
      if (later.some((t) => patternsOverlap(group[i].index_patterns, t.index_patterns))) {
        return indexManagementException(
          `New policy ${policyId} has an ISM template with index pattern ${listString(group[i].index_patterns)} ` +
            `matching this policy's other ISM templates with index patterns ${listString(later.flatMap((t) => t.index_patterns))},` +
            ' please use different priority',
          'java.lang.IllegalArgumentException',
        );
      }
    }
  }

  for (const t of templates) {
    const conflict = others.some(
      (o) =>
        o.policyId !== policyId &&
        o.templates.some(
          (ot) => ot.priority === t.priority && patternsOverlap(t.index_patterns, ot.index_patterns),
        ),
    );
    if (conflict) {
      return indexManagementException(
        `New policy ${policyId} has an ISM template with index pattern ${listString(t.index_patterns)} ` +
          `matching existing policy templates, please use a different priority than ${t.priority}`,
        'java.lang.IllegalArgumentException',
      );
    }
  }
  return undefined;
};

/** Whether an index (or data stream) name falls under a template's patterns. */
export const matchesTemplate = (indexName: string, t: ISMTemplate): boolean => {
  const { include, exclude } = languageOf(t.index_patterns);
  return include.some((p) => simpleMatch(p, indexName)) && !exclude.some((p) => simpleMatch(p, indexName));
};
