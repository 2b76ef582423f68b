import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../lib/settings';
import { buildStack, logicalIdOf } from './synth';

const { stack, template: synth } = buildStack();
const template = synth();

describe('Construct: Database', () => {
  it('is Aurora PostgreSQL Serverless v2 with the Data API enabled', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      EngineVersion: Match.stringLikeRegexp('^17\\.'),
      EnableHttpEndpoint: true,
      DatabaseName: 'sales',
      ServerlessV2ScalingConfiguration: {
        MinCapacity: DEFAULT_SETTINGS.minCapacity,
        MaxCapacity: DEFAULT_SETTINGS.maxCapacity,
      },
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceClass: 'db.serverless',
      DBClusterIdentifier: { Ref: logicalIdOf(stack.database.cluster) },
      PubliclyAccessible: false,
    });
  });

  it('encrypts storage, keeps a week of backups and keeps its credentials in Secrets Manager', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      StorageEncrypted: true,
      BackupRetentionPeriod: 7,
      MasterUsername: 'sales_admin',
      MasterUserPassword: {
        'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('^\\{\\{resolve:secretsmanager:')])],
      },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"sales_admin"}' }),
    });
  });

  it('sits in isolated subnets of a VPC without NAT or internet gateway', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceId: { Ref: logicalIdOf(stack.database.vpc) },
      TrafficType: 'REJECT',
    });
  });

  it('has deletion protection off by default, and a snapshot when deleted', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: false });
    template.hasResource('AWS::RDS::DBCluster', {
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
    });
  });

  it('turns deletion protection on, and retains the cluster, when configured', () => {
    const protectedTemplate = buildStack({ settings: { deletionProtection: true } }).template();

    protectedTemplate.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: true });
    protectedTemplate.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Retain' });
  });
});

describe('Construct: SalesTables', () => {
  it('stores aggregates under pk/sk, on demand, with point-in-time recovery', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ]),
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('keeps idempotency records under id, expiring through TTL on expiration', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('retains the tables with deletion protection only when configured', () => {
    template.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });

    const protectedTemplate = buildStack({ settings: { deletionProtection: true } }).template();

    protectedTemplate.allResources('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
  });

  it('exposes both tables', () => {
    expect(logicalIdOf(stack.tables.aggregates)).not.toBe(logicalIdOf(stack.tables.idempotency));
  });
});
