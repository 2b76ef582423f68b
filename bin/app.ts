import { App } from 'aws-cdk-lib';
import { addComplianceChecks } from '../lib/compliance';
import { SalesApiStack } from '../lib/sales-api-stack';
import { settingsFromContext } from '../lib/settings';

const app = new App();
addComplianceChecks(app);

// Environment-agnostic on purpose: synth needs no credentials and does no lookups.
new SalesApiStack(app, 'CarSalesApi', {
  description: 'Car-sales data API (API Gateway, Cognito, Lambda, Aurora Serverless v2 Data API, DynamoDB)',
  settings: settingsFromContext(app.node),
});
