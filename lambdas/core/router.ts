import { OWNED_PREFIXES, operations, type Operation } from '../../infra/routes';
import { tryDecodeComponent } from '../shared/uri';

/**
 * Matches a request against the route table, the way API Gateway does for the deployed stack:
 * literal segments win over `{param}` segments.
 */
export type RouteMatch =
  | {
      kind: 'operation';
      operation: Operation;
      pathParams: Record<string, string>;
      /** As sent (percent-encoded): what API Gateway hands the function as `pathParameters`. */
      rawPathParams: Record<string, string>;
    }
  /**
   * `malformed`: the path has the route's shape but a parameter's escape cannot be decoded
   * (`%zz`, a cut `%E0%A4%A`); OpenSearch then answers "Unexpected HTTP method" with the path's
   * methods.
   */
  | { kind: 'method_not_allowed'; allowed: string[]; malformed?: boolean }
  | { kind: 'no_handler' }
  | { kind: 'data_plane' };

interface CompiledPath {
  operation: Operation;
  template: string;
  segments: string[];
}

const compiled: CompiledPath[] = operations
  .flatMap((operation) =>
    operation.paths.map((template) => ({
      operation,
      template,
      segments: template.split('/').filter(Boolean),
    })),
  )
  // Literal segments before parameters, so `/policies/x` never shadows a literal route.
  .sort((a, b) => specificity(b.segments) - specificity(a.segments));

function specificity(segments: string[]): number {
  return segments.reduce((score, s, i) => score + (s.startsWith('{') ? 0 : 2 ** (16 - i)), 0);
}

/** A path's parameters; `null` when it has the template's shape but an escape is malformed. */
const matchPath = (
  segments: string[],
  requestSegments: string[],
): Record<string, string> | null | undefined => {
  if (segments.length !== requestSegments.length) return undefined;
  const params: Record<string, string> = {};
  let malformed = false;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s.startsWith('{')) {
      // A leading parameter is an index, alias or data stream name (`/{alias}/_rollover`). Those
      // never start with `_`, which marks OpenSearch's own APIs (`/_plugins/...`, `/_cluster/...`),
      // so such a path is never taken for an index route.
      if (i === 0 && requestSegments[i].startsWith('_')) return undefined;
      const value = tryDecodeComponent(requestSegments[i]);
      if (value === undefined) malformed = true;
      else params[s.slice(1, -1)] = value;
    } else if (s !== requestSegments[i]) return undefined;
  }
  return malformed ? null : params;
};

export const isOwnedPath = (path: string): boolean => OWNED_PREFIXES.some((p) => path.startsWith(p));

export const matchRoute = (method: string, rawPath: string): RouteMatch => {
  const requestSegments = rawPath.split('/').filter(Boolean);
  const allowed = new Set<string>();
  let malformed = false;
  for (const candidate of compiled) {
    const params = matchPath(candidate.segments, requestSegments);
    if (params === undefined) continue;
    if (params === null) {
      malformed = true;
      allowed.add(candidate.operation.method);
      continue;
    }
    if (!malformed && candidate.operation.method === method.toUpperCase()) {
      const rawPathParams = Object.fromEntries(
        candidate.segments.flatMap((seg, i) =>
          seg.startsWith('{') ? [[seg.slice(1, -1), requestSegments[i]]] : [],
        ),
      );
      return { kind: 'operation', operation: candidate.operation, pathParams: params, rawPathParams };
    }
    allowed.add(candidate.operation.method);
  }
  const owned = isOwnedPath(rawPath);
  // Outside our prefixes the cluster owns the path's other methods (`GET /logs/_rollover` is the
  // cluster's 405, or whatever a newer cluster serves there), as on the deployed stack where
  // only the route table's method reaches our function.
  if (allowed.size > 0 && owned) return { kind: 'method_not_allowed', allowed: [...allowed], malformed };
  return owned ? { kind: 'no_handler' } : { kind: 'data_plane' };
};
