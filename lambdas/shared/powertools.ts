import { Logger } from '@aws-lambda-powertools/logger';

/** One logger for every function, so all log the same JSON shape (service, request id, client id). */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'car-sales-api' });
