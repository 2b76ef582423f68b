import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DATABASE_ROLE_NAMES, type DatabaseRole, roleName } from '../lambdas/migrate/roles';
import type { DataApiDatabase, DatabaseLogin } from './service-function';

export interface DatabaseProps {
  /** Aurora Serverless v2 capacity range in ACUs. */
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** Deletion protection on, and the cluster retained (rather than snapshotted) if the stack goes. */
  readonly deletionProtection: boolean;
}

/** The statements a Data API caller may run (what `DatabaseCluster.grantDataApiAccess` grants, minus its secret). */
const DATA_API_ACTIONS = [
  'rds-data:BatchExecuteStatement',
  'rds-data:BeginTransaction',
  'rds-data:CommitTransaction',
  'rds-data:ExecuteStatement',
  'rds-data:RollbackTransaction',
];

/** Passwords, generated and rotated, stay free of quotes and URL or shell specials (the RDS default set). */
const PASSWORD_EXCLUDED_CHARACTERS = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\';

/** How often every database secret is rotated. */
export const ROTATION_INTERVAL = Duration.days(30);

/**
 * Aurora PostgreSQL Serverless v2 reached only through the RDS Data API: the cluster sits in isolated
 * subnets (no NAT, no internet) and the functions run outside any VPC. The master user (`owner`) is for the
 * migrations; every other function logs in as its own role (lambdas/migrate/roles.ts), each with its own
 * secret. Every secret rotates on a schedule through a single-user rotation function in the VPC, which reaches
 * the cluster on its port and Secrets Manager through an interface endpoint: the only traffic into the VPC.
 */
export class Database extends Construct implements DataApiDatabase {
  static readonly DATABASE_NAME = 'sales';

  readonly vpc: ec2.Vpc;
  readonly cluster: rds.DatabaseCluster;
  /** The master user's secret: only the migrations read it. */
  readonly secret: secretsmanager.ISecret;
  /** Each function role's secret (username, password, and the cluster's host and engine for rotation). */
  readonly roleSecrets: ReadonlyMap<DatabaseRole, secretsmanager.ISecret>;
  /** Rotation of the master secret and of each role secret. */
  readonly rotations: ReadonlyMap<DatabaseLogin, secretsmanager.SecretRotation>;
  /** Secrets Manager inside the VPC, for the rotation functions (the subnets have no route out). */
  readonly secretsManagerEndpoint: ec2.InterfaceVpcEndpoint;
  readonly clusterArn: string;
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
    // A retained cluster keeps the credentials that open it (`secret` is the attachment; this is the secret).
    const secretRemoval = props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const generated = this.cluster.node.tryFindChild('Secret');
    if (!(generated instanceof secretsmanager.Secret)) throw new Error('The cluster has no generated secret');
    generated.applyRemovalPolicy(secretRemoval);
    this.clusterArn = this.cluster.clusterArn;

    this.roleSecrets = new Map(
      DATABASE_ROLE_NAMES.map((role) => {
        const roleSecret = new rds.DatabaseSecret(this, `${pascal(role)}Secret`, {
          username: roleName(role),
          dbname: Database.DATABASE_NAME,
          excludeCharacters: PASSWORD_EXCLUDED_CHARACTERS,
        });
        roleSecret.applyRemovalPolicy(secretRemoval);
        // Adds the cluster's host, port, engine and identifier, which the rotation function connects with.
        return [role, roleSecret.attach(this.cluster)];
      }),
    );

    this.secretsManagerEndpoint = this.vpc.addInterfaceEndpoint('SecretsManagerEndpoint', {
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      privateDnsEnabled: true,
      open: false,
    });
    const rotationSecurityGroup = new ec2.SecurityGroup(this, 'RotationSecurityGroup', {
      vpc: this.vpc,
      description: 'Secret rotation functions: out to the cluster and the Secrets Manager endpoint only',
      allowAllOutbound: false,
    });
    this.secretsManagerEndpoint.connections.allowDefaultPortFrom(rotationSecurityGroup);
    const rotation = {
      automaticallyAfter: ROTATION_INTERVAL,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      endpoint: this.secretsManagerEndpoint,
      securityGroup: rotationSecurityGroup,
      excludeCharacters: PASSWORD_EXCLUDED_CHARACTERS,
      // Not at deploy time: a rotation racing the migrations (which log in as the master user and set each
      // role's password from its secret) could leave a password behind. The first rotation is one interval on.
      rotateImmediatelyOnUpdate: false,
    };
    this.rotations = new Map<DatabaseLogin, secretsmanager.SecretRotation>([
      ['owner', this.cluster.addRotationSingleUser(rotation)],
      ...[...this.roleSecrets].map(
        ([role, roleSecret]) =>
          [
            role,
            new secretsmanager.SecretRotation(this, `${pascal(role)}Rotation`, {
              ...rotation,
              application: secretsmanager.SecretRotationApplication.POSTGRES_ROTATION_SINGLE_USER,
              secret: roleSecret,
              target: this.cluster,
              vpc: this.vpc,
            }),
          ] as const,
      ),
    ]);

    this.acknowledgeFindings(props);
  }

  credentials(login: DatabaseLogin): secretsmanager.ISecret {
    if (login === 'owner') return this.secret;
    const roleSecret = this.roleSecrets.get(login);
    if (!roleSecret) throw new Error(`No database role ${login} in lambdas/migrate/roles.ts`);
    return roleSecret;
  }

  grantDataApiAccess(grantee: iam.IGrantable, login: DatabaseLogin): iam.Grant {
    this.credentials(login).grantRead(grantee);
    return iam.Grant.addToPrincipal({ grantee, actions: DATA_API_ACTIONS, resourceArns: [this.clusterArn] });
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
        'The cluster is in isolated subnets; its port admits only the secret rotation functions, and the functions reach it through the Data API, so the port is not exposed.',
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

const pascal = (name: string) => `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
