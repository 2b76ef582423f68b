import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { routes } from '../lambdas/routes';
import { buildOpenApi, toYaml } from '../lambdas/shared/openapi';

export const OPENAPI_FILE = join(__dirname, '..', 'openapi.yaml');

/** Writes openapi.yaml from the route table; with `--check`, fails when the committed file is stale. */
function main(argv: string[]) {
  const fresh = toYaml(buildOpenApi(routes));
  if (!argv.includes('--check')) {
    writeFileSync(OPENAPI_FILE, fresh);
    console.log(`Wrote ${OPENAPI_FILE}`);
    return;
  }
  let committed: string | undefined;
  try {
    committed = readFileSync(OPENAPI_FILE, 'utf8');
  } catch {
    committed = undefined;
  }
  if (committed !== fresh) {
    console.error(
      `openapi.yaml is ${committed === undefined ? 'missing' : 'stale'}: it does not match the route table. ` +
        'Run `npm run openapi` and commit the result.',
    );
    process.exit(1);
  }
  console.log('openapi.yaml is up to date.');
}

if (require.main === module) main(process.argv.slice(2));
