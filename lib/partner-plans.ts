import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { TIERS, type TierName } from '../lambdas/partner/tiers';

export interface PartnerPlansProps {
  readonly restApi: apigw.RestApi;
}

/**
 * One API Gateway usage plan per partner tier (lambdas/partner/tiers.ts): rate, burst and a daily quota.
 * Each partner's API key sits in its tier's plan, and API Gateway counts and throttles per key, so every
 * partner's limits hold on their own, whatever the others send. Keys are added by the partner function
 * (lambdas/partner/aws-directory.ts) at onboarding.
 */
export class PartnerPlans extends Construct {
  readonly plans: Record<TierName, apigw.UsagePlan>;

  constructor(scope: Construct, id: string, props: PartnerPlansProps) {
    super(scope, id);
    const plan = (tier: TierName) =>
      new apigw.UsagePlan(this, tier, {
        name: `${props.restApi.restApiName}-${tier}`,
        description: `Partner tier ${tier}`,
        throttle: { rateLimit: TIERS[tier].rateLimit, burstLimit: TIERS[tier].burstLimit },
        quota: { limit: TIERS[tier].quotaPerDay, period: apigw.Period.DAY },
        apiStages: [{ api: props.restApi, stage: props.restApi.deploymentStage }],
      });
    this.plans = { sandbox: plan('sandbox'), standard: plan('standard'), premium: plan('premium') };
  }

  /** The plan ids as the partner function reads them (`USAGE_PLANS`, JSON). */
  get usagePlanIds(): string {
    return JSON.stringify(
      Object.fromEntries(Object.entries(this.plans).map(([tier, plan]) => [tier, plan.usagePlanId])),
    );
  }
}
