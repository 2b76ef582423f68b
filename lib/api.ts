import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DOCS_PATH } from '../lambdas/docs/site';
import { routes } from '../lambdas/routes';
import {
  acceptedScopes,
  type FunctionName,
  parameterNamesOf,
  type RouteSpec,
  requiresApiKey,
} from '../lambdas/shared/route';
import type { ApiFunctions } from './api-functions';
import { ApiDocs, DOCS_METHOD_OPTIONS } from './docs';
import { PartnerPlans } from './partner-plans';
import { addProblemResponses } from './problem-responses';

export interface SalesApiProps {
  readonly userPool: cognito.IUserPool;
  readonly functions: ApiFunctions;
  /** The OAuth2 token endpoint (Cognito domain), named in the OpenAPI document the API serves. */
  readonly tokenUrl: string;
  /** Stage-wide steady-state rate (requests/s) and burst, sized to what the database can take. */
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  /** The stage cache for the read models' GETs (`cachedRoutes`); off: no cache cluster at all. */
  readonly cache: { readonly enabled: boolean; readonly ttlSeconds: number };
  /** API keys for the demo clients in the standard plan (dev): their values, `aws apigateway get-api-key`. */
  readonly demoApiKeys: readonly string[];
}

/**
 * The GETs the stage cache serves: the statistics and per-model sales, read from the projection (at most a
 * projector run behind anyway). Keyed by path and query; writes, catalog reads and partner admin never.
 */
export const cachedRoutes: readonly RouteSpec[] = routes.filter(
  (route) => route.fn === 'stats' && route.method === 'GET',
);

const ACCESS_LOG_FORMAT = apigw.AccessLogFormat.custom(
  JSON.stringify({
    requestId: apigw.AccessLogField.contextRequestId(),
    requestTime: apigw.AccessLogField.contextRequestTimeEpoch(),
    httpMethod: apigw.AccessLogField.contextHttpMethod(),
    resourcePath: apigw.AccessLogField.contextResourcePath(),
    path: apigw.AccessLogField.contextPath(),
    status: apigw.AccessLogField.contextStatus(),
    responseLatency: apigw.AccessLogField.contextResponseLatency(),
    integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
    responseLength: apigw.AccessLogField.contextResponseLength(),
    clientId: apigw.AccessLogField.contextAuthorizerClaims('client_id'),
    sourceIp: apigw.AccessLogField.contextIdentitySourceIp(),
    userAgent: apigw.AccessLogField.contextIdentityUserAgent(),
    errorType: apigw.AccessLogField.contextErrorResponseType(),
    errorMessage: apigw.AccessLogField.contextErrorMessage(),
    xrayTraceId: apigw.AccessLogField.contextXrayTraceId(),
  }),
);

/** The REST API's name; the partner usage plans are named after it (lib/partner-plans.ts). */
export const apiName = (scope: Construct) => `${Stack.of(scope).stackName}-api`;

/**
 * The REST API, generated from the route table: every route is a method guarded by the Cognito authorizer
 * with the OAuth scopes of its route, proxied to the `live` alias of its function. Request validation is the
 * functions' job (one schema per route, shared with the local gateway and OpenAPI). Beside the routes, the
 * public console (`ApiDocs`): `/docs`, `/openapi.yaml` and the console's token relay, without authorizer.
 */
export class SalesApi extends Construct {
  readonly restApi: apigw.RestApi;
  readonly accessLogs: logs.LogGroup;
  readonly authorizer: apigw.CognitoUserPoolsAuthorizer;
  readonly docs: ApiDocs;
  readonly partnerPlans: PartnerPlans;
  readonly demoApiKeys: apigw.ApiKey[];

