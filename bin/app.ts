import { App } from 'aws-cdk-lib';
import { addComplianceChecks } from '../lib/compliance';
import { SalesApiStack } from '../lib/sales-api-stack';
import { settingsFromContext } from '../lib/settings';

const app = new App();
addComplianceChecks(app);

// Environment-agnostic on purpose: synth needs no credentials and does no lookups. One stack per stage
// (`-c stage=dev|prod`), so both can live in one account.
const settings = settingsFromContext(app.node);
new SalesApiStack(app, `CarSalesApi-${settings.stage}`, {
  description: 'Car-sales data API (API Gateway, Cognito, Lambda, Aurora Serverless v2 Data API, DynamoDB)',
  settings,
});
