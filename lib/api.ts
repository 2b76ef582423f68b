import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DOCS_PATH } from '../lambdas/docs/site';
import { routes } from '../lambdas/routes';
import { acceptedScopes, type FunctionName } from '../lambdas/shared/route';
import type { ApiFunctions } from './api-functions';
import { ApiDocs, DOCS_METHOD_OPTIONS } from './docs';
import { addProblemResponses } from './problem-responses';

export interface SalesApiProps {
  readonly userPool: cognito.IUserPool;
  readonly functions: ApiFunctions;
  /** The OAuth2 token endpoint (Cognito domain), named in the OpenAPI document the API serves. */
  readonly tokenUrl: string;
  /** Stage-wide steady-state rate (requests/s) and burst, sized to what the database can take. */
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
}

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

  constructor(scope: Construct, id: string, props: SalesApiProps) {
    super(scope, id);

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.restApi = new apigw.RestApi(this, 'RestApi', {
      restApiName: `${Stack.of(this).stackName}-api`,
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
        methodOptions: DOCS_METHOD_OPTIONS,
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
      this.restApi.root.resourceForPath(route.path).addMethod(route.method, integrationFor(route.fn), {
        operationName: route.operationId,
        authorizer: this.authorizer,
        authorizationType: apigw.AuthorizationType.COGNITO,
        authorizationScopes: acceptedScopes(route.access),
      });
    }

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
