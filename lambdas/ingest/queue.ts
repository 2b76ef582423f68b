import { ChangeMessageVisibilityBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { IngestMessage } from './messages';

/** Where accepted events wait for the worker. */
export interface EventQueue {
  /** Resolves once the message is durably queued. */
  send(message: IngestMessage): Promise<void>;
}

/** What the worker may do to messages it received: make them wait before their next delivery. */
export interface ReceivedMessages {
  delay(receiptHandles: readonly string[], seconds: number): Promise<void>;
}

/** The events queue in SQS (or the local emulator, through the same client). */
export class SqsEventQueue implements EventQueue, ReceivedMessages {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: IngestMessage): Promise<void> {
    await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: asciiJson(message) }),
    );
  }

  async delay(receiptHandles: readonly string[], seconds: number): Promise<void> {
    // Ten entries per call, SQS's limit.
    for (let start = 0; start < receiptHandles.length; start += 10) {
      await this.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: receiptHandles.slice(start, start + 10).map((handle, i) => ({
            Id: String(i),
            ReceiptHandle: handle,
            VisibilityTimeout: seconds,
          })),
        }),
      );
    }
  }
}

/**
 * JSON with every non-ASCII code unit escaped: SQS refuses some characters in a message body (and emulators
 * more), while any externalId the API accepts must arrive intact. JSON.parse restores the original text.
 */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
