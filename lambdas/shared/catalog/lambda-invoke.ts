import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { CatalogFunction, InvokeCatalog } from './internal';

/** Invokes the brand or model function directly (no API Gateway hop), as the stats service's catalog source. */
export function lambdaInvoker(
  client: LambdaClient,
  functions: Record<CatalogFunction, string>,
): InvokeCatalog {
  return async (fn, request, signal) => {
    const output = await client.send(
      new InvokeCommand({ FunctionName: functions[fn], Payload: JSON.stringify(request) }),
      { abortSignal: signal },
    );
    const payload = output.Payload ? Buffer.from(output.Payload).toString('utf8') : '';
    if (output.FunctionError)
      throw new Error(`Catalog function ${fn} failed: ${output.FunctionError} ${payload}`);
    return JSON.parse(payload);
  };
}
