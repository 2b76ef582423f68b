import { ValidationError } from '../errors';
import { mediaTypesOf, type RouteSpec } from '../route';
import { HttpProblem } from './http-problem';

/** Reads the text of a form's file part `field` (lambdas/shared/http/form.ts), for the routes that accept one. */
export type FormReader = (raw: Buffer, contentType: string, field: string) => Promise<string>;

/**
 * The body of a request as its route expects it: parsed JSON, or the text of a text body, which may also come
 * as the route's file part of a `multipart/form-data` form (read by `readForm`, which only the functions with
 * such a route carry). Anything else is a 415 naming what is accepted.
 */
export function readBody(
  route: RouteSpec,
  raw: Buffer | undefined,
  contentType: string | undefined,
  readForm?: FormReader,
): unknown | Promise<unknown> {
  const accepted = mediaTypesOf(route);
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!raw || raw.length === 0) {
    throw new ValidationError('The request needs a body', [
      { path: 'body', message: `expected ${accepted.join(' or ')}` },
    ]);
  }
  if (mediaType === 'multipart/form-data' && route.formFile && readForm && accepted.includes(mediaType)) {
    return readForm(raw, contentType ?? '', route.formFile);
  }
  const bodyType = accepted[0];
  const json = bodyType === 'application/json';
  if (!(mediaType === bodyType || (json && mediaType?.endsWith('+json')))) {
    throw new HttpProblem({
      status: 415,
      type: 'unsupported-media-type',
      title: 'Unsupported Media Type',
      detail: `The body must be ${accepted.join(' or ')}, not ${mediaType ?? 'untyped'}`,
    });
  }
  const text = raw.toString('utf8');
  if (!json) return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('The body is not valid JSON', [{ path: 'body', message: 'is not valid JSON' }]);
  }
}
