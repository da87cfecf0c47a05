/**
 * The `queryString` parameter of the plugins' list APIs: a Lucene `query_string` query over the
 * documents of a config index, as OpenSearch runs it there, with the index's mapping in mind.
 *
 *   const matches = compileQueryString('cf-a OR policy.description:beta', {
 *     defaultField: 'policy.policy_id.keyword',
 *     field: (name) => POLICY_FIELDS[name],
 *   });
 *   matches((field) => valuesOf(doc, field));
 *
 * The syntax is Lucene's classic query parser: terms, `field:term`, `"phrases"`, wildcards
 * (`*`, `?`), `/regex/`, ranges (`[a TO b]`, `{a TO *}`), groups, `AND`/`OR`/`NOT`, `&&`/`||`/`!`,
 * `+`/`-`, and OpenSearch's `_exists_:field`; boosts (`^2`) and fuzziness (`~`) are read and
 * ignored. Clauses combine as Lucene combines them with the default operator AND. Fields match by
 * their mapped type: `keyword` exactly (case-sensitive), `text` through the standard analyzer
 * (lowercased words), numbers and dates by value; `nested` and unmapped fields match nothing, as
 * a query_string outside a nested query does. Where Lucene would refuse the syntax (an
 * unbalanced parenthesis), the query is read as far as it makes sense instead.
 */

export type FieldType = 'keyword' | 'text' | 'long' | 'date' | 'nested';

export interface FieldMapping {
  type: FieldType;
  /** keyword: longer values are not indexed, so never match. */
  ignoreAbove?: number;
}

export interface QueryStringSchema {
  defaultField: string;
  /** The mapping of a field by its full name (`policy.description.keyword`), if mapped. */
  field: (name: string) => FieldMapping | undefined;
  /** Every mapped field name, for `policy.*:x` style field patterns. */
  fields?: () => readonly string[];
}

/** A document as the query sees it: the values of a field (none when absent). */
export type FieldValues = (field: string) => readonly unknown[];

type Occur = 'MUST' | 'SHOULD' | 'MUST_NOT';

type Query =
  | { kind: 'bool'; clauses: { occur: Occur; query: Query }[] }
  | { kind: 'all' }
  | { kind: 'exists'; field: string }
  | { kind: 'term'; field: string | undefined; text: string; form: 'term' | 'wildcard' | 'phrase' | 'regex' }
  | { kind: 'range'; field: string | undefined; lo: string; hi: string; incLo: boolean; incHi: boolean };

// ---- tokens --------------------------------------------------------------------------------

type Token =
  | { t: 'term'; raw: string; text: string; wildcard: boolean }
  | { t: 'phrase'; text: string }
  | { t: 'regex'; text: string }
  | { t: 'range'; lo: string; hi: string; incLo: boolean; incHi: boolean }
  | { t: 'colon' | 'lparen' | 'rparen' | 'and' | 'or' | 'not' | 'plus' | 'minus' };

/** Characters that end a term (Lucene's _TERM_CHAR excludes them); `\\` escapes any of them. */
const TERM_STOP = new Set([...'!():^[]"{}~/']);
const isSpace = (c: string): boolean => /\s/.test(c);

