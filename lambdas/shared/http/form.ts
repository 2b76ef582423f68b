import busboy from 'busboy';
import { ValidationError } from '../errors';
import type { FormReader } from './body';

/** The text of the one file part named `field` (the form's other parts are ignored), as UTF-8. */
export const readFormFile: FormReader = (raw, contentType, field) => {
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
};
