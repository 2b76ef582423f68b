import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import cdkJson from '../../cdk.json';
import { addComplianceChecks } from '../../lib/compliance';
import { SalesApiStack } from '../../lib/sales-api-stack';
import { DEFAULT_SETTINGS, type SalesApiSettings } from '../../lib/settings';

// The built-in CloudFormation rule check runs on `cdk synth`; here it would only add seconds per template.
process.env.CDK_VALIDATION = 'false';

/** An app with cdk.json's feature flags (so tests see what `cdk synth` sees) and no asset bundling. */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context } });
}

export interface TestStackOptions {
  readonly settings?: Partial<SalesApiSettings>;
  /** Registers cdk-nag as bin/app.ts does. */
  readonly compliance?: boolean;
}

export function buildStack({ settings, compliance = false }: TestStackOptions = {}) {
  const app = testApp();
  if (compliance) addComplianceChecks(app);
  const stack = new SalesApiStack(app, 'Test', { settings: { ...DEFAULT_SETTINGS, ...settings } });
  return { app, stack, template: () => Template.fromStack(stack) };
}

/** The logical id of a construct's CloudFormation resource, to assert references between resources. */
export function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild ?? construct;
  if (!(resource instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(resource);
}
