import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { type AccessLevel, RESOURCE_SERVER, SCOPE_DESCRIPTIONS } from '../lambdas/shared/route';

export interface AuthProps {
  /** Prefix of the hosted domain serving `/oauth2/token`; unique per region. */
  readonly domainPrefix?: string;
  /** Deletion protection on, and the pool retained if the stack goes (app client ids stay valid). */
  readonly deletionProtection: boolean;
}

/** Demo partners for the client-credentials flow; each gets the scopes its role implies. */
const DEMO_CLIENTS = {
  reader: ['read'],
  writer: ['read', 'write'],
  admin: ['read', 'write', 'admin'],
} as const satisfies Record<string, readonly AccessLevel[]>;

export type DemoClient = keyof typeof DEMO_CLIENTS;

/**
 * Machine-to-machine OAuth 2.0: a Cognito user pool with the `sales-api` resource server, a hosted domain for
 * the token endpoint, and confidential app clients using the client-credentials grant. No end users sign in.
 */
export class Auth extends Construct {
  readonly userPool: cognito.UserPool;
  readonly resourceServer: cognito.UserPoolResourceServer;
  readonly domain: cognito.UserPoolDomain;
  readonly clients: Record<DemoClient, cognito.UserPoolClient>;
  /** The OAuth 2.0 token endpoint (client credentials). */
  readonly tokenUrl: string;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      // No people sign in, but the pool should not be weaker than the checks expect should that change.
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.NONE,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'Only machine clients use this pool (client credentials); the Plus plan protects user sign-ins.',
    });

    const scopeOf = (scopeName: AccessLevel) =>
      new cognito.ResourceServerScope({ scopeName, scopeDescription: SCOPE_DESCRIPTIONS[scopeName] });
    const scopes: Record<AccessLevel, cognito.ResourceServerScope> = {
      read: scopeOf('read'),
      write: scopeOf('write'),
      admin: scopeOf('admin'),
    };

    this.resourceServer = this.userPool.addResourceServer('ResourceServer', {
      identifier: RESOURCE_SERVER,
      userPoolResourceServerName: 'Car sales API',
      scopes: Object.values(scopes),
    });

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? `sales-api-${Aws.ACCOUNT_ID}` },
    });
    this.tokenUrl = `${this.domain.baseUrl()}/oauth2/token`;

    const demoClient = (name: DemoClient) =>
      this.userPool.addClient(`${capitalize(name)}Client`, {
        userPoolClientName: `demo-${name}`,
        generateSecret: true,
        oAuth: {
          flows: { clientCredentials: true },
          scopes: DEMO_CLIENTS[name].map((s) =>
            cognito.OAuthScope.resourceServer(this.resourceServer, scopes[s]),
          ),
        },
        accessTokenValidity: Duration.hours(1),
        enableTokenRevocation: true,
      });
    this.clients = { reader: demoClient('reader'), writer: demoClient('writer'), admin: demoClient('admin') };
  }
}

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
