import { join } from 'node:path';
import * as z from 'zod/mini';
import { readEnv } from '../shared/config';
import { createDocsLambda } from './app';

const env = readEnv({
  /** The Cognito domain's token endpoint, filled into the OpenAPI document. */
  TOKEN_URL: z.url({ protocol: /^https$/ }),
});

// The CDK bundling puts the swagger-ui-dist files and the built dashboard next to the bundle (lib/docs.ts).
export const handler = createDocsLambda({
  tokenUrl: env.TOKEN_URL,
  assetDir: join(__dirname, 'swagger-ui'),
  dashboard: join(__dirname, 'dashboard'),
});
