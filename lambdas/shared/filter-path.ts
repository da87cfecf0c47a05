/**
 * OpenSearch's response filtering (`?filter_path=`), for answers we build or change after the
 * cluster gave them: the same comma list of dotted paths, `*` within a name, `**` for any number
 * of levels (one at least), `\.` for a dot inside a name, and `-` before a path to exclude it.
 *
 * It follows OpenSearch's FilterPath and FilterPathBasedFilter (over Jackson's filtering
 * generator): inclusions are applied first, then exclusions; an object or array reached by a
 * path but left with nothing included disappears (even one that was empty to begin with); the
 * root object is always written. No npm package implements these semantics (JSON-path libraries
 * differ on `**`, exclusions and empty containers), hence this module; the integration test
 * compares it with the cluster's own filtering.
 */
import { illegalArgument } from './errors';

type Json = unknown;

interface PathSegment {
  /** The name pattern of this level, `\.` already unescaped. */
  readonly segment: string;
  /** The rest of the path; undefined for the end marker (a full match). */
  readonly next?: PathSegment;
}

const END: PathSegment = { segment: '' };

const isDoubleWildcard = (p: PathSegment): boolean => p.segment === '**';

/** FilterPath.parse: split at dots that are not escaped. */
const parse = (filter: string): PathSegment => {
  for (let i = 0; i < filter.length;) {
    const c = filter[i];
    if (c === '.') {
      return { segment: filter.slice(0, i).replace(/\\\./g, '.'), next: parse(filter.slice(i + 1)) };
    }
    i++;
    if (c === '\\' && i < filter.length && filter[i] === '.') i++;
  }
  return { segment: filter.replace(/\\\./g, '.'), next: END };
};

/** OpenSearch's Regex.simpleMatch: `*` matches any run of characters, nothing else is special. */
const simpleMatch = (pattern: string, value: string): boolean => {
  if (!pattern.includes('*')) return pattern === value;
  const re = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${re}$`, 's').test(value);
};

/** FilterPath.matchProperty: the rest of the path after `name`, or undefined. */
const matchProperty = (p: PathSegment, name: string): PathSegment | undefined =>
  p.next !== undefined && (p.segment === '*' || p.segment === '**' || simpleMatch(p.segment, name))
    ? p.next
    : undefined;

type Evaluation = 'match' | 'none' | PathSegment[];

/** FilterPathBasedFilter.evaluate: a full match, no match, or the paths to follow below `name`. */
const evaluate = (name: string, paths: readonly PathSegment[]): Evaluation => {
  const nextPaths: PathSegment[] = [];
  for (const p of paths) {
    const next = matchProperty(p, name);
    if (next === undefined) continue;
    if (next.next === undefined) return 'match';
    if (isDoubleWildcard(p)) nextPaths.push(p);
    nextPaths.push(next);
  }
  return nextPaths.length > 0 ? nextPaths : 'none';
};

/** Marks "nothing written" apart from a written `null`. */
const NOTHING = Symbol('nothing');
type Filtered = Json | typeof NOTHING;

const isObject = (v: Json): v is Record<string, Json> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A value below a partial match: scalars are kept only when excluding; containers only when
 * something inside them is kept.
 */
const filterValue = (value: Json, paths: readonly PathSegment[], inclusive: boolean): Filtered => {
  if (Array.isArray(value)) {
    const out = value.map((v) => filterValue(v, paths, inclusive)).filter((v) => v !== NOTHING);
    return out.length > 0 ? out : NOTHING;
  }
  if (isObject(value)) {
    const out = filterObject(value, paths, inclusive);
    return Object.keys(out).length > 0 ? out : NOTHING;
  }
  return inclusive ? NOTHING : value;
};

const filterObject = (
  object: Record<string, Json>,
  paths: readonly PathSegment[],
  inclusive: boolean,
): Record<string, Json> => {
  const out: Record<string, Json> = {};
  for (const [name, value] of Object.entries(object)) {
    const found = evaluate(name, paths);
    if (found === 'match') {
      if (inclusive) out[name] = value;
    } else if (found === 'none') {
      if (!inclusive) out[name] = value;
    } else {
      const kept = filterValue(value, found, inclusive);
      if (kept !== NOTHING) out[name] = kept;
    }
  }
  return out;
};

export interface FilterPaths {
  readonly includes: readonly PathSegment[];
  readonly excludes: readonly PathSegment[];
}

/**
 * Parses the `filter_path` parameter as OpenSearch's rest channel does: comma-separated, each
 * trimmed, empty ones ignored, a leading `-` making an exclusion. Undefined when nothing is left.
 * @throws OpenSearchError 400 for a lone `-` (an empty exclusion), as the cluster refuses it
 */
export const parseFilterPath = (raw: string | undefined): FilterPaths | undefined => {
  if (raw === undefined) return undefined;
  const tokens = [...new Set(raw.split(',').map((t) => t.trim()))].filter((t) => t !== '');
  const includes: PathSegment[] = [];
  const excludes: PathSegment[] = [];
  for (const t of tokens) {
    const exclude = t.startsWith('-');
    const path = (exclude ? t.slice(1) : t).trim();
    if (path === '') throw illegalArgument('filters cannot be null or empty');
    (exclude ? excludes : includes).push(parse(path));
  }
  return includes.length + excludes.length > 0 ? { includes, excludes } : undefined;
};

/** Filters a JSON answer by a parsed `filter_path`; a body that is not an object is returned unchanged. */
export const applyFilterPaths = (body: Json, filters: FilterPaths | undefined): Json => {
  if (!filters || !isObject(body)) return body;
  let out = body;
  if (filters.includes.length > 0) out = filterObject(out, filters.includes, true);
  if (filters.excludes.length > 0) out = filterObject(out, filters.excludes, false);
  return out;
};

/** `applyFilterPaths(body, parseFilterPath(raw))`. */
export const filterResponse = (body: Json, filterPath: string | undefined): Json =>
  applyFilterPaths(body, parseFilterPath(filterPath));
