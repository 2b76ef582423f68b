import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { InvokeCatalog } from './handler-source';

/** Invokes the brand or model function directly (no API Gateway hop), as the stats service's catalog source. */
export function lambdaInvoker(
  client: LambdaClient,
  functions: Record<'brand' | 'model', string>,
): InvokeCatalog {
  return async (fn, event, signal) => {
    const output = await client.send(
      new InvokeCommand({ FunctionName: functions[fn], Payload: JSON.stringify(event) }),
      { abortSignal: signal },
    );
    const payload = output.Payload ? Buffer.from(output.Payload).toString('utf8') : '';
    if (output.FunctionError)
      throw new Error(`Catalog function ${fn} failed: ${output.FunctionError} ${payload}`);
    return JSON.parse(payload) as APIGatewayProxyResult;
  };
}
