import { parse } from 'lucene';

/**
 * `query_string` queries on rollup indices (QueryStringQueryUtil and QueryStringQueryParserExt):
 * the query text is parsed to find the fields it names, each of which must be a `terms`
 * dimension of the job, and is then rewritten to the rollup documents' `<field>.terms`.
 *
 * Terms without a field ("lonely" terms) go to the default fields, resolved against the mapping
 * of the job's source index as the plugin resolves them: a concrete `default_field` is named like
 * any other field; a pattern, `fields`, or no default at all (the index default `*`) name every
 * matching field of the source mapping, all of which must then be `terms` dimensions.
 */
export const EXISTS = '_exists_';
const TERMS = 'terms';

export interface QueryStringUse {
  /** Fields named in the text (and a concrete default field that lonely terms go to), in order. */
  discovered: string[];
  /** Default fields the lonely terms go to, with their boosts; empty when there are none. */
  others: Map<string, number>;
}

type Json = unknown;
type JsonObject = Record<string, Json>;
const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const isPattern = (s: string): boolean => s.includes('*');

/** A field name as the Lucene parser hands it on: prefix operators off, escapes resolved. */
const fieldName = (raw: string): string => raw.replace(/^[+\-!]+/, '').replace(/\\(.)/g, '$1');

/**
 * Walks the parsed query: every term or range with its field (its own or its group's). `undefined`
 * when the text does not parse.
 */
const fieldsOfText = (text: string): { named: string[]; lonely: boolean } | undefined => {
  let ast: Json;
  try {
    // The parser reads `~2` (an edit distance) as a separate term; the fields are all we need.
    ast = parse(text.replace(/(^|[^\\"])~\d+(?![\d.])/g, '$1~'));
  } catch {
    return undefined;
  }
  const named: string[] = [];
  let lonely = false;
  const visit = (node: Json, inherited: string | undefined): void => {
    if (!isObject(node)) return;
    const own =
      typeof node.field === 'string' && node.field !== '<implicit>' ? fieldName(node.field) : undefined;
    const field = own ?? inherited;
    if ('term' in node || 'term_min' in node) {
      if (field === undefined || isPattern(field)) lonely = true;
      else if (field === EXISTS) {
        if (typeof node.term === 'string' && node.term !== '') named.push(fieldName(node.term));
      } else named.push(field);
      return;
    }
    visit(node.left, field);
    visit(node.right, field);
  };
  visit(ast, undefined);
  return { named, lonely };
};

const simpleMatch = (pattern: string, value: string): boolean =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(value);

/** `f^2` → [f, 2] (QueryParserHelper.parseFieldsAndWeights). */
const fieldAndWeight = (spec: string): [string, number] => {
  const at = spec.lastIndexOf('^');
  if (at < 0) return [spec, 1];
  const w = Number(spec.slice(at + 1));
  return Number.isFinite(w) ? [spec.slice(0, at), w] : [spec, 1];
};

/** Default fields of lonely terms resolved against the source fields (QueryParserHelper). */
const resolveFields = (specs: string[], sourceFields: string[]): Map<string, number> => {
  const out = new Map<string, number>();
  for (const spec of specs) {
    const [pattern, weight] = fieldAndWeight(spec);
    for (const f of sourceFields) if (simpleMatch(pattern, f)) out.set(f, (out.get(f) ?? 1) * weight);
  }
  return out;
};

export class QueryStringError extends Error {}

/**
 * The fields a `query_string` query uses (QueryStringQueryUtil.extractFieldsFromQueryString).
 * `sourceFields` are the searchable fields of the job's concrete source index; `undefined` when
 * it does not resolve. Throws {@link QueryStringError} with the plugin's message.
 */
export const queryStringUse = (qs: JsonObject, sourceFields: string[] | undefined): QueryStringUse => {
  if (!sourceFields)
    throw new QueryStringError("Can't parse query_string query without sourceIndex mappings!");
  const text = String(qs.query ?? '');
  // `escape: true` makes the whole text one term of the default field(s).
  const parsed = qs.escape === true ? { named: [], lonely: true } : fieldsOfText(text);
  if (!parsed) throw new QueryStringError(`Failed to parse query [${text}]`);
  const discovered = [...parsed.named];
  let others = new Map<string, number>();
  const defaultField = typeof qs.default_field === 'string' ? qs.default_field : undefined;
  const fields = Array.isArray(qs.fields) ? qs.fields.map(String) : [];
  if (defaultField !== undefined) {
    if (!isPattern(defaultField)) {
      // Lonely terms are queries on the default field itself.
      if (parsed.lonely) discovered.push(defaultField);
    } else if (parsed.lonely) others = resolveFields([defaultField], sourceFields);
  } else if (parsed.lonely) {
    // No fields: the index default `index.query.default_field`, `*`.
    others = resolveFields(fields.length > 0 ? fields : ['*'], sourceFields);
  }
  return { discovered, others };
};

/** QueryStringQueryUtil.rewriteQueryStringQuery: the query on the rollup documents' fields. */
export const rewriteQueryString = (qs: JsonObject, use: QueryStringUse): JsonObject => {
  let text = String(qs.query ?? '');
  for (const field of use.discovered) {
    const escaped = field.replace(/ /g, '\\ ');
    text = text.split(`${escaped}:`).join(`${escaped}.${TERMS}:`);
    text = text.split(`${EXISTS}:${escaped}`).join(`${EXISTS}:${escaped}.${TERMS}`);
  }
  const { default_field: defaultField, fields: _fields, ...rest } = qs;
  void _fields;
  const out: JsonObject = { ...rest, query: text };
  if (typeof defaultField === 'string' && !isPattern(defaultField))
    out.default_field = `${defaultField}.${TERMS}`;
  else if (use.others.size > 0) {
    out.fields = [...use.others].map(([f, w]) => (w === 1 ? `${f}.${TERMS}` : `${f}.${TERMS}^${w}`));
  }
  return out;
};

/** Not searchable with a term query: the plugin leaves them out of `*` (resolveMatchPatternFields). */
const UNSEARCHABLE = new Set([
  'geo_point',
  'geo_shape',
  'binary',
  'object',
  'nested',
  'completion',
  'xy_point',
  'xy_shape',
]);

interface MappingNode {
  type?: string;
  properties?: Record<string, MappingNode>;
  fields?: Record<string, MappingNode>;
}

/** Every searchable field path of a mapping, multi-fields included. */
export const mappingFields = (mapping: { properties?: Record<string, MappingNode> }): string[] => {
  const out: string[] = [];
  const walk = (props: Record<string, MappingNode> | undefined, prefix: string): void => {
    for (const [name, node] of Object.entries(props ?? {})) {
      const path = `${prefix}${name}`;
      if (node.properties) walk(node.properties, `${path}.`);
      if (node.type && !UNSEARCHABLE.has(node.type) && !name.startsWith('_')) out.push(path);
      for (const [sub, subNode] of Object.entries(node.fields ?? {})) {
        if (!UNSEARCHABLE.has(subNode.type ?? '')) out.push(`${path}.${sub}`);
      }
    }
  };
  walk(mapping.properties, '');
  return out;
};
