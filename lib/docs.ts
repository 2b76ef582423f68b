import * as path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { DASHBOARD_PATH } from '../lambdas/docs/dashboard';
import { DOCS_PATH, OPENAPI_PATH, SWAGGER_UI_FILES, TOKEN_RELAY_PATH } from '../lambdas/docs/site';
import { REPO_ROOT } from './paths';
import { ServiceFunction } from './service-function';

/** The unauthenticated methods of the console and the dashboard, relative to the API root. */
export const DOCS_METHODS = [
  { method: 'GET', path: DOCS_PATH, operationName: 'docsConsole' },
  // Only `/docs/assets/...` exists; the function answers 404 for anything else below /docs.
  { method: 'GET', path: `${DOCS_PATH}/{proxy+}`, operationName: 'docsAsset' },
  { method: 'GET', path: OPENAPI_PATH, operationName: 'openApiDocument' },
  { method: 'POST', path: TOKEN_RELAY_PATH, operationName: 'docsTokenRelay' },
  { method: 'GET', path: DASHBOARD_PATH, operationName: 'dashboardPage' },
  // Only `/dashboard/assets/dashboard.{js,css}` exist; the function answers 404 for anything else.
  { method: 'GET', path: `${DASHBOARD_PATH}/{proxy+}`, operationName: 'dashboardAsset' },
] as const;

/**
 * Method throttling for the console and the dashboard's page: nobody signs in to load them, so it gets its own small budget instead of
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
 * The API console and the partner dashboard on the API itself: Swagger UI at `/docs`, the OpenAPI document at
 * `/openapi.yaml` (with this deployment's token and server URLs), the dashboard at `/dashboard`, and the
 * same-origin token relay both use. No authorizer: the pages are public (the dashboard's data comes from the
 * authorized stats operations, with the reader's own token), and the function reaches nothing but the token
 * endpoint (no database, no tables, no secrets).
 *
 * The dashboard rides on this function rather than S3 and CloudFront: it is two small files, it must be on
 * the API's origin to call it without CORS and to reach the token relay, and a second origin in front of
 * the API would be a second thing to deploy, secure and roll back for the sake of two cached files.
 */
export class ApiDocs extends Construct {
  readonly fn: ServiceFunction;
  readonly methods: readonly apigw.Method[];
  private readonly restApi: apigw.RestApi;

  constructor(scope: Construct, id: string, props: ApiDocsProps) {
    super(scope, id);
    this.restApi = props.restApi;

    this.fn = new ServiceFunction(this, 'Function', 'docs', {
      purpose: `console (Swagger UI at ${DOCS_PATH}), dashboard (${DASHBOARD_PATH}), OpenAPI document, token relay`,
      timeout: Duration.seconds(10),
      environment: { TOKEN_URL: props.tokenUrl },
      bundling: {
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // Read at runtime from `__dirname/swagger-ui` and `__dirname/dashboard` (lambdas/docs/index.ts).
          afterBundling: (inputDir, outputDir) => [
            `mkdir -p "${path.join(outputDir, 'swagger-ui')}"`,
            `cp ${SWAGGER_UI_FILES.map((file) => `"${path.join(inputDir, SWAGGER_UI_DIST, file)}"`).join(' ')} "${path.join(outputDir, 'swagger-ui')}"`,
            // The same esbuild build `npm start` runs in memory (dashboard/build.ts), written to the package.
            `"${path.join(inputDir, 'node_modules', '.bin', 'tsx')}" "${path.join(inputDir, 'dashboard', 'build.ts')}" "${path.join(outputDir, 'dashboard')}"`,
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
          reason: `The API console (${DOCS_PATH}, ${OPENAPI_PATH}) and the dashboard's page (${DASHBOARD_PATH}) are public static content, and the token relay is as open as the token endpoint it forwards to; every data operation keeps the Cognito authorizer.`,
        },
        {
          id: 'AwsSolutions-COG4',
          reason:
            'Public console, dashboard page and token relay: there is no token to check before a partner has one. Method throttling caps their use.',
        },
      );
    }
  }

  /** The partner dashboard, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/v1/dashboard`. */
  get dashboardUrl(): string {
    return this.restApi.urlForPath(DASHBOARD_PATH);
  }
}
