import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import { ConflictError, UnavailableError, ValidationError } from './errors';
import type { ApiResult } from './http/api-handler';

export interface IdempotentRequest {
  clientId: string;
  operation: string;
  key: string | undefined;
  /** What must be the same on a retry with the same key (the parsed or raw body). */
  body: unknown;
  lambdaContext: Context;
}

/**
 * Runs a write once per (client, operation, Idempotency-Key) with Powertools idempotency: a retry with the same
 * key and body gets the first response without a second write; the same key with another body is a 422; a retry
 * while the first is still running is a 409. Without a key the write simply runs.
 */
export function idempotentRunner(store: BasePersistenceLayer, expiresAfterSeconds = 24 * 3600) {
  return async (request: IdempotentRequest, write: () => Promise<ApiResult>): Promise<ApiResult> => {
    if (request.key === undefined) return write();
    const config = new IdempotencyConfig({
      eventKeyJmesPath: '[clientId, operation, key]',
      payloadValidationJmesPath: 'body',
      expiresAfterSeconds,
    });
    // So a write cut off by the function's timeout stays "in progress" only until that timeout, not for a day.
    config.registerLambdaContext(request.lambdaContext);
    const once = makeIdempotent((_request: IdempotentRequest) => write(), {
      persistenceStore: store,
      config,
    });
    try {
      return await once(request);
    } catch (error) {
      throw mapIdempotencyError(error);
    }
  };
}

export type IdempotentRunner = ReturnType<typeof idempotentRunner>;

function mapIdempotencyError(error: unknown): unknown {
  if (error instanceof IdempotencyValidationError) {
    return new ValidationError(
      'This Idempotency-Key was already used with a different request body',
      [{ path: 'header.idempotency-key', message: 'reused with a different body; use a new key' }],
      'unprocessable',
    );
  }
  if (error instanceof IdempotencyAlreadyInProgressError) {
    return new ConflictError('A request with this Idempotency-Key is still in progress; retry shortly');
  }
  if (error instanceof IdempotencyPersistenceLayerError) {
    return new UnavailableError('The idempotency store is unavailable', { cause: error });
  }
  return error;
}
