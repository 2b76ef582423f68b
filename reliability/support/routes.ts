/**
 * The route table as the local gateway sees it: which route a request path resolves to, and what a route's
 * schemas say about a request (so fuzzing knows when a 400 or a 415 is the only right answer).
 */
import * as z from 'zod';
import { routes } from '../../lambdas/routes';
import { mediaTypesOf, parameterNamesOf, type RouteSpec } from '../../lambdas/shared/route';
import { compileRoutes } from '../../local/gateway';

const compiled = compileRoutes(routes);

/** The resource path API Gateway resolves `pathname` to (literal segments win), if any. */
export function resourceOf(pathname: string): string | undefined {
  return compiled.find((entry) => entry.pattern.test(pathname))?.route.path;
}

/** Literal path segments of all routes, e.g. `batch`, `sales`: path parameters that would change the route. */
export const LITERAL_SEGMENTS = new Set(
  (routes as readonly RouteSpec[]).flatMap((route) =>
    route.path.split('/').filter((segment) => segment !== '' && !segment.startsWith('{')),
  ),
);

export interface Verdict {
  /** The request still reaches this route (the path was not bent into another one). */
  sameRoute: boolean;
  /** The only acceptable statuses, when the route's schemas alone decide (malformed input). */
  only?: number[];
  why: string;
}

const accepts = (route: RouteSpec, contentType: string | undefined) => {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return (route.bodyType ?? 'application/json') === 'application/json'
    ? mediaType === 'application/json' || !!mediaType?.endsWith('+json')
    : mediaType !== undefined && mediaTypesOf(route).includes(mediaType);
};

/**
 * What the route's own schemas say about a request, computed from the exact URL and bytes sent, the way the
 * gateway and `parseRequest` read them: undecodable path → 400; JSON/CSV body missing → 400, of another media
 * type → 415, not JSON → 400; any params/query/body schema failure → 400.
 */
export function verdictOf(
  route: RouteSpec,
  url: URL,
  headers: Record<string, string>,
  body: string | undefined,
): Verdict {
  const entry = compiled.find((candidate) => candidate.route === route);
  if (!entry) throw new Error(`route ${route.operationId} not compiled`);
  if (resourceOf(url.pathname) !== route.path) return { sameRoute: false, why: 'path resolves elsewhere' };
  const values = entry.pattern.exec(url.pathname)?.slice(1) ?? [];
  let params: Record<string, string>;
  try {
    params = Object.fromEntries(entry.names.map((name, i) => [name, decodeURIComponent(values[i] ?? '')]));
  } catch {
    return { sameRoute: true, only: [400], why: 'undecodable path' };
  }
  let parsedBody: unknown;
  if (route.body) {
    const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
    if (!body) return { sameRoute: true, only: [400], why: 'no body' };
    if (!accepts(route, contentType))
      return { sameRoute: true, only: [415], why: `content-type ${contentType}` };
    // A form upload's parts decide (a malformed form is a 400, a good one like the text body).
    if (contentType?.toLowerCase().startsWith('multipart/form-data') && route.formFile)
      return { sameRoute: true, why: 'form upload' };
    if ((route.bodyType ?? 'application/json') === 'application/json') {
      try {
        parsedBody = JSON.parse(body);
      } catch {
        return { sameRoute: true, only: [400], why: 'not JSON' };
      }
    } else parsedBody = body;
  }
  const query = Object.fromEntries(url.searchParams);
  // One rule for every route: a query parameter the route does not know, or one sent twice, is a 400.
  const known = new Set(parameterNamesOf(route.query));
  const names = [...url.searchParams.keys()];
  if (names.some((name) => !known.has(name)) || new Set(names).size < names.length)
    return { sameRoute: true, only: [400], why: 'unknown or repeated query parameter' };
  const failures = [
    route.params && !z.safeParse(route.params, params).success ? 'params' : '',
    route.query && !z.safeParse(route.query, query).success ? 'query' : '',
    route.body && !z.safeParse(route.body, parsedBody).success ? 'body' : '',
  ].filter(Boolean);
  if (failures.length > 0)
    return { sameRoute: true, only: [400], why: `schema rejects ${failures.join('+')}` };
  return { sameRoute: true, why: 'schema-valid' };
}
