import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import * as z from 'zod/mini';

/** What a function that writes sales reads to kick the projector. */
export const kickEnv = { PROJECTOR_FUNCTION_NAME: z.string().check(z.minLength(1)) };

/**
 * A kick of the projector: an asynchronous invoke (Lambda queues it and answers at once), so a drain starts
 * right after a commit instead of at the next scheduled tick.
 */
export function kickByInvoke(client: LambdaClient, functionName: string): () => Promise<void> {
  return async () => {
    await client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event' }));
  };
}
