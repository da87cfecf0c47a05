/**
 * The `queryString` parameter of the list APIs: a Lucene query_string over the id's keyword
 * field with default operator AND. Each whitespace-separated term is a case-sensitive wildcard
 * pattern (`*`, `?`, `\` escapes) that must match the whole id.
 */
export const compileQueryString = (queryString: string): ((id: string) => boolean) => {
  const terms = splitTerms(queryString.trim() === '' ? '*' : queryString);
  const patterns = terms.map(termToRegExp);
  return (id) => patterns.every((p) => p.test(id));
};

const splitTerms = (q: string): string[] => {
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < q.length; i++) {
    const c = q[i];
    if (c === '\\' && i + 1 < q.length) {
      current += c + q[++i];
    } else if (/\s/.test(c)) {
      if (current) terms.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (current) terms.push(current);
  return terms.filter((t) => t !== 'AND');
};

const termToRegExp = (term: string): RegExp => {
  let source = '';
  for (let i = 0; i < term.length; i++) {
    const c = term[i];
    if (c === '\\' && i + 1 < term.length) source += escape(term[++i]);
    else if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += escape(c);
  }
  return new RegExp(`^${source}$`, 's');
};

const escape = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
