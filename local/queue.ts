import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type QueueAttributeName,
  SQSClient,
} from '@aws-sdk/client-sqs';

export interface LocalQueueSettings {
  /** Seconds a received message stays invisible before it is delivered again (the queue's default). */
  visibilityTimeoutSeconds: number;
  /** Receives after which a message moves to the dead-letter queue. */
  maxReceiveCount: number;
}

export interface LocalQueues {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  deadLetterUrl: string;
  /** Messages waiting and in flight, as the queue counts them. */
  depth(url: string): Promise<{ visible: number; inFlight: number; delayed: number }>;
  close(): Promise<void>;
}

const QUEUE = 'sales-events';
const DEAD_LETTERS = 'sales-events-dlq';

/**
 * An SQS emulator (fauxqs) in process, with the events queue and its dead-letter queue, reached through the same
 * `@aws-sdk/client-sqs` as in AWS. Under `dataDir` every message persists (SQLite), so a kill -9 loses nothing
 * a 202 accepted; in memory when absent.
 */
export async function openQueues(
  dataDir: string | undefined,
  settings: LocalQueueSettings,
): Promise<LocalQueues> {
  const queueDir = dataDir && join(dataDir, 'queue');
  if (queueDir) await mkdir(queueDir, { recursive: true });
  // fauxqs ships as ES modules only; a dynamic import loads it from this CommonJS package.
  const { startFauxqs } = await import('fauxqs');
  const server = await startFauxqs({
    port: 0,
    host: '127.0.0.1',
    logger: false,
    ...(queueDir ? { dataDir: queueDir } : {}),
  });
  const client = new SQSClient({
    endpoint: `http://127.0.0.1:${server.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  // CreateQueue is idempotent: on restart it returns the persisted queues with their messages.
  const dlq = await client.send(new CreateQueueCommand({ QueueName: DEAD_LETTERS }));
  const deadLetterUrl = required(dlq.QueueUrl, 'dead-letter queue URL');
  const deadLetterArn = await attribute(client, deadLetterUrl, 'QueueArn');
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: QUEUE,
      Attributes: {
        VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: deadLetterArn,
          maxReceiveCount: settings.maxReceiveCount,
        }),
      },
    }),
  );
  const queueUrl = required(queue.QueueUrl, 'queue URL');
  const queueArn = await attribute(client, queueUrl, 'QueueArn');

  async function depth(url: string) {
    const { Attributes: a = {} } = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    return {
      visible: Number(a.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
      delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
    };
  }

  return {
    client,
    queueUrl,
    queueArn,
    deadLetterUrl,
    depth,
    async close() {
      client.destroy();
      await server.stop();
    },
  };
}

async function attribute(client: SQSClient, url: string, name: QueueAttributeName): Promise<string> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [name] }),
  );
  return required(Attributes?.[name], name);
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`The local queue gave no ${what}`);
  return value;
}
