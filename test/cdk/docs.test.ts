import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type { APIGatewayProxyHandler } from 'aws-lambda';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DASHBOARD_CSP, DASHBOARD_FILES } from '../../lambdas/docs/dashboard';
import { SWAGGER_UI_FILES } from '../../lambdas/docs/site';
import { proxyEvent } from '../../lambdas/shared/http/proxy-event';
import { ApiDocs, DOCS_METHODS } from '../../lib/docs';
import { buildStack, logicalIdOf, testApp } from './synth';

const { stack, template: synth } = buildStack();
const template = synth();
const restApiId = { Ref: logicalIdOf(stack.api.restApi) };
const docs = stack.api.docs;

const resourceIdOf = (resourcePath: string) => ({
  Ref: logicalIdOf(stack.api.restApi.root.resourceForPath(resourcePath)),
});
const methodKey = (resourceId: unknown, method: unknown) => JSON.stringify([resourceId, method]);
const docsMethodKeys = new Set(DOCS_METHODS.map((m) => methodKey(resourceIdOf(m.path), m.method)));

interface Statement {
  Action: string | string[];
}

describe('Construct: ApiDocs', () => {
  describe('Methods', () => {
    it.each(DOCS_METHODS.map((m) => [`${m.method} ${m.path}`, m] as const))(
      'serves %s without authorizer, proxied to the docs function',
      (_, { method, path: resourcePath, operationName }) => {
        template.hasResourceProperties('AWS::ApiGateway::Method', {
          RestApiId: restApiId,
          ResourceId: resourceIdOf(resourcePath),
          HttpMethod: method,
          OperationName: operationName,
          AuthorizationType: 'NONE',
          AuthorizerId: Match.absent(),
          Integration: Match.objectLike({
            Type: 'AWS_PROXY',
            Uri: { 'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [logicalIdOf(docs.fn), 'Arn'] }])] },
          }),
        });
      },
    );

    it('keeps the Cognito authorizer on every other method', () => {
      // Act
      const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
      const others = methods.filter(
        (m) => !docsMethodKeys.has(methodKey(m.Properties.ResourceId, m.Properties.HttpMethod)),
      );

      // Assert
      expect(methods).toHaveLength(others.length + DOCS_METHODS.length);
      expect(others.length).toBeGreaterThan(0);
      for (const method of others) {
        expect(method.Properties).toMatchObject({
          AuthorizationType: 'COGNITO_USER_POOLS',
          AuthorizerId: { Ref: logicalIdOf(stack.api.authorizer) },
        });
      }
    });

    it('acknowledges the missing authorizer (cdk-nag APIG4, COG4) on exactly those methods, with a reason', () => {
      // Arrange
      const acknowledged = (construct: IConstruct) =>
        construct.node.metadata
          .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
      const docsMethods = new Set<IConstruct>(docs.methods);

      // Act
      const byMethod = stack.api.restApi.methods.map((method) => [method, acknowledged(method)] as const);

      // Assert
      expect(docs.methods).toHaveLength(DOCS_METHODS.length);
      for (const [method, rules] of byMethod) {
        const ids = rules.map(([id]) => id).sort();
        if (docsMethods.has(method)) {
          expect(ids).toEqual(['Annotation::AwsSolutions-APIG4', 'Annotation::AwsSolutions-COG4']);
          for (const [, reason] of rules) expect(reason.length).toBeGreaterThan(40);
        } else {
          expect(ids, method.node.path).toEqual([]);
        }
      }
      for (const scope of [stack.api.restApi, stack.api, stack]) {
        expect(acknowledged(scope).filter(([id]) => /APIG4|COG4/.test(id))).toEqual([]);
      }
    });

    it('gives the public methods a small throttling budget of their own', () => {
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        MethodSettings: Match.arrayWith(
          DOCS_METHODS.map(({ method, path: resourcePath }) =>
            Match.objectLike({
              HttpMethod: method,
              ResourcePath: `/${resourcePath.replaceAll('/', '~1')}`,
              ThrottlingRateLimit: 10,
              ThrottlingBurstLimit: 20,
            }),
          ),
        ),
      });
    });

    it('lets API Gateway invoke the docs function through one API-scoped permission', () => {
      template.resourcePropertiesCountIs(
        'AWS::Lambda::Permission',
        {
          FunctionName: { 'Fn::GetAtt': [logicalIdOf(docs.fn), 'Arn'] },
          Principal: 'apigateway.amazonaws.com',
        },
        1,
      );
    });

    it('routes /dashboard and its assets to the docs function, without authorizer', () => {
      // Arrange
      const resources = template.findResources('AWS::ApiGateway::Resource');
      const dashboard = Object.entries(resources).find(
        ([, r]) =>
          r.Properties.PathPart === 'dashboard' &&
          JSON.stringify(r.Properties.ParentId) ===
            JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(stack.api.restApi), 'RootResourceId'] }),
      );
      const assets = Object.entries(resources).find(
        ([, r]) => r.Properties.PathPart === '{proxy+}' && r.Properties.ParentId?.Ref === dashboard?.[0],
      );

      // Assert
      expect(dashboard, 'a /dashboard resource under the root').toBeDefined();
      expect(assets, 'a /dashboard/{proxy+} resource').toBeDefined();
      for (const [resourceId] of [dashboard, assets].filter((entry) => entry !== undefined)) {
        template.hasResourceProperties('AWS::ApiGateway::Method', {
          ResourceId: { Ref: resourceId },
          HttpMethod: 'GET',
          AuthorizationType: 'NONE',
          Integration: Match.objectLike({
            Type: 'AWS_PROXY',
            Uri: { 'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [logicalIdOf(docs.fn), 'Arn'] }])] },
          }),
        });
      }
    });

    it('outputs the dashboard URL', () => {
      template.hasOutput('PartnerDashboardUrl', {
        Value: {
          'Fn::Join': [
            '',
            Match.arrayWith([
              { Ref: logicalIdOf(stack.api.restApi) },
              { Ref: Match.anyValue() },
              '/dashboard',
            ]),
          ],
        },
      });
    });

    it('outputs the console URL', () => {
      template.hasOutput('DocsUrl', {
        Value: {
          'Fn::Join': [
            '',
            Match.arrayWith([{ Ref: logicalIdOf(stack.api.restApi) }, { Ref: Match.anyValue() }, '/docs']),
          ],
        },
      });
    });
  });

  describe('Function', () => {
    it('gets the Cognito token URL and nothing of the database or the tables', () => {
      // Act
      const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(docs.fn)];

      // Assert
      const variables = fn?.Properties.Environment.Variables;
      expect(variables).toEqual({
        TOKEN_URL: stack.resolve(stack.auth.tokenUrl),
        POWERTOOLS_SERVICE_NAME: 'docs',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: 'CarSalesApi',
        NODE_OPTIONS: '--enable-source-maps',
      });
      expect(JSON.stringify(variables.TOKEN_URL)).toMatch(/\.amazoncognito\.com\/oauth2\/token"\]\]\}$/);
      expect(fn?.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    });

    it('may write its logs and traces, and nothing else', () => {
      // Act
      const policies = Object.values(
        template.findResources('AWS::IAM::Policy', {
          Properties: { Roles: [{ Ref: logicalIdOf(docs.fn.role ?? docs.fn) }] },
        }),
      );
      const actions = policies
        .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
        .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

      // Assert
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.filter((a) => /^(rds-data|dynamodb|secretsmanager|lambda):/.test(a))).toEqual([]);
      expect([...new Set(actions.map((a) => a.split(':')[0]))].sort()).toEqual(['logs', 'xray']);
    });
  });

  describe('Bundle', () => {
    it('ships swagger-ui and the built dashboard next to a self-contained handler that serves this deployment', async () => {
      // Arrange: bundle for real (the other tests skip it), on a stack with only an API and the docs.
      const app = testApp({ 'aws:cdk:bundling-stacks': ['**'] });
      const fixture = new Stack(app, 'DocsFixture');
      const restApi = new apigw.RestApi(fixture, 'Api', { deployOptions: { stageName: 'v1' } });
      const tokenUrl = 'https://fixture.auth.eu-central-1.amazoncognito.com/oauth2/token';
      new ApiDocs(fixture, 'Docs', { restApi, tokenUrl });

      // Act
      const bundled = Template.fromStack(fixture);

      // Assert: what the package holds, and its size.
      const [fn] = Object.values(
        bundled.findResources('AWS::Lambda::Function', {
          Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'docs' } } },
        }),
      );
      const assetDir = path.join(
        app.outdir,
        `asset.${String(fn?.Properties.Code.S3Key).replace(/\.zip$/, '')}`,
      );
      expect(fs.readdirSync(path.join(assetDir, 'swagger-ui')).sort()).toEqual([...SWAGGER_UI_FILES].sort());
      expect(fs.readdirSync(path.join(assetDir, 'dashboard')).sort()).toEqual([...DASHBOARD_FILES].sort());
      const script = fs.readFileSync(path.join(assetDir, 'dashboard', 'dashboard.js'), 'utf8');
      // Bundled: uPlot inside (with its licence), no module imports left, no remote URL to load.
      expect(script.includes('Bundles uPlot 1.6.32'), 'uPlot and its licence').toBe(true);
      expect(/Permission is hereby granted/.test(script), 'the MIT licence text').toBe(true);
      expect(/\brequire\(|^import /m.test(script), 'module imports left').toBe(false);
      expect(fs.statSync(path.join(assetDir, 'dashboard', 'dashboard.js')).size).toBeLessThan(300 * 1024);
      expect(fs.statSync(path.join(assetDir, 'index.js')).size).toBeLessThan(1.5 * 1024 * 1024);

      // Assert: loaded from the package alone (no node_modules, no openapi.yaml), it serves the console.
      const previous = process.env.TOKEN_URL;
      process.env.TOKEN_URL = tokenUrl;
      let handler: APIGatewayProxyHandler;
      try {
        ({ handler } = createRequire(import.meta.url)(path.join(assetDir, 'index.js')));
      } finally {
        process.env.TOKEN_URL = previous;
      }
      const get = async (resourcePath: string) => {
        const event = proxyEvent({
          method: 'GET',
          resource: resourcePath,
          path: resourcePath,
          pathParameters: null,
          headers: [['Host', 'abc.execute-api.eu-central-1.amazonaws.com']],
          body: null,
          claims: {},
          requestId: 'r',
          stage: 'v1',
        });
        const response = await handler(event, {} as never, () => {});
        if (!response) throw new Error('no response');
        return response;
      };
      const document = parse((await get('/openapi.yaml')).body);
      expect(document.servers).toEqual([{ url: 'https://abc.execute-api.eu-central-1.amazonaws.com/v1' }]);
      expect(document.components.securitySchemes.oauth2.flows.clientCredentials.tokenUrl).toBe(tokenUrl);
      const css = await get('/docs/assets/swagger-ui.css');
      expect(css.statusCode).toBe(200);
      expect(css.headers?.['content-type']).toBe('text/css; charset=utf-8');
      expect((await get('/docs')).statusCode).toBe(200);
      const page = await get('/dashboard');
      expect(page.statusCode).toBe(200);
      expect(page.headers?.['content-security-policy']).toBe(DASHBOARD_CSP);
      const scriptUrl = /<script defer src="([^"]+)"/.exec(page.body)?.[1] ?? '';
      expect(scriptUrl).toMatch(/^\/v1\/dashboard\/assets\/dashboard\.js\?v=/);
      const served = await get(scriptUrl.slice('/v1'.length).split('?')[0] ?? '');
      expect(served.statusCode).toBe(200);
      expect(served.headers?.['content-type']).toBe('text/javascript; charset=utf-8');
      expect(served.body).toBe(script);
    }, 120_000);
  });
});
