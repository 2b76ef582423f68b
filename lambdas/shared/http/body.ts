import busboy from 'busboy';
import { ValidationError } from '../errors';
import { mediaTypesOf, type RouteSpec } from '../route';
import { HttpProblem } from './http-problem';

/**
 * The body of a request as its route expects it: parsed JSON, or the text of a text body, which may also come
 * as the route's file part of a `multipart/form-data` form. Anything else is a 415 naming what is accepted.
 */
export function readBody(
  route: RouteSpec,
  raw: Buffer | undefined,
  contentType: string | undefined,
): unknown | Promise<unknown> {
  const accepted = mediaTypesOf(route);
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!raw || raw.length === 0) {
    throw new ValidationError('The request needs a body', [
      { path: 'body', message: `expected ${accepted.join(' or ')}` },
    ]);
  }
  if (mediaType === 'multipart/form-data' && route.formFile && accepted.includes(mediaType)) {
    return readFormFile(raw, contentType ?? '', route.formFile);
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

/** The text of the one file part named `field` (the form's other parts are ignored), as UTF-8. */
function readFormFile(raw: Buffer, contentType: string, field: string): Promise<string> {
  const invalid = (message: string) =>
    new ValidationError('The form is not a valid upload', [{ path: `body.${field}`, message }]);
  return new Promise((resolve, reject) => {
    let form: busboy.Busboy;
    try {
      // One part of each: a form with several files is refused rather than guessed at.
      form = busboy({
        headers: { 'content-type': contentType },
        limits: { files: 1, fields: 50, parts: 51 },
      });
    } catch {
      reject(invalid('the multipart/form-data Content-Type needs a boundary'));
      return;
    }
    const chunks: Buffer[] = [];
    let found = false;
    let failure: ValidationError | undefined;
    form.on('file', (name, stream) => {
      if (name !== field) {
        failure ??= invalid(`is missing: the file part is named ${JSON.stringify(name)}`);
        stream.resume();
        return;
      }
      found = true;
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    });
    form.on('filesLimit', () => {
      failure ??= invalid('must be the only file of the form');
    });
    form.on('error', () => reject(invalid('is not a well-formed multipart/form-data body')));
    form.on('close', () => {
      if (failure) reject(failure);
      else if (!found) reject(invalid(`is missing: send the CSV as the form's "${field}" file part`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    form.end(raw);
  });
}
