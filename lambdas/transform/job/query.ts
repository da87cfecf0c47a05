import { isObject, parsingException, type Json, type JsonObject } from '../../shared/xcontent';

/**
 * `data_selection_query` as the plugin stores it: OpenSearch parses the query into its query
 * builder and writes the builder back, which spells out the defaults (`{"match_all":{}}` becomes
 * `{"match_all":{"boost":1.0}}`). The common leaf and compound queries are rendered here as their
 * builders write them; any other query type is kept as sent (the cluster parses it when the job
 * searches).
 *
 *   renderQuery({ term: { region: 'eu' } }) // { term: { region: { value: 'eu', boost: 1 } } }
 */
type Renderer = (body: Json) => JsonObject;

const BOOST = 1.0;

const nameOf = (body: JsonObject): JsonObject => (body._name !== undefined ? { _name: body._name } : {});

const boostOf = (body: JsonObject): number =>
  typeof body.boost === 'number' ? body.boost : body.boost !== undefined ? Number(body.boost) : BOOST;

const objectBody = (type: string, body: Json): JsonObject => {
  if (!isObject(body)) throw parsingException(`[${type}] query malformed, no start_object after query name`);
  return body;
};

/** The one `{field: ...}` entry of a single-field query, and the query's own options beside it. */
const fieldEntry = (type: string, body: JsonObject): [string, Json] => {
  const entries = Object.entries(body).filter(([k]) => k !== 'boost' && k !== '_name');
  if (entries.length !== 1) {
    throw parsingException(
      `[${type}] query doesn't support multiple fields, found [${entries[0]?.[0]}] and [${entries[1]?.[0]}]`,
    );
  }
  return entries[0];
};

const simple =
  (type: string): Renderer =>
  (raw) => {
    const body = objectBody(type, raw);
    return { [type]: { boost: boostOf(body), ...nameOf(body) } };
  };

/** term, prefix and wildcard: `{field: value}` or `{field: {<valueKey>: value, ...}}`. */
const singleValue =
  (type: string, valueKey: string, inputKeys: string[], options: string[]): Renderer =>
  (raw) => {
    const [field, spec] = fieldEntry(type, objectBody(type, raw));
    const out: JsonObject = {};
    if (!isObject(spec)) {
      out[valueKey] = spec;
      out.boost = BOOST;
      return { [type]: { [field]: out } };
    }
    const key = inputKeys.find((k) => spec[k] !== undefined);
    out[valueKey] = key ? spec[key] : null;
    for (const o of options) if (spec[o] !== undefined && spec[o] !== false) out[o] = spec[o];
    out.boost = boostOf(spec);
    if (spec._name !== undefined) out._name = spec._name;
    return { [type]: { [field]: out } };
  };

const terms: Renderer = (raw) => {
  const body = objectBody('terms', raw);
  const [field, values] = fieldEntry('terms', body);
  return { terms: { [field]: values, boost: boostOf(body), ...nameOf(body) } };
};

const exists: Renderer = (raw) => {
  const body = objectBody('exists', raw);
  return { exists: { field: body.field ?? null, boost: boostOf(body), ...nameOf(body) } };
};

const ids: Renderer = (raw) => {
  const body = objectBody('ids', raw);
  return { ids: { values: body.values ?? [], boost: boostOf(body), ...nameOf(body) } };
};

const range: Renderer = (raw) => {
  const [field, spec] = fieldEntry('range', objectBody('range', raw));
  const s = objectBody('range', spec);
  let from: Json = s.from ?? null;
  let to: Json = s.to ?? null;
  let includeLower = s.include_lower !== false;
  let includeUpper = s.include_upper !== false;
  if (s.gte !== undefined) [from, includeLower] = [s.gte, true];
  if (s.gt !== undefined) [from, includeLower] = [s.gt, false];
  if (s.lte !== undefined) [to, includeUpper] = [s.lte, true];
  if (s.lt !== undefined) [to, includeUpper] = [s.lt, false];
  const out: JsonObject = { from, to, include_lower: includeLower, include_upper: includeUpper };
  for (const o of ['time_zone', 'format', 'relation']) if (s[o] !== undefined) out[o] = s[o];
  out.boost = boostOf(s);
  if (s._name !== undefined) out._name = s._name;
  return { range: { [field]: out } };
};

const clauses = (value: Json | undefined): JsonObject[] =>
  value === undefined || value === null
    ? []
    : (Array.isArray(value) ? value : [value]).map((q) => renderQuery(q));

