/**
 * `*`-wildcard patterns as OpenSearch's `Regex.simpleMatch` reads them (`*` is any run of
 * characters, every other character is literal), and the decision "do these pattern languages
 * share a string?", which the plugin answers with Lucene automata (`Operations.intersection`).
 *
 * Each pattern is a small NFA whose states are positions in the pattern; a product of the
 * position sets is explored breadth-first over the characters that occur in the patterns plus one
 * stand-in for "any other character". The exploration is finite (position sets per pattern).
 */

type Positions = number[];

const closure = (pattern: string, positions: Iterable<number>): Positions => {
  const out = new Set<number>();
  for (let p of positions) {
    out.add(p);
    while (p < pattern.length && pattern[p] === '*') out.add(++p);
  }
  return [...out].sort((a, b) => a - b);
};

/** OTHER stands for every character that no pattern spells out; only `*` consumes it. */
const OTHER = '';

const step = (pattern: string, positions: Positions, ch: string): Positions => {
  const next: number[] = [];
  for (const p of positions) {
    if (p >= pattern.length) continue;
    if (pattern[p] === '*') next.push(p);
    else if (ch !== OTHER && pattern[p] === ch) next.push(p + 1);
  }
  return closure(pattern, next);
};

const start = (pattern: string): Positions => closure(pattern, [0]);
const accepts = (pattern: string, positions: Positions): boolean => positions.includes(pattern.length);

/** Regex.simpleMatch(pattern, value). */
export const simpleMatch = (pattern: string, value: string): boolean => {
  let positions = start(pattern);
  for (const ch of value.split('')) {
    positions = step(pattern, positions, ch);
    if (positions.length === 0) return false;
  }
  return accepts(pattern, positions);
};

/** Strings matching at least one `include` and none of `exclude`. */
export interface PatternLanguage {
  include: readonly string[];
  exclude: readonly string[];
}

/** Past this many product states we stop and answer "they intersect" (the safe side for a conflict check). */
const MAX_STATES = 20000;

/** Whether some string belongs to every one of the languages. */
export const languagesIntersect = (languages: readonly PatternLanguage[]): boolean => {
  if (languages.some((l) => l.include.length === 0)) return false;
  const patterns: { text: string; lang: number; include: boolean }[] = [];
  languages.forEach((l, lang) => {
    for (const text of l.include) patterns.push({ text, lang, include: true });
    for (const text of l.exclude) patterns.push({ text, lang, include: false });
  });
  const alphabet = [...new Set(patterns.flatMap((p) => p.text.split('')).filter((c) => c !== '*')), OTHER];

  const accepting = (state: Positions[]): boolean =>
    languages.every(
      (_, lang) =>
        patterns.some((p, i) => p.lang === lang && p.include && accepts(p.text, state[i])) &&
        !patterns.some((p, i) => p.lang === lang && !p.include && accepts(p.text, state[i])),
    );
  // Once every inclusion of some language is dead, nothing reachable from here can match.
  const dead = (state: Positions[]): boolean =>
    languages.some((_, lang) =>
      patterns.every((p, i) => p.lang !== lang || !p.include || state[i].length === 0),
    );
  const key = (state: Positions[]): string => state.map((s) => s.join(',')).join('|');

  const initial = patterns.map((p) => start(p.text));
  const seen = new Set([key(initial)]);
  const queue = [initial];
  while (queue.length > 0) {
    const state = queue.shift() as Positions[];
    if (accepting(state)) return true;
    for (const ch of alphabet) {
      const next = patterns.map((p, i) => step(p.text, state[i], ch));
      if (dead(next)) continue;
      const k = key(next);
      if (seen.has(k)) continue;
      if (seen.size >= MAX_STATES) return true;
      seen.add(k);
      queue.push(next);
    }
  }
  return false;
};
