import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildStack, logicalIdOf } from './synth';

const { stack, template: synth } = buildStack();
const template = synth();

describe('Construct: CanaryDeployments', () => {
  it('has one deployment group per API function', () => {
    template.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', stack.functions.handlers.length);
  });

  it.each(stack.functions.handlers.map((h) => [h.name, h] as const))(
    'shifts %s 10% first and rolls back on its errors or the API 5xx rate',
    (name, { live }) => {
      // Arrange
      const errors = stack.observability.functionErrorAlarms.get(name);
      const group = stack.canaryDeployments.groups.get(name);
      expect(errors).toBeDefined();
      expect(group).toBeDefined();
      if (!errors || !group) return;

      // Assert
      template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        DeploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
        DeploymentStyle: { DeploymentOption: 'WITH_TRAFFIC_CONTROL', DeploymentType: 'BLUE_GREEN' },
        AutoRollbackConfiguration: {
          Enabled: true,
          Events: Match.arrayWith([
            'DEPLOYMENT_FAILURE',
            'DEPLOYMENT_STOP_ON_REQUEST',
            'DEPLOYMENT_STOP_ON_ALARM',
          ]),
        },
        AlarmConfiguration: {
          Enabled: true,
          Alarms: [
            { Name: { Ref: logicalIdOf(errors) } },
            { Name: { Ref: logicalIdOf(stack.observability.serverErrorRateAlarm) } },
          ],
        },
      });
      template.hasResource('AWS::Lambda::Alias', {
        Properties: Match.objectLike({ Name: 'live', FunctionName: { Ref: logicalIdOf(live.lambda) } }),
        UpdatePolicy: {
          CodeDeployLambdaAliasUpdate: {
            ApplicationName: { Ref: logicalIdOf(stack.canaryDeployments.application) },
            DeploymentGroupName: { Ref: logicalIdOf(group) },
          },
        },
      });
    },
  );
});
