import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { instrumented } from '../shared/metrics';
import { logger, withLogKeys } from '../shared/powertools';
import { IngestMessage } from './messages';
import type { ReceivedMessages } from './queue';
import type { IngestWorker } from './worker';

export interface IngestHandlerDeps {
  worker: IngestWorker;
  messages: ReceivedMessages;
}

/**
 * The SQS event source's handler: each record is one request's events, processed on its own, and the response
 * lists the records that failed (partial batch response), so only those come back. While the database breaker
 * is open, failed records wait out its window in the queue instead of being received again at once. Each
 * record's log lines carry the request id and batch id of the request that queued it; the invocation's
 * metrics (service `ingest`, operation `ingest`) are published when it ends.
 */
export function createIngestHandler({ worker, messages }: IngestHandlerDeps) {
  const processor = new BatchProcessor(EventType.SQS);
  const processRecord = async (record: SQSRecord) => {
    const message = IngestMessage.parse(JSON.parse(record.body));
    const { batchId, requestId } = message;
    const receiveCount = Number(record.attributes.ApproximateReceiveCount);
    await withLogKeys({ batchId, ...(requestId ? { requestId } : {}) }, async () => {
      logger.debug('Message received', { events: message.events.length, receiveCount });
      await worker.process(message, receiveCount);
    });
  };

  return (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    instrumented({ service: 'ingest', operation: 'ingest' }, () => handleBatch(event, context));

  async function handleBatch(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    const response = await processPartialResponse(event, processRecord, processor, {
      context,
      throwOnFullBatchFailure: false,
    });
    const holdOffMs = worker.holdOffMs();
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    if (holdOffMs > 0 && failed.size > 0) {
      const handles = event.Records.filter((record) => failed.has(record.messageId)).map(
        (r) => r.receiptHandle,
      );
      await messages
        .delay(handles, Math.ceil(holdOffMs / 1000))
        .catch((error: unknown) => logger.warn('Could not delay failed messages', { error: error as Error }));
    }
    return response;
  }
}