  constructor(scope: Construct, id: string, props: SalesApiProps) {
    super(scope, id);

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.restApi = new apigw.RestApi(this, 'RestApi', {
      restApiName: apiName(this),
      description: 'Car-sales data API for partners',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // The account-wide CloudWatch role belongs to account setup, not to this app.
      cloudWatchRole: false,
      deployOptions: {
        stageName: 'v1',
        throttlingRateLimit: props.throttleRateLimit,
        throttlingBurstLimit: props.throttleBurstLimit,
        tracingEnabled: true,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
        methodOptions: { ...DOCS_METHOD_OPTIONS, ...cacheOptions(props.cache) },
        cacheClusterEnabled: props.cache.enabled,
        cacheClusterSize: props.cache.enabled ? '0.5' : undefined,
      },
    });
    addProblemResponses(this.restApi);

    this.authorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [props.userPool],
    });

    // One integration per function: with an API-scoped permission, each function gets one resource-policy
    // statement instead of one (or two) per method, which would outgrow the policy size limit as routes grow.
    const integrations = new Map<FunctionName, apigw.LambdaIntegration>();
    const integrationFor = (name: FunctionName) => {
      let integration = integrations.get(name);
      if (!integration) {
        integration = new apigw.LambdaIntegration(props.functions.handler(name).live, {
          scopePermissionToMethod: false,
        });
        integrations.set(name, integration);
      }
      return integration;
    };

    for (const route of routes) {
      const keys = props.cache.enabled && cachedRoutes.includes(route) ? cacheKeysOf(route) : undefined;
      // A cached route keys the cache by its own parameters, which live on the integration: its own one.
      const integration = keys
        ? new apigw.LambdaIntegration(props.functions.handler(route.fn).live, {
            scopePermissionToMethod: false,
            cacheKeyParameters: keys,
          })
        : integrationFor(route.fn);
      this.restApi.root.resourceForPath(route.path).addMethod(route.method, integration, {
        operationName: route.operationId,
        authorizer: this.authorizer,
        authorizationType: apigw.AuthorizationType.COGNITO,
        authorizationScopes: acceptedScopes(route.access),
        apiKeyRequired: requiresApiKey(route),
        requestParameters: keys && Object.fromEntries(keys.map((key) => [key, false])),
      });
    }

    this.partnerPlans = new PartnerPlans(this, 'PartnerPlans', { restApi: this.restApi });
    this.demoApiKeys = props.demoApiKeys.map((name) => {
      const key = new apigw.ApiKey(this, `${name}ApiKey`, { description: `Demo client ${name}` });
      this.partnerPlans.plans.standard.addApiKey(key);
      return key;
    });

    this.docs = new ApiDocs(this, 'Docs', { restApi: this.restApi, tokenUrl: props.tokenUrl });

    this.acknowledgeFindings();
  }

  /** The console (Swagger UI), e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/v1/docs`. */
  get docsUrl(): string {
    return this.restApi.urlForPath(DOCS_PATH);
  }

  /** The stage URL, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/v1/`. */
  get url(): string {
    return this.restApi.url;
  }

  private acknowledgeFindings(): void {
    const api = Validations.of(this.restApi);
    api.acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Each function validates its request against the route schema (lambdas/routes.ts) and answers 400 with problem details naming every field; a second, coarser validator here would drift.',
    });
    api.acknowledge({
      id: 'AwsSolutions-APIG6',
      reason:
        'JSON access logs cover every request; execution logging needs the account-wide API Gateway CloudWatch role, which this app does not own.',
    });
    api.acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'Every data method needs a Cognito access token, the stage is throttled and the public console methods have a small budget of their own; attach a WAF web ACL in production when partners are known.',
    });
  }
}

/** Method-level caching for the cached routes, with the TTL from settings. */
function cacheOptions(cache: SalesApiProps['cache']): Record<string, apigw.MethodDeploymentOptions> {
  if (!cache.enabled) return {};
  return Object.fromEntries(
    cachedRoutes.map((route) => [
      `${route.path}/${route.method}`,
      { cachingEnabled: true, cacheTtl: Duration.seconds(cache.ttlSeconds), cacheDataEncrypted: true },
    ]),
  );
}

/** The cache key of a route: its path parameters and every query parameter its schema knows. */
function cacheKeysOf(route: RouteSpec): string[] {
  const path = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => `method.request.path.${name}`);
  const query = parameterNamesOf(route.query);
  return [...path, ...query.map((name) => `method.request.querystring.${name}`)];
}
