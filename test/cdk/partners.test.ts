import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_ROLE_NAMES } from '../../lambdas/migrate/roles';
import { TIERS } from '../../lambdas/partner/tiers';
import { routes } from '../../lambdas/routes';
import { parameterNamesOf } from '../../lambdas/shared/route';
import { cachedRoutes } from '../../lib/api';
import { stageDefaults } from '../../lib/settings';
import { buildStack, logicalIdOf } from './synth';

type Resources = Record<string, { Properties: Record<string, unknown> }>;

describe('Partners and stages in AWS', () => {
  let dev: Template;
  let prod: Template;
  let prodStack: ReturnType<typeof buildStack>['stack'];

  beforeAll(() => {
    dev = buildStack({ settings: stageDefaults('dev') }).template();
    const built = buildStack({ settings: stageDefaults('prod', { alarmEmail: 'ops@example.com' }) });
    prodStack = built.stack;
    prod = built.template();
  });

  describe('tiers as usage plans', () => {
    it.each(Object.entries(TIERS))(
      'has a usage plan %s with its rate, burst and daily quota',
      (tier, limits) => {
        prod.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
          UsagePlanName: Match.stringLikeRegexp(`-api-${tier}$`),
          Throttle: { RateLimit: limits.rateLimit, BurstLimit: limits.burstLimit },
          Quota: { Limit: limits.quotaPerDay, Period: 'DAY' },
          ApiStages: [Match.objectLike({ Stage: Match.anyValue() })],
        });
      },
    );

    it('requires an API key on every data method and none on partner administration', () => {
      const methods = Object.values(prod.findResources('AWS::ApiGateway::Method') as Resources)
        .map((m) => m.Properties)
        .filter((p) => p.AuthorizationType === 'COGNITO_USER_POOLS');
      const partnerAdmin = methods.filter(
        (p) => String(p.OperationName).endsWith('Partner') || p.OperationName === 'listPartners',
      );

      expect(partnerAdmin).toHaveLength(5);
      for (const method of methods)
        expect(method.ApiKeyRequired, String(method.OperationName)).toBe(!partnerAdmin.includes(method));
    });

    it('gives the partner function the user pool and the plans by name, and the rights to onboard', () => {
      prod.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            USER_POOL_ID: Match.anyValue(),
            USAGE_PLAN_PREFIX: Match.stringLikeRegexp('-api$'),
            ACCESS_TOKEN_MINUTES: '15',
          }),
        },
      });
      prod.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: ['cognito-idp:CreateUserPoolClient', 'cognito-idp:DeleteUserPoolClient'],
            }),
          ]),
        },
      });
    });

    it('keeps access tokens short-lived (15 minutes), so a removed client loses access soon', () => {
      prod.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        AccessTokenValidity: 15,
        TokenValidityUnits: Match.objectLike({ AccessToken: 'minutes' }),
      });
    });
  });

  describe('stage cache', () => {
    it('is off in dev', () => {
      dev.hasResourceProperties('AWS::ApiGateway::Stage', { CacheClusterEnabled: false });
    });

    it('caches the stats GETs in prod for a minute, keyed by path and query', () => {
      prod.hasResourceProperties('AWS::ApiGateway::Stage', {
        CacheClusterEnabled: true,
        MethodSettings: Match.arrayWith([
          Match.objectLike({
            ResourcePath: '/~1models~1{modelId}~1sales',
            HttpMethod: 'GET',
            CachingEnabled: true,
          }),
          Match.objectLike({
            ResourcePath: '/~1stats~1revenue',
            HttpMethod: 'GET',
            CachingEnabled: true,
            CacheTtlInSeconds: 60,
          }),
        ]),
      });
      prod.hasResourceProperties('AWS::ApiGateway::Method', {
        OperationName: 'getModelSales',
        Integration: Match.objectLike({
          CacheKeyParameters: Match.arrayWith([
            'method.request.path.modelId',
            'method.request.querystring.from',
          ]),
        }),
      });
    });

    it('caches exactly the statistics GETs, encrypted, each keyed by all its path and query parameters', () => {
      const stage = Object.values(prod.findResources('AWS::ApiGateway::Stage') as Resources)[0];
      const cached = ((stage?.Properties.MethodSettings ?? []) as Record<string, unknown>[])
        .filter((s) => s.CachingEnabled)
        .map((s) => ({ path: s.ResourcePath, method: s.HttpMethod, encrypted: s.CacheDataEncrypted }));

      expect(cachedRoutes.map((r) => r.operationId).sort()).toEqual(
        routes
          .filter((r) => r.fn === 'stats')
          .map((r) => r.operationId)
          .sort(),
      );
      expect(cached).toEqual(
        expect.arrayContaining(
          cachedRoutes.map((r) => ({
            path: `/${r.path.replaceAll('/', '~1')}`,
            method: 'GET',
            encrypted: true,
          })),
        ),
      );
      expect(cached).toHaveLength(cachedRoutes.length);
      for (const route of cachedRoutes) {
        const query = parameterNamesOf(route.query);
        const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);
        prod.hasResourceProperties('AWS::ApiGateway::Method', {
          OperationName: route.operationId,
          Integration: Match.objectLike({
            CacheKeyParameters: [
              ...pathParameters.map((name) => `method.request.path.${name}`),
              ...query.map((name) => `method.request.querystring.${name}`),
            ],
          }),
        });
      }
    });

    it('keys no uncached method in prod, and caches nothing in dev', () => {
      const methods = Object.values(prod.findResources('AWS::ApiGateway::Method') as Resources);
      const keyed = methods
        .filter(
          (m) =>
            ((m.Properties.Integration as { CacheKeyParameters?: unknown[] })?.CacheKeyParameters ?? [])
              .length > 0,
        )
        .map((m) => m.Properties.OperationName)
        .sort();

      expect(keyed).toEqual(cachedRoutes.map((r) => r.operationId).sort());
      const devStage = Object.values(dev.findResources('AWS::ApiGateway::Stage') as Resources)[0];
      expect(
        ((devStage?.Properties.MethodSettings ?? []) as { CachingEnabled?: boolean }[]).filter(
          (s) => s.CachingEnabled,
        ),
      ).toEqual([]);
    });

    it('never caches a write', () => {
      const stage = Object.values(prod.findResources('AWS::ApiGateway::Stage') as Resources)[0];
      const settings = (stage?.Properties.MethodSettings ?? []) as {
        HttpMethod: string;
        CachingEnabled?: boolean;
      }[];

      expect(settings.filter((s) => s.CachingEnabled && s.HttpMethod !== 'GET')).toEqual([]);
    });
  });

  describe('stage differences', () => {
    it('has demo clients with API keys in dev only; the operator client everywhere', () => {
      dev.resourceCountIs('AWS::Cognito::UserPoolClient', 4);
      dev.resourceCountIs('AWS::ApiGateway::ApiKey', 3);
      prod.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
      prod.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
      prod.hasResourceProperties('AWS::Cognito::UserPoolClient', { ClientName: 'operator' });
    });

    it('protects and retains data in prod', () => {
      prod.hasResource('AWS::RDS::DBCluster', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({ DeletionProtection: true }),
      });
      prod.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      });
      dev.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: false });
      // The master's and every role's secret stay with the retained cluster.
      const secrets = (template: Template) =>
        Object.values(
          template.findResources('AWS::SecretsManager::Secret', {
            Properties: { GenerateSecretString: { GenerateStringKey: 'password' } },
          }),
        ).map((secret) => secret.DeletionPolicy);
      expect(secrets(prod)).toEqual(Array(DATABASE_ROLE_NAMES.length + 1).fill('Retain'));
      expect(secrets(dev)).toEqual(Array(DATABASE_ROLE_NAMES.length + 1).fill('Delete'));
    });
  });

  describe('alarms notify', () => {
    it('sends every alarm, firing and clearing, to the alarm topic', () => {
      const topic = logicalIdOf(prodStack.observability.alarmTopic);
      const alarms = Object.values(prod.findResources('AWS::CloudWatch::Alarm') as Resources);

      expect(alarms.length).toBeGreaterThan(5);
      for (const alarm of alarms) {
        expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic }]);
        expect(alarm.Properties.OKActions).toEqual([{ Ref: topic }]);
      }
    });

    it('e-mails the address of the settings in prod', () => {
      prod.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'ops@example.com',
      });
      dev.resourceCountIs('AWS::SNS::Subscription', 0);
    });

    it('alarms on the API p99 latency', () => {
      prod.hasResourceProperties('AWS::CloudWatch::Alarm', { ExtendedStatistic: 'p99', Threshold: 2000 });
    });
  });
});