const tokenize = (q: string): Token[] => {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i];
    if (isSpace(c)) {
      i++;
    } else if (c === '(') {
      out.push({ t: 'lparen' });
      i++;
    } else if (c === ')') {
      out.push({ t: 'rparen' });
      i++;
    } else if (c === ':') {
      out.push({ t: 'colon' });
      i++;
    } else if (c === '+') {
      out.push({ t: 'plus' });
      i++;
    } else if (c === '-') {
      out.push({ t: 'minus' });
      i++;
    } else if (c === '!') {
      out.push({ t: 'not' });
      i++;
    } else if (q.startsWith('&&', i)) {
      out.push({ t: 'and' });
      i += 2;
    } else if (q.startsWith('||', i)) {
      out.push({ t: 'or' });
      i += 2;
    } else if (c === '^' || c === '~') {
      // Boost or fuzziness: the number after it, if any, is read and ignored.
      i++;
      while (i < q.length && /[0-9.]/.test(q[i])) i++;
    } else if (c === '"') {
      let text = '';
      i++;
      while (i < q.length && q[i] !== '"') {
        if (q[i] === '\\' && i + 1 < q.length) i++;
        text += q[i++];
      }
      i++;
      out.push({ t: 'phrase', text });
    } else if (c === '/') {
      let text = '';
      i++;
      while (i < q.length && q[i] !== '/') {
        if (q[i] === '\\' && q[i + 1] === '/') i++;
        text += q[i++];
      }
      i++;
      out.push({ t: 'regex', text });
    } else if (c === '[' || c === '{') {
      const close = q.slice(i + 1).search(/[\]}]/);
      const end = close === -1 ? q.length : i + 1 + close;
      const body = q.slice(i + 1, end).trim();
      const m = /^(\S+)\s+TO\s+(\S+)$/.exec(body);
      const unquote = (s: string) => s.replace(/^"(.*)"$/, '$1');
      if (m) {
        out.push({
          t: 'range',
          lo: unquote(m[1]),
          hi: unquote(m[2]),
          incLo: c === '[',
          incHi: q[end] === ']',
        });
      }
      i = end + 1;
    } else {
      let raw = '';
      let text = '';
      let wildcard = false;
      // `+` and `-` start a clause as modifiers (read above) but belong to a term inside it.
      while (i < q.length && !TERM_STOP.has(q[i]) && !isSpace(q[i])) {
        if (q[i] === '\\' && i + 1 < q.length) {
          raw += q[i] + q[i + 1];
          text += `\\${q[i + 1]}`;
          i += 2;
          continue;
        }
        if (q[i] === '*' || q[i] === '?') wildcard = true;
        raw += q[i];
        text += q[i];
        i++;
      }
      if (raw === '') {
        i++; // a character that starts nothing: skipped
        continue;
      }
      if (raw === 'AND') out.push({ t: 'and' });
      else if (raw === 'OR') out.push({ t: 'or' });
      else if (raw === 'NOT') out.push({ t: 'not' });
      else out.push({ t: 'term', raw, text, wildcard });
    }
  }
  return out;
};

/** The term's text with Lucene escapes removed (wildcard patterns keep theirs for later). */
const unescape = (s: string): string => s.replace(/\\(.)/g, '$1');

// ---- parser (Lucene's QueryParser, default operator AND) -----------------------------------

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  /** Query := (Conjunction? Modifiers? Clause)* up to the group's `)` or the end. */
  query(field: string | undefined, depth = 0): Query {
    const clauses: { occur: Occur; query: Query }[] = [];
    let first = true;
    while (this.pos < this.tokens.length) {
      if (this.peek()?.t === 'rparen') {
        if (depth > 0) break;
        this.pos++; // unbalanced: skipped
        continue;
      }
      let conj: 'and' | 'or' | undefined;
      const c = this.peek();
      if (!first && (c?.t === 'and' || c?.t === 'or')) {
        conj = c.t;
        this.pos++;
      }
      let mod: 'req' | 'not' | undefined;
      const m = this.peek();
      if (m?.t === 'plus') {
        mod = 'req';
        this.pos++;
      } else if (m?.t === 'minus' || m?.t === 'not') {
        mod = 'not';
        this.pos++;
      }
      const q = this.clause(field);
      if (!q) continue;
      addClause(clauses, conj, mod, q);
      first = false;
    }
    if (clauses.length === 1 && clauses[0].occur !== 'MUST_NOT') return clauses[0].query;
    return { kind: 'bool', clauses };
  }

  private clause(field: string | undefined): Query | undefined {
    const t = this.peek();
    if (!t) return undefined;
    // field:...
    if (t.t === 'term' && this.tokens[this.pos + 1]?.t === 'colon') {
      this.pos += 2;
      const name = unescape(t.raw);
      if (name === '*' && this.peek()?.t === 'term' && (this.peek() as { raw: string }).raw === '*') {
        this.pos++;
        return { kind: 'all' };
      }
      if (name === '_exists_') {
        const target = this.peek();
        this.pos++;
        return target?.t === 'term' ? { kind: 'exists', field: unescape(target.raw) } : undefined;
      }
      return this.clause(name);
    }
    this.pos++;
    switch (t.t) {
      case 'lparen': {
        const q = this.query(field, 1);
        if (this.peek()?.t === 'rparen') this.pos++;
        return q;
      }
      case 'term':
        return {
          kind: 'term',
          field,
          text: t.wildcard ? t.text : unescape(t.text),
          form: t.wildcard ? 'wildcard' : 'term',
        };
      case 'phrase':
        return { kind: 'term', field, text: t.text, form: 'phrase' };
      case 'regex':
        return { kind: 'term', field, text: t.text, form: 'regex' };
      case 'range':
        return { kind: 'range', field, lo: t.lo, hi: t.hi, incLo: t.incLo, incHi: t.incHi };
      default:
        return undefined; // a stray operator: skipped
    }
  }
}

