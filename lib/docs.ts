import * as path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { DOCS_PATH, OPENAPI_PATH, SWAGGER_UI_FILES, TOKEN_RELAY_PATH } from '../lambdas/docs/site';
import { lambdaEntry, REPO_ROOT } from './paths';
import { ServiceFunction } from './service-function';

/** The unauthenticated methods of the console, relative to the API root. */
export const DOCS_METHODS = [
  { method: 'GET', path: DOCS_PATH, operationName: 'docsConsole' },
  // Only `/docs/assets/...` exists; the function answers 404 for anything else below /docs.
  { method: 'GET', path: `${DOCS_PATH}/{proxy+}`, operationName: 'docsAsset' },
  { method: 'GET', path: OPENAPI_PATH, operationName: 'openApiDocument' },
  { method: 'POST', path: TOKEN_RELAY_PATH, operationName: 'docsTokenRelay' },
] as const;

/**
 * Method throttling for the console: nobody signs in to use it, so it gets its own small budget instead of
 * drawing on the partners' (requests/s, burst), keyed as the stage's `methodOptions` want it.
 */
export const DOCS_METHOD_OPTIONS: Record<string, apigw.MethodDeploymentOptions> = Object.fromEntries(
  DOCS_METHODS.map(({ method, path: resourcePath }) => [
    `${resourcePath}/${method}`,
    { throttlingRateLimit: 10, throttlingBurstLimit: 20 },
  ]),
);

/** Where swagger-ui-dist is installed, relative to the repository root (the bundling input). */
const SWAGGER_UI_DIST = path.relative(
  REPO_ROOT,
  path.dirname(require.resolve('swagger-ui-dist/package.json')),
);

export interface ApiDocsProps {
  readonly restApi: apigw.RestApi;
  /** The token endpoint the OpenAPI document names, and the console's relay forwards to. */
  readonly tokenUrl: string;
}

/**
 * The API console on the API itself: Swagger UI at `/docs`, the OpenAPI document at `/openapi.yaml` (with this
 * deployment's token and server URLs), and the console's same-origin token relay. No authorizer: the pages are
 * public, and the function reaches nothing but the token endpoint (no database, no tables, no secrets).
 */
export class ApiDocs extends Construct {
  readonly fn: ServiceFunction;
  readonly methods: readonly apigw.Method[];

  constructor(scope: Construct, id: string, props: ApiDocsProps) {
    super(scope, id);

    this.fn = new ServiceFunction(this, 'Function', {
      entry: lambdaEntry('docs'),
      serviceName: 'docs',
      description: `Car-sales API: console (Swagger UI at ${DOCS_PATH}), OpenAPI document, token relay`,
      timeout: Duration.seconds(10),
      environment: { TOKEN_URL: props.tokenUrl },
      bundling: {
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // Read at runtime from `__dirname/swagger-ui` (lambdas/docs/index.ts).
          afterBundling: (inputDir, outputDir) => [
            `mkdir -p "${path.join(outputDir, 'swagger-ui')}"`,
            `cp ${SWAGGER_UI_FILES.map((file) => `"${path.join(inputDir, SWAGGER_UI_DIST, file)}"`).join(' ')} "${path.join(outputDir, 'swagger-ui')}"`,
          ],
        },
      },
    });

    const integration = new apigw.LambdaIntegration(this.fn, { scopePermissionToMethod: false });
    this.methods = DOCS_METHODS.map(({ method, path: resourcePath, operationName }) =>
      props.restApi.root.resourceForPath(resourcePath).addMethod(method, integration, {
        operationName,
        authorizationType: apigw.AuthorizationType.NONE,
      }),
    );
    for (const method of this.methods) {
      Validations.of(method).acknowledge(
        {
          id: 'AwsSolutions-APIG4',
          reason: `The API console (${DOCS_PATH}, ${OPENAPI_PATH}) is public documentation, and the token relay is as open as the token endpoint it forwards to; every data operation keeps the Cognito authorizer.`,
        },
        {
          id: 'AwsSolutions-COG4',
          reason:
            'Public console and token relay: there is no token to check before a partner has one. Method throttling caps their use.',
        },
      );
    }
  }
}
