/**
 * Generates `client/schema.ts` (TypeScript types of every path, operation and schema) from `openapi.yaml` with
 * openapi-typescript, the way a partner would. `npm run openapi` runs it after writing openapi.yaml; with
 * `--check` (part of `npm run check`) it fails when the committed file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

const ROOT = join(__dirname, '..');
export const SPEC_FILE = join(ROOT, 'openapi.yaml');
export const SCHEMA_FILE = join(ROOT, 'client', 'schema.ts');

/** The types file for the spec text (YAML or JSON), exactly as committed. */
export async function generateSchema(spec: string): Promise<string> {
  // A default makes a field optional to send, so it must not make it required in the types (a request body's).
  const ast = await openapiTS(spec, { silent: true, defaultNonNullable: false });
  return `${COMMENT_HEADER}${astToString(ast)}`;
}

async function main(argv: string[]) {
  const fresh = await generateSchema(readFileSync(SPEC_FILE, 'utf8'));
  if (!argv.includes('--check')) {
    writeFileSync(SCHEMA_FILE, fresh);
    console.log(`Wrote ${SCHEMA_FILE}`);
    return;
  }
  let committed: string | undefined;
  try {
    committed = readFileSync(SCHEMA_FILE, 'utf8');
  } catch {
    committed = undefined;
  }
  if (committed !== fresh) {
    console.error(
      `client/schema.ts is ${committed === undefined ? 'missing' : 'stale'}: it does not match openapi.yaml. ` +
        'Run `npm run openapi` and commit the result.',
    );
    process.exit(1);
  }
  console.log('client/schema.ts is up to date.');
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