/** QueryParserBase.addClause with the AND default operator. */
const addClause = (
  clauses: { occur: Occur; query: Query }[],
  conj: 'and' | 'or' | undefined,
  mod: 'req' | 'not' | undefined,
  query: Query,
): void => {
  const last = clauses[clauses.length - 1];
  if (last && last.occur !== 'MUST_NOT') {
    if (conj === 'and') last.occur = 'MUST';
    if (conj === 'or') last.occur = 'SHOULD';
  }
  const prohibited = mod === 'not';
  const required = !prohibited && conj !== 'or';
  clauses.push({ occur: prohibited ? 'MUST_NOT' : required ? 'MUST' : 'SHOULD', query });
};

// ---- matching ------------------------------------------------------------------------------

/** The standard analyzer, near enough: lowercased words (letters, digits, `_`, inner `.`/`'`/`:`). */
export const standardTokens = (value: string): string[] =>
  value.toLowerCase().match(/[\p{L}\p{N}_]+(?:[.'’:][\p{L}\p{N}_]+)*/gu) ?? [];

/** Lucene's WildcardQuery: `*` any run of characters, `?` one character, `\\` escapes the next. */
export const wildcardRegExp = (pattern: string): RegExp => {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]);
    else if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, 's');
};

const escapeRegExp = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const regexOf = (pattern: string): RegExp | undefined => {
  try {
    return new RegExp(`^(?:${pattern})$`, 's');
  } catch {
    return undefined;
  }
};

