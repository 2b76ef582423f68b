import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface PollerOptions {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  handler: SqsHandler;
  /** Records per invocation (SQS event source: 1–10 without a batching window). */
  batchSize: number;
  /** Invocations at once, like the event source's maximum concurrency. */
  maxConcurrency: number;
  /** How long a receive waits for messages (long polling), in seconds. */
  waitTimeSeconds: number;
  /** Milliseconds to hold off pulling (e.g. while the worker's database breaker is open); 0 pulls. */
  holdOffMs?: () => number;
  context: (requestId: string) => Context;
  log?: (line: string) => void;
}

/**
 * Lambda's SQS event source, locally: `maxConcurrency` pollers receive up to `batchSize` messages each, invoke
 * the handler with an SQS event, delete the messages it did not report in `batchItemFailures` (partial batch
 * response), and leave the rest — or the whole batch when the handler throws — to reappear after the visibility
 * timeout. The queue's redrive policy moves a message to the dead-letter queue after its last receive.
 */
export class QueuePoller {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly stopping = new AbortController();
  private invocations = 0;

  constructor(private readonly options: PollerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.options.maxConcurrency }, (_, slot) => this.loop(slot));
  }

  /** Stops receiving and waits for the invocations under way (their messages stay in the queue if unfinished). */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    await Promise.all(this.loops);
  }

  private async loop(slot: number): Promise<void> {
    const { client, queueUrl, batchSize, waitTimeSeconds, log } = this.options;
    while (this.running) {
      const holdOff = this.options.holdOffMs?.() ?? 0;
      if (holdOff > 0) {
        // Short naps, so a breaker that closes early is noticed at once.
        await sleep(Math.min(holdOff, 250), undefined, { signal: this.stopping.signal }).catch(() => {});
        continue;
      }
      try {
        const { Messages = [] } = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: waitTimeSeconds,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: this.stopping.signal },
        );
        if (Messages.length > 0) await this.invoke(Messages);
      } catch (error) {
        if (!this.running) return;
        log?.(`queue poller ${slot}: ${error instanceof Error ? error.message : String(error)}`);
        await sleep(500, undefined, { signal: this.stopping.signal }).catch(() => {});
      }
    }
  }

  private async invoke(messages: Message[]): Promise<void> {
    const { client, queueUrl, handler, context } = this.options;
    const records = messages.map((message) => this.toRecord(message));
    this.invocations += 1;
    let failed: Set<string>;
    try {
      const response = await handler({ Records: records }, context(`local-ingest-${this.invocations}`));
      failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      // A thrown error fails the whole batch: every message comes back after its visibility timeout.
      this.options.log?.(
        `ingest worker failed a batch: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    const done = records.filter((record) => !failed.has(record.messageId));
    if (done.length === 0) return;
    const { Failed = [] } = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: done.map((record, i) => ({ Id: String(i), ReceiptHandle: record.receiptHandle })),
      }),
    );
    if (Failed.length > 0)
      this.options.log?.(`queue poller: ${Failed.length} deletes failed: ${JSON.stringify(Failed[0])}`);
  }

  private toRecord(message: Message): SQSRecord {
    const attributes = message.Attributes ?? {};
    return {
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
        SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
        SenderId: attributes.SenderId ?? 'local',
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.queueArn,
      awsRegion: 'us-east-1',
    };
  }
}
