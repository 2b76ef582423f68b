import { Match } from 'aws-cdk-lib/assertions';
import { describe, it } from 'vitest';
import { RESOURCE_SERVER } from '../../lambdas/shared/route';
import { buildStack, logicalIdOf } from './synth';

const { stack, template: synth } = buildStack();
const template = synth();
const userPoolId = { Ref: logicalIdOf(stack.auth.userPool) };

describe('Construct: Auth', () => {
  it('defines the sales-api resource server with the read, write and admin scopes', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      UserPoolId: userPoolId,
      Identifier: RESOURCE_SERVER,
      Scopes: [
        { ScopeName: 'read', ScopeDescription: Match.anyValue() },
        { ScopeName: 'write', ScopeDescription: Match.anyValue() },
        { ScopeName: 'admin', ScopeDescription: Match.anyValue() },
      ],
    });
  });

  it('lets no one sign up', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
  });

  it('serves the token endpoint on a Cognito domain', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      UserPoolId: userPoolId,
      Domain: { 'Fn::Join': ['', ['sales-api-', { Ref: 'AWS::AccountId' }]] },
    });
  });

  it('uses the configured domain prefix', () => {
    const custom = buildStack({ settings: { authDomainPrefix: 'acme-sales' } }).template();

    custom.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-sales' });
  });

  it.each([
    ['reader', ['read']],
    ['writer', ['read', 'write']],
    ['admin', ['read', 'write', 'admin']],
  ])('has a confidential %s client for the client-credentials grant with scopes %j', (name, scopes) => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: userPoolId,
      ClientName: `demo-${name}`,
      GenerateSecret: true,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: scopes.map((scope) => ({
        'Fn::Join': ['', [{ Ref: logicalIdOf(stack.auth.resourceServer) }, `/${scope}`]],
      })),
    });
  });

  it('outputs what a partner needs to get a token', () => {
    for (const output of [
      'ApiUrl',
      'TokenUrl',
      'UserPoolId',
      'ReaderClientId',
      'WriterClientId',
      'AdminClientId',
    ]) {
      template.hasOutput(output, { Value: Match.anyValue() });
    }
    template.hasOutput('TokenUrl', {
      Value: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/oauth2/token$')])] },
    });
  });
});
