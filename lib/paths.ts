import * as path from 'node:path';

/** The repository root: NodejsFunction bundles from here and finds package-lock.json here. */
export const REPO_ROOT = path.resolve(__dirname, '..');

/** The SQL migrations shipped with the migrations function. */
export const MIGRATIONS_DIR = path.join(REPO_ROOT, 'migrations');

/** Entry file of a Lambda handler, by convention `lambdas/<name>/index.ts`. */
export const lambdaEntry = (name: string) => path.join(REPO_ROOT, 'lambdas', name, 'index.ts');
