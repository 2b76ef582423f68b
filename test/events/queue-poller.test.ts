/**
 * The local SQS event source on the embedded emulator: batches of at most `batchSize`, at most
 * `maxConcurrency` invocations at once, partial batch responses (only failed records come back), a thrown
 * error returning the whole batch, redrive to the dead-letter queue after `maxReceiveCount`, and no pulling
 * while the worker holds off.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../local/gateway';
import { type LocalQueues, openQueues } from '../../local/queue';
import { QueuePoller, type SqsHandler } from '../../local/queue-poller';

let queues: LocalQueues | undefined;
let poller: QueuePoller | undefined;

afterEach(async () => {
  await poller?.stop();
  await queues?.close();
  poller = undefined;
  queues = undefined;
});

async function send(target: LocalQueues, bodies: string[]) {
  for (let start = 0; start < bodies.length; start += 10) {
    await target.client.send(
      new SendMessageBatchCommand({
        QueueUrl: target.queueUrl,
        Entries: bodies.slice(start, start + 10).map((body, i) => ({ Id: String(i), MessageBody: body })),
      }),
    );
  }
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function start(
  handler: SqsHandler,
  options: { maxReceiveCount?: number; holdOffMs?: () => number } = {},
) {
  queues = await openQueues(undefined, {
    visibilityTimeoutSeconds: 2,
    maxReceiveCount: options.maxReceiveCount ?? 3,
  });
  poller = new QueuePoller({
    client: queues.client,
    queueUrl: queues.queueUrl,
    queueArn: queues.queueArn,
    handler,
    batchSize: 10,
    maxConcurrency: 2,
    waitTimeSeconds: 0,
    holdOffMs: options.holdOffMs,
    context: (requestId) => lambdaContext('sales', requestId),
  });
  return queues;
}

describe('Class: QueuePoller', () => {
  it('invokes with batches of at most batchSize, at most maxConcurrency at once, and deletes what succeeded', async () => {
    const seen: string[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const sizes: number[] = [];
    const target = await start(async (event: SQSEvent) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      sizes.push(event.Records.length);
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(...event.Records.map((record) => record.body));
      inFlight -= 1;
      return { batchItemFailures: [] };
    });
    await send(
      target,
      Array.from({ length: 60 }, (_, i) => `m${i}`),
    );
    poller?.start();
    await until(() => seen.length >= 60);
    await until(async () => {
      const depth = await target.depth(target.queueUrl);
      return depth.visible + depth.inFlight === 0;
    });
    expect(new Set(seen).size).toBe(60);
    expect(seen).toHaveLength(60);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(10);
    expect(mostInFlight).toBeLessThanOrEqual(2);
  });

  it('redelivers only the records in batchItemFailures, with a growing receive count, then dead-letters them', async () => {
    const receives = new Map<string, number[]>();
    const target = await start(async (event): Promise<SQSBatchResponse> => {
      for (const record of event.Records) {
        const counts = receives.get(record.body) ?? [];
        counts.push(Number(record.attributes.ApproximateReceiveCount));
        receives.set(record.body, counts);
      }
      return {
        batchItemFailures: event.Records.filter((record) => record.body.startsWith('bad')).map((record) => ({
          itemIdentifier: record.messageId,
        })),
      };
    });
    await send(target, ['good-1', 'bad-1', 'good-2']);
    poller?.start();
    await until(async () => (await target.depth(target.deadLetterUrl)).visible === 1);
    expect(receives.get('good-1')).toEqual([1]);
    expect(receives.get('good-2')).toEqual([1]);
    expect(receives.get('bad-1')).toEqual([1, 2, 3]);
  });

  it('returns the whole batch when the handler throws', async () => {
    let calls = 0;
    const delivered: string[] = [];
    const target = await start(async (event) => {
      calls += 1;
      if (calls === 1) throw new Error('crash');
      delivered.push(...event.Records.map((record) => record.body));
      return { batchItemFailures: [] };
    });
    await send(target, ['a', 'b']);
    poller?.start();
    await until(() => delivered.length >= 2);
    expect(delivered.sort()).toEqual(['a', 'b']);
    expect(calls).toBeGreaterThanOrEqual(2);
  });

  it('does not receive while holdOffMs says so', async () => {
    let holdOff = 60_000;
    const delivered: string[] = [];
    const target = await start(
      async (event) => {
        delivered.push(...event.Records.map((record) => record.body));
        return { batchItemFailures: [] };
      },
      { holdOffMs: () => holdOff },
    );
    await send(target, ['x']);
    poller?.start();
    // While held off nothing is received: the message stays visible, with no receive on it.
    const depth = await target.depth(target.queueUrl);
    expect(depth).toMatchObject({ visible: 1, inFlight: 0 });
    expect(delivered).toEqual([]);
    holdOff = 0;
    await until(() => delivered.length === 1);
  });
});
