import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { DataApiDatabase } from './service-function';

export interface DatabaseProps {
  /** Aurora Serverless v2 capacity range in ACUs. */
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** Deletion protection on, and the cluster retained (rather than snapshotted) if the stack goes. */
  readonly deletionProtection: boolean;
}

/**
 * Aurora PostgreSQL Serverless v2 reached only through the RDS Data API: the cluster sits in isolated
 * subnets (no NAT, no ingress rules) and the functions run outside any VPC.
 */
export class Database extends Construct implements DataApiDatabase {
  static readonly DATABASE_NAME = 'sales';

  readonly vpc: ec2.Vpc;
  readonly cluster: rds.DatabaseCluster;
  readonly secret: secretsmanager.ISecret;
  readonly clusterArn: string;
  readonly secretArn: string;
  readonly databaseName = Database.DATABASE_NAME;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
    });
    // Nothing is meant to connect to the VPC, so rejected traffic is the part worth keeping.
    this.vpc.addFlowLog('FlowLog', {
      trafficType: ec2.FlowLogTrafficType.REJECT,
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        new logs.LogGroup(this, 'FlowLogGroup', {
          retention: logs.RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      ),
    });

    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      // 17.4+ supports the Data API on Serverless v2; keep the SQL portable to PGlite (18) used locally.
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_17_7 }),
      writer: rds.ClusterInstance.serverlessV2('Writer', { publiclyAccessible: false }),
      serverlessV2MinCapacity: props.minCapacity,
      serverlessV2MaxCapacity: props.maxCapacity,
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      credentials: rds.Credentials.fromGeneratedSecret('sales_admin'),
      defaultDatabaseName: Database.DATABASE_NAME,
      enableDataApi: true,
      storageEncrypted: true,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.SNAPSHOT,
      backup: { retention: Duration.days(7) },
      copyTagsToSnapshot: true,
    });

    const secret = this.cluster.secret;
    if (!secret) throw new Error('The cluster was created without a credentials secret');
    this.secret = secret;
    this.clusterArn = this.cluster.clusterArn;
    this.secretArn = secret.secretArn;

    this.acknowledgeFindings(props);
  }

  grantDataApiAccess(grantee: iam.IGrantable): iam.Grant {
    // Grants rds-data:* statements on this cluster and read on its secret (cluster.secret).
    return this.cluster.grantDataApiAccess(grantee);
  }

  private acknowledgeFindings(props: DatabaseProps): void {
    const cluster = Validations.of(this.cluster);
    cluster.acknowledge({
      id: 'AwsSolutions-RDS6',
      reason:
        'No client connects to PostgreSQL directly: the Data API authenticates with the Secrets Manager secret.',
    });
    cluster.acknowledge({
      id: 'AwsSolutions-RDS11',
      reason:
        'The cluster is in isolated subnets with no ingress rules; only the Data API reaches it, so the port is not exposed.',
    });
    cluster.acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation needs a rotation function with network access to the isolated cluster (VPC endpoint or NAT), not provisioned for this demo; add cluster.addRotationSingleUser() with one for production.',
    });
    if (!props.deletionProtection) {
      cluster.acknowledge({
        id: 'AwsSolutions-RDS10',
        reason:
          'Deletion protection is a setting (salesApi:deletionProtection), off for development stacks only.',
      });
    }
  }
}