const numberOf = (value: unknown, type: FieldType): number | undefined => {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^[+-]?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (type === 'date') {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
};

const inRange = <T extends string | number>(
  v: T,
  lo: T | undefined,
  hi: T | undefined,
  incLo: boolean,
  incHi: boolean,
): boolean =>
  (lo === undefined || (incLo ? v >= lo : v > lo)) && (hi === undefined || (incHi ? v <= hi : v < hi));

type Leaf = Extract<Query, { kind: 'term' | 'range' }>;

const matchField = (mapping: FieldMapping, values: readonly unknown[], q: Leaf): boolean => {
  const strings = values
    .filter((v) => v !== null && v !== undefined && typeof v !== 'object')
    .map((v) => String(v));
  switch (mapping.type) {
    case 'nested':
      return false;
    case 'keyword': {
      const indexed = strings.filter(
        (s) => mapping.ignoreAbove === undefined || s.length <= mapping.ignoreAbove,
      );
      if (q.kind === 'range') {
        const lo = q.lo === '*' ? undefined : q.lo;
        const hi = q.hi === '*' ? undefined : q.hi;
        return indexed.some((s) => inRange(s, lo, hi, q.incLo, q.incHi));
      }
      if (q.form === 'wildcard') return indexed.some((s) => wildcardRegExp(q.text).test(s));
      if (q.form === 'regex') return indexed.some((s) => regexOf(q.text)?.test(s) ?? false);
      return indexed.includes(q.text);
    }
    case 'text': {
      const docs = strings.map(standardTokens);
      if (q.kind === 'range') {
        const lo = q.lo === '*' ? undefined : q.lo.toLowerCase();
        const hi = q.hi === '*' ? undefined : q.hi.toLowerCase();
        return docs.some((tokens) => tokens.some((t) => inRange(t, lo, hi, q.incLo, q.incHi)));
      }
      if (q.form === 'wildcard') {
        const re = wildcardRegExp(q.text.toLowerCase());
        return docs.some((tokens) => tokens.some((t) => re.test(t)));
      }
      if (q.form === 'regex') {
        const re = regexOf(q.text);
        return docs.some((tokens) => tokens.some((t) => re?.test(t) ?? false));
      }
      const wanted = standardTokens(q.text);
      if (wanted.length === 0) return false;
      if (q.form === 'phrase') {
        return docs.some((tokens) => tokens.some((_, i) => wanted.every((w, j) => tokens[i + j] === w)));
      }
      // The words of one term, each required (the default operator).
      return docs.some((tokens) => wanted.every((w) => tokens.includes(w)));
    }
    case 'long':
    case 'date': {
      const numbers = values
        .map((v) => numberOf(v, mapping.type))
        .filter((n): n is number => n !== undefined);
      if (q.kind === 'range') {
        const lo = q.lo === '*' ? undefined : numberOf(q.lo, mapping.type);
        const hi = q.hi === '*' ? undefined : numberOf(q.hi, mapping.type);
        return numbers.some((n) => inRange(n, lo, hi, q.incLo, q.incHi));
      }
      if (q.form === 'wildcard') return q.text === '*' && numbers.length > 0;
      const wanted = numberOf(q.text, mapping.type);
      return wanted !== undefined && numbers.includes(wanted);
    }
  }
};

const fieldsNamed = (schema: QueryStringSchema, name: string): string[] => {
  if (!name.includes('*')) return [name];
  const re = wildcardRegExp(name);
  return (schema.fields?.() ?? []).filter((f) => re.test(f));
};

const evaluate = (schema: QueryStringSchema, q: Query, doc: FieldValues): boolean => {
  switch (q.kind) {
    case 'all':
      return true;
    case 'exists':
      return fieldsNamed(schema, q.field).some((f) => doc(f).some((v) => v !== null && v !== undefined));
    case 'bool': {
      const must = q.clauses.filter((c) => c.occur === 'MUST');
      const should = q.clauses.filter((c) => c.occur === 'SHOULD');
      const mustNot = q.clauses.filter((c) => c.occur === 'MUST_NOT');
      if (q.clauses.length === 0) return false;
      if (!must.every((c) => evaluate(schema, c.query, doc))) return false;
      if (mustNot.some((c) => evaluate(schema, c.query, doc))) return false;
      // A purely negative query matches everything else (OpenSearch adds a match_all).
      return must.length > 0 || should.length === 0 || should.some((c) => evaluate(schema, c.query, doc));
    }
    default:
      return fieldsNamed(schema, q.field ?? schema.defaultField).some((f) => {
        const mapping = schema.field(f);
        return mapping !== undefined && matchField(mapping, doc(f), q);
      });
  }
};

export const compileQueryString = (
  queryString: string,
  schema: QueryStringSchema,
): ((doc: FieldValues) => boolean) => {
  const text = queryString.trim() === '' ? '*' : queryString;
  const query = new Parser(tokenize(text)).query(undefined);
  return (doc) => evaluate(schema, query, doc);
};