const bool: Renderer = (raw) => {
  const body = objectBody('bool', raw);
  const out: JsonObject = {};
  for (const occur of ['must', 'filter', 'must_not', 'should']) {
    const list = clauses(body[occur]);
    if (list.length > 0) out[occur] = list;
  }
  out.adjust_pure_negative = body.adjust_pure_negative !== false;
  if (body.minimum_should_match !== undefined && body.minimum_should_match !== null) {
    out.minimum_should_match = String(body.minimum_should_match);
  }
  out.boost = boostOf(body);
  return { bool: { ...out, ...nameOf(body) } };
};

const match: Renderer = (raw) => {
  const [field, spec] = fieldEntry('match', objectBody('match', raw));
  const s: JsonObject = isObject(spec) ? spec : { query: spec };
  const out: JsonObject = {
    query: s.query ?? null,
    operator: typeof s.operator === 'string' ? s.operator.toUpperCase() : 'OR',
  };
  if (s.analyzer !== undefined) out.analyzer = s.analyzer;
  if (s.fuzziness !== undefined) out.fuzziness = String(s.fuzziness);
  out.prefix_length = s.prefix_length ?? 0;
  out.max_expansions = s.max_expansions ?? 50;
  if (s.minimum_should_match !== undefined) out.minimum_should_match = String(s.minimum_should_match);
  if (s.fuzzy_rewrite !== undefined) out.fuzzy_rewrite = s.fuzzy_rewrite;
  out.fuzzy_transpositions = s.fuzzy_transpositions !== false;
  out.lenient = s.lenient === true;
  out.zero_terms_query = typeof s.zero_terms_query === 'string' ? s.zero_terms_query.toUpperCase() : 'NONE';
  out.auto_generate_synonyms_phrase_query = s.auto_generate_synonyms_phrase_query !== false;
  out.boost = boostOf(s);
  if (s._name !== undefined) out._name = s._name;
  return { match: { [field]: out } };
};

const matchPhrase: Renderer = (raw) => {
  const [field, spec] = fieldEntry('match_phrase', objectBody('match_phrase', raw));
  const s: JsonObject = isObject(spec) ? spec : { query: spec };
  const out: JsonObject = { query: s.query ?? null };
  if (s.analyzer !== undefined) out.analyzer = s.analyzer;
  out.slop = s.slop ?? 0;
  out.zero_terms_query = typeof s.zero_terms_query === 'string' ? s.zero_terms_query.toUpperCase() : 'NONE';
  out.boost = boostOf(s);
  if (s._name !== undefined) out._name = s._name;
  return { match_phrase: { [field]: out } };
};

const RENDERERS: Record<string, Renderer> = {
  match_all: simple('match_all'),
  match_none: simple('match_none'),
  term: singleValue('term', 'value', ['value'], ['case_insensitive']),
  prefix: singleValue('prefix', 'value', ['value', 'prefix'], ['rewrite', 'case_insensitive']),
  wildcard: singleValue('wildcard', 'wildcard', ['wildcard', 'value'], ['rewrite', 'case_insensitive']),
  terms,
  exists,
  ids,
  range,
  bool,
  match,
  match_phrase: matchPhrase,
};

/** Query types OpenSearch knows but that are kept here as sent. */
const KNOWN = new Set([
  'boosting',
  'constant_score',
  'dis_max',
  'function_score',
  'fuzzy',
  'geo_bounding_box',
  'geo_distance',
  'geo_polygon',
  'geo_shape',
  'has_child',
  'has_parent',
  'intervals',
  'match_bool_prefix',
  'match_phrase_prefix',
  'more_like_this',
  'multi_match',
  'nested',
  'parent_id',
  'percolate',
  'query_string',
  'regexp',
  'script',
  'script_score',
  'simple_query_string',
  'span_containing',
  'span_first',
  'span_multi',
  'span_near',
  'span_not',
  'span_or',
  'span_term',
  'span_within',
  'terms_set',
  'wrapper',
  'distance_feature',
  'rank_feature',
  'combined_fields',
]);

/** AbstractQueryBuilder.parseInnerQueryBuilder, then the builder's toXContent. */
export const renderQuery = (value: Json | undefined): JsonObject => {
  if (!isObject(value)) throw parsingException('query malformed, must start with start_object');
  const entries = Object.entries(value);
  if (entries.length === 0) throw parsingException('query malformed, empty clause found');
  if (entries.length > 1) {
    throw parsingException(
      `[${entries[0][0]}] malformed query, expected [END_OBJECT] but found [FIELD_NAME]`,
    );
  }
  const [type, body] = entries[0];
  const renderer = RENDERERS[type];
  if (renderer) return renderer(body);
  if (KNOWN.has(type)) return { [type]: body };
  throw parsingException(`unknown query [${type}]`);
};
