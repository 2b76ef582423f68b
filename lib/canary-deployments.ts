import { Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import { Construct } from 'constructs';
import type { FunctionName } from '../lambdas/shared/route';
import type { ApiHandler } from './api-functions';

export interface CanaryDeploymentsProps {
  readonly handlers: readonly ApiHandler[];
  /** Per function: the alarms that roll its deployment back (its own errors, the API's 5xx rate, ...). */
  readonly rollbackAlarms: (name: FunctionName) => cloudwatch.IAlarm[];
  /** @default CANARY_10PERCENT_5MINUTES */
  readonly deploymentConfig?: codedeploy.ILambdaDeploymentConfig;
}

/**
 * Safe deploys: a new function version first takes 10% of the `live` alias' traffic; CodeDeploy shifts the
 * rest after five quiet minutes, or rolls back to the previous version as soon as an alarm fires.
 */
export class CanaryDeployments extends Construct {
  readonly application: codedeploy.LambdaApplication;
  readonly groups: ReadonlyMap<FunctionName, codedeploy.LambdaDeploymentGroup>;

  constructor(scope: Construct, id: string, props: CanaryDeploymentsProps) {
    super(scope, id);

    this.application = new codedeploy.LambdaApplication(this, 'Application');
    this.groups = new Map(
      props.handlers.map(({ name, live }) => {
        const group = new codedeploy.LambdaDeploymentGroup(this, `${name}DeploymentGroup`, {
          application: this.application,
          alias: live,
          deploymentConfig:
            props.deploymentConfig ?? codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
          alarms: props.rollbackAlarms(name),
          autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
        });
        Validations.of(group).acknowledge({
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
          reason:
            'AWSCodeDeployRoleForLambdaLimited is the narrow AWS-maintained policy for CodeDeploy shifting Lambda aliases.',
        });
        return [name, group];
      }),
    );
  }
}
