/**
 * The corpus's scenario format (test/conformance/corpus/README.md): steps, wait predicates,
 * JSON paths and `{{…}}` substitutions. Pure functions; the replay does the HTTP.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface RequestStep {
  id?: string;
  method: string;
  path: string;
  body?: Json;
  raw?: string;
  ndjson?: boolean;
  headers?: Record<string, string>;
  compare?: boolean;
  unordered?: boolean;
}

export interface WaitStep {
  id?: string;
  compare?: boolean;
  unordered?: boolean;
  wait: Omit<RequestStep, 'id' | 'compare' | 'unordered'> & {
    until: Predicate;
    timeout_s?: number;
    interval_s?: number;
  };
}

export interface SleepStep {
  id?: string;
  sleep_s: number;
}

export type Step = RequestStep | WaitStep | SleepStep;

export interface Scenario {
  name: string;
  area: string;
  description?: string;
  setup?: Step[];
  steps: Step[];
  teardown?: Step[];
}

export type Predicate =
  | { all: Predicate[] }
  | { any: Predicate[] }
  | { not: Predicate }
  | { status: number | number[] }
  | ({ path: string } & (
      | { exists: boolean }
      | { equals: Json }
      | { in: Json[] }
      | { matches: string }
      | { gte: number }
      | { lte: number }
      | { length: number }
      | { length_gte: number }
    ));

export interface Response {
  status: number;
  content_type: string | null;
  location?: string;
  body?: Json;
  text?: string;
}

export const isWait = (step: Step): step is WaitStep => 'wait' in step;
export const isSleep = (step: Step): step is SleepStep => 'sleep_s' in step;

type Segment = string | number;

/** `$.a.b[0]['x.y'].*` → ['a', 'b', 0, 'x.y', '*']. */
export const parsePath = (path: string): Segment[] => {
  const segments: Segment[] = [];
  const stripped = path.trim().replace(/^\$/, '');
  const text = stripped === '' || /^[.[]/.test(stripped) ? stripped : `.${stripped}`;
  const pattern = /\.([^.[\]]+)|\[\s*(?:"([^"]*)"|'([^']*)'|(\d+)|([^\]]*))\s*\]/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text))) {
    const [, dotted, dquoted, squoted, index, bare] = match;
    if (dotted !== undefined) segments.push(/^\d+$/.test(dotted) ? Number(dotted) : dotted);
    else if (index !== undefined) segments.push(Number(index));
    else segments.push(dquoted ?? squoted ?? bare ?? '');
  }
  return segments;
};

/** Every value the path reaches (`*` fans out over keys and elements); none when it reaches nothing. */
export const valuesAt = (root: Json | undefined, path: string): Json[] => {
  let current: Json[] = root === undefined ? [] : [root];
  for (const segment of parsePath(path)) {
    const next: Json[] = [];
    for (const value of current) {
      if (value === null || typeof value !== 'object') continue;
      if (segment === '*') next.push(...Object.values(value));
      else if (Array.isArray(value)) {
        if (typeof segment === 'number' && segment < value.length) next.push(value[segment]);
      } else if (Object.prototype.hasOwnProperty.call(value, String(segment)))
        next.push(value[String(segment)]);
    }
    current = next;
  }
  return current;
};

/** JSON with object keys sorted: equal values give equal text. */
export const canonical = (value: Json | undefined): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );

const sizeOf = (value: Json): number | undefined =>
  value === null || typeof value !== 'object'
    ? undefined
    : Array.isArray(value)
      ? value.length
      : Object.keys(value).length;

/** Whether the predicate holds for the response (a leaf test over a wildcard holds if any value passes). */
export const holds = (predicate: Predicate, response: Response): boolean => {
  if ('all' in predicate) return predicate.all.every((p) => holds(p, response));
  if ('any' in predicate) return predicate.any.some((p) => holds(p, response));
  if ('not' in predicate) return !holds(predicate.not, response);
  if ('status' in predicate) {
    const wanted = predicate.status;
    return Array.isArray(wanted) ? wanted.includes(response.status) : response.status === wanted;
  }
  const values = valuesAt(response.body, predicate.path);
  if ('exists' in predicate) {
    return predicate.exists ? values.some((v) => v !== null) : values.length === 0;
  }
  return values.some((v) => {
    if ('equals' in predicate) return canonical(v) === canonical(predicate.equals);
    if ('in' in predicate) return predicate.in.some((x) => canonical(v) === canonical(x));
    if ('matches' in predicate) return typeof v === 'string' && new RegExp(predicate.matches).test(v);
    if ('gte' in predicate) return typeof v === 'number' && v >= predicate.gte;
    if ('lte' in predicate) return typeof v === 'number' && v <= predicate.lte;
    if ('length' in predicate) return sizeOf(v) === predicate.length;
    if ('length_gte' in predicate) return (sizeOf(v) ?? -1) >= predicate.length_gte;
    return false;
  });
};

export interface SubstitutionContext {
  /** Response bodies of earlier steps, by step id. */
  readonly results: Record<string, Json | undefined>;
  readonly pathRepo: string | null;
  readonly now: () => number;
}

const resolve = (expression: string, ctx: SubstitutionContext): Json | undefined => {
  if (expression === 'path_repo') return ctx.pathRepo ?? undefined;
  if (expression === 'now_ms') return ctx.now();
  const dot = expression.indexOf('.');
  const id = dot < 0 ? expression : expression.slice(0, dot);
  if (!(id in ctx.results)) return undefined;
  const [first] = valuesAt(ctx.results[id], dot < 0 ? '$' : `$.${expression.slice(dot + 1)}`);
  return first;
};

/**
 * Replaces `{{step.path}}`, `{{path_repo}}` and `{{now_ms}}`; a string that is one placeholder
 * becomes the value itself (numbers stay numbers); unresolved placeholders stay as written.
 */
export const substitute = <T extends Json | undefined>(value: T, ctx: SubstitutionContext): T => {
  if (typeof value === 'string') {
    const whole = /^\{\{([^{}]+)\}\}$/.exec(value);
    if (whole) {
      const resolved = resolve(whole[1].trim(), ctx);
      if (resolved !== undefined) return resolved as T;
    }
    return value.replace(/\{\{([^{}]+)\}\}/g, (placeholder, expression: string) => {
      const resolved = resolve(expression.trim(), ctx);
      if (resolved === undefined) return placeholder;
      return typeof resolved === 'object' ? JSON.stringify(resolved) : String(resolved);
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, ctx)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, ctx)])) as T;
  }
  return value;
};
