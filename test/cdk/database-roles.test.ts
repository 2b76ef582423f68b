import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DATABASE_ROLE_NAMES, grantsFingerprint, roleName } from '../../lambdas/migrate/roles';
import { ROTATION_INTERVAL } from '../../lib/database';
import type { ServiceFunction } from '../../lib/service-function';
import { buildStack, logicalIdOf } from './synth';

const { stack, template: synth } = buildStack();
const template = synth();

type Resources = Record<string, { Properties: Record<string, unknown> }>;
interface Statement {
  Action: string | string[];
  Resource: unknown;
}

/** Every function that reaches the database, by the login it uses. */
const databaseFunctions = {
  brand: stack.functions.handler('brand').fn,
  model: stack.functions.handler('model').fn,
  sales: stack.functions.handler('sales').fn,
  ingest: stack.ingest.worker,
  projector: stack.projector.fn,
  owner: stack.migrations.fn,
} as const;
const noDatabase = {
  stats: stack.functions.handler('stats').fn,
  partner: stack.functions.handler('partner').fn,
  docs: stack.api.docs.fn,
};

const actionsIn = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
function statementsOf(fn: ServiceFunction): Statement[] {
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: logicalIdOf(fn.role ?? fn) }] },
    }) as Resources,
  );
  return policies.flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
/** The secrets a function may read (the Resource of its secretsmanager statements). */
const secretsReadBy = (fn: ServiceFunction) =>
  statementsOf(fn)
    .filter((s) => actionsIn(s).some((a) => a.startsWith('secretsmanager:')))
    .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
const secretRef = (login: keyof typeof databaseFunctions) => ({
  Ref: logicalIdOf(stack.database.credentials(login)),
});

describe('Database roles and their secrets', () => {
  it.each(DATABASE_ROLE_NAMES)('keeps a generated secret for role %s, attached to the cluster', (role) => {
    const secret = stack.database.credentials(role);

    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: JSON.stringify({ username: roleName(role), dbname: 'sales' }),
        GenerateStringKey: 'password',
        ExcludeCharacters: Match.stringLikeRegexp("'"),
      }),
    });
    // The attachment adds host, port and engine, which the rotation function connects with.
    expect(
      template.findResources('AWS::SecretsManager::SecretTargetAttachment')[logicalIdOf(secret)],
    ).toEqual(
      expect.objectContaining({
        Properties: expect.objectContaining({
          TargetId: { Ref: logicalIdOf(stack.database.cluster) },
          TargetType: 'AWS::RDS::DBCluster',
        }),
      }),
    );
  });

  it.each(Object.entries(databaseFunctions))(
    'points %s at its own secret, and lets it read no other',
    (login, fn) => {
      const own = secretRef(login as keyof typeof databaseFunctions);

      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: fn.serviceName, DB_SECRET_ARN: own }),
        },
      });
      const readable = secretsReadBy(fn);
      if (login === 'owner') {
        // The migrations set each role's password from its secret.
        expect(readable).toEqual(
          expect.arrayContaining([own, ...DATABASE_ROLE_NAMES.map((role) => secretRef(role))]),
        );
        expect(readable).toHaveLength(DATABASE_ROLE_NAMES.length + 1);
      } else {
        expect(readable).toEqual([own]);
      }
    },
  );

  it('lets no function but the migrations read the master secret', () => {
    const master = JSON.stringify(secretRef('owner'));
    const readers = Object.entries(template.findResources('AWS::IAM::Policy') as Resources)
      .filter(([, policy]) => JSON.stringify(policy.Properties.PolicyDocument).includes(master))
      .map(([, policy]) => policy.Properties.Roles);

    expect(readers).toEqual([[{ Ref: logicalIdOf(stack.migrations.fn.role ?? stack.migrations.fn) }]]);
  });

  it.each(Object.entries(noDatabase))('gives %s neither the Data API nor a database secret', (_, fn) => {
    const actions = statementsOf(fn).flatMap(actionsIn);

    expect(actions.filter((a) => /^(rds-data|secretsmanager):/.test(a))).toEqual([]);
    expect(
      Object.keys(
        template.findResources('AWS::Lambda::Function', {
          Properties: {
            Environment: {
              Variables: { POWERTOOLS_SERVICE_NAME: fn.serviceName, DB_SECRET_ARN: Match.anyValue() },
            },
          },
        }),
      ),
    ).toEqual([]);
  });

  it('creates the roles and grants after the migrations, again whenever the grants change', () => {
    template.hasResourceProperties('Custom::DatabaseMigrations', {
      GrantsFingerprint: grantsFingerprint(),
      RoleSecrets: Object.fromEntries(DATABASE_ROLE_NAMES.map((role) => [role, secretRef(role)])),
    });
  });
});

describe('Secret rotation', () => {
  const logins = ['owner', ...DATABASE_ROLE_NAMES] as const;

  it.each(logins)('rotates the secret of %s every 30 days, by a single-user rotation function', (login) => {
    expect(ROTATION_INTERVAL.toDays()).toBe(30);
    const rotation = stack.database.rotations.get(login);
    if (!rotation) throw new Error(`no rotation for ${login}`);

    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: secretRef(login),
      RotationRules: { ScheduleExpression: `rate(${ROTATION_INTERVAL.toDays()} days)` },
      RotationLambdaARN: { 'Fn::GetAtt': [logicalIdOf(rotation), 'Outputs.RotationLambdaARN'] },
      // Not during the deploy, where it would race the migrations that set the role passwords.
      RotateImmediatelyOnUpdate: false,
    });
  });

  it('runs the rotation functions in the isolated subnets, reaching Secrets Manager through an endpoint', () => {
    const endpoint = logicalIdOf(stack.database.secretsManagerEndpoint);
    const isolatedSubnets = stack.database.vpc.isolatedSubnets.map((subnet) => logicalIdOf(subnet));
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.secretsmanager']] },
      PrivateDnsEnabled: true,
    });
    const applications = Object.values(template.findResources('AWS::Serverless::Application') as Resources);

    expect(applications).toHaveLength(DATABASE_ROLE_NAMES.length + 1);
    for (const application of applications) {
      expect(application.Properties.Parameters).toEqual(
        expect.objectContaining({
          endpoint: { 'Fn::Join': ['', expect.arrayContaining([{ Ref: endpoint }])] },
          vpcSubnetIds: {
            'Fn::Join': ['', [{ Ref: isolatedSubnets[0] }, ',', { Ref: isolatedSubnets[1] }]],
          },
          vpcSecurityGroupIds: {
            'Fn::GetAtt': [expect.stringMatching(/^DatabaseRotationSecurityGroup/), 'GroupId'],
          },
        }),
      );
    }
  });

  it('opens the cluster port and the endpoint to the rotation functions only, and lets them reach nothing else', () => {
    const rotationGroup = {
      'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseRotationSecurityGroup'), 'GroupId'],
    };

    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseClusterSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: rotationGroup,
      FromPort: { 'Fn::GetAtt': [logicalIdOf(stack.database.cluster), 'Endpoint.Port'] },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('SecretsManagerEndpointSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: rotationGroup,
      FromPort: 443,
      ToPort: 443,
    });
    // Two ingress rules in all: nothing else may connect into the VPC.
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 2);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Secret rotation'),
      SecurityGroupEgress: Match.absent(),
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 2);
  });
});
