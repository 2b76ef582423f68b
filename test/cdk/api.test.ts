import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { routes } from '../../lambdas/routes';
import { acceptedScopes } from '../../lambdas/shared/route';
import { DOCS_METHODS } from '../../lib/docs';
import { DEFAULT_SETTINGS } from '../../lib/settings';
import { buildStack, logicalIdOf } from './synth';

const { stack, template: synth } = buildStack();
const template = synth();
const restApiId = { Ref: logicalIdOf(stack.api.restApi) };

/** The id of the API Gateway resource for a path, e.g. `/brands/{brandId}`. */
const resourceIdOf = (path: string) => ({ Ref: logicalIdOf(stack.api.restApi.root.resourceForPath(path)) });

describe('Construct: SalesApi', () => {
  describe('Routes', () => {
    it('creates exactly one method per route of the route table, and the console methods', () => {
      // Plus the public console (test/cdk/docs.test.ts).
      template.resourceCountIs('AWS::ApiGateway::Method', routes.length + DOCS_METHODS.length);
    });

    it.each(routes.map((r) => [r.operationId, r] as const))(
      '%s requires a Cognito token with exactly its accepted scopes and proxies to its live alias',
      (_, route) => {
        template.hasResourceProperties('AWS::ApiGateway::Method', {
          RestApiId: restApiId,
          ResourceId: resourceIdOf(route.path),
          HttpMethod: route.method,
          OperationName: route.operationId,
          AuthorizationType: 'COGNITO_USER_POOLS',
          AuthorizerId: { Ref: logicalIdOf(stack.api.authorizer) },
          AuthorizationScopes: Match.exact(acceptedScopes(route.access)),
          Integration: Match.objectLike({
            Type: 'AWS_PROXY',
            IntegrationHttpMethod: 'POST',
            Uri: {
              'Fn::Join': [
                '',
                Match.arrayWith([{ Ref: logicalIdOf(stack.functions.handler(route.fn).live) }]),
              ],
            },
          }),
        });
      },
    );

    it('lets API Gateway invoke each live alias through one API-scoped permission', () => {
      for (const { live } of stack.functions.handlers) {
        template.resourcePropertiesCountIs(
          'AWS::Lambda::Permission',
          { FunctionName: { Ref: logicalIdOf(live) }, Principal: 'apigateway.amazonaws.com' },
          1,
        );
      }
    });

    it('uses the Cognito user pool of the stack as authorizer', () => {
      template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
        Type: 'COGNITO_USER_POOLS',
        ProviderARNs: [{ 'Fn::GetAtt': [logicalIdOf(stack.auth.userPool), 'Arn'] }],
      });
    });
  });

  describe('Stage', () => {
    it('throttles every method at the configured rate and burst', () => {
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: 'v1',
        TracingEnabled: true,
        MethodSettings: Match.arrayWith([
          Match.objectLike({
            HttpMethod: '*',
            ResourcePath: '/*',
            ThrottlingRateLimit: DEFAULT_SETTINGS.throttleRateLimit,
            ThrottlingBurstLimit: DEFAULT_SETTINGS.throttleBurstLimit,
          }),
        ]),
      });
    });

    it('writes JSON access logs with the request id to its log group', () => {
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        AccessLogSetting: {
          DestinationArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: logicalIdOf(stack.api.accessLogs) }])] },
          Format: Match.serializedJson(
            Match.objectLike({
              requestId: '$context.requestId',
              status: '$context.status',
              clientId: '$context.authorizer.claims.client_id',
            }),
          ),
        },
      });
    });

    it('honours throttling settings', () => {
      const custom = buildStack({ settings: { throttleRateLimit: 7, throttleBurstLimit: 9 } }).template();

      custom.hasResourceProperties('AWS::ApiGateway::Stage', {
        MethodSettings: Match.arrayWith([
          Match.objectLike({ ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 }),
        ]),
      });
    });
  });

  describe('Gateway responses', () => {
    const expected = [
      ['UNAUTHORIZED', '401', 'unauthorized'],
      ['ACCESS_DENIED', '403', 'forbidden'],
      ['MISSING_AUTHENTICATION_TOKEN', '404', 'not-found'],
      ['THROTTLED', '429', 'too-many-requests'],
      ['REQUEST_TOO_LARGE', '413', 'content-too-large'],
      ['INTEGRATION_FAILURE', '502', 'bad-gateway'],
      ['INTEGRATION_TIMEOUT', '504', 'gateway-timeout'],
    ] as const;

    it.each(expected)('answers %s with status %s and a problem+json body', (type, status, slug) => {
      // Act
      const responses = Object.values(
        template.findResources('AWS::ApiGateway::GatewayResponse', { Properties: { ResponseType: type } }),
      );

      // Assert
      expect(responses).toHaveLength(1);
      const props = responses[0]?.Properties;
      expect(props.StatusCode).toBe(status);
      expect(props.ResponseParameters['gatewayresponse.header.Content-Type']).toBe(
        "'application/problem+json'",
      );
      const body = parseTemplate(props.ResponseTemplates['application/json']);
      expect(body).toEqual({
        type: `https://car-sales.example.com/problems/${slug}`,
        title: expect.any(String),
        status: Number(status),
        detail: expect.any(String),
        requestId: '$context.requestId',
      });
    });

    it.each(['DEFAULT_4XX', 'DEFAULT_5XX'])(
      'keeps the status API Gateway chose for %s and leaves it out of the body',
      (type) => {
        const responses = Object.values(
          template.findResources('AWS::ApiGateway::GatewayResponse', { Properties: { ResponseType: type } }),
        );

        expect(responses).toHaveLength(1);
        const props = responses[0]?.Properties;
        expect(props.StatusCode).toBeUndefined();
        const body = parseTemplate(props.ResponseTemplates['application/json']);
        expect(body).toMatchObject({ detail: '<message>', requestId: '$context.requestId' });
        expect(body).not.toHaveProperty('status');
      },
    );

    it('tells a client without a token how to authenticate', () => {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'UNAUTHORIZED',
        ResponseParameters: Match.objectLike({ 'gatewayresponse.header.WWW-Authenticate': "'Bearer'" }),
      });
    });
  });
});

/** Gateway templates are substituted, not evaluated: stand in for the one unquoted variable and parse. */
function parseTemplate(template: string): unknown {
  return JSON.parse(template.replaceAll('$context.error.messageString', '"<message>"'));
}
