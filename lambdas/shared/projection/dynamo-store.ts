import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  AggregateStore,
  Breakdown,
  BucketAggregate,
  BucketKey,
  Grain,
  PartFigures,
  PeriodRange,
  Rankings,
  ReadOptions,
  Scope,
} from './aggregates';

/** DynamoDB's BatchWriteItem takes at most 25 items (and 16 MB) per request. */
const BATCH_ITEMS = 25;
const BATCHES_IN_FLIGHT = 8;
const MAX_UNPROCESSED_ROUNDS = 8;
/** DynamoDB's BatchGetItem takes at most 100 keys per request. */
const BATCH_GET_KEYS = 100;
/** Room for the breakdown in an item of at most 400 KB, beside the keys and figures (a few hundred bytes). */
const MAX_BREAKDOWN_CHARS = 390_000;

const SORT_PREFIX: Record<Grain, string> = {
  day: 'DAY',
  dekad: 'DEKAD',
  pentad: 'PENTAD',
  month: 'MONTH',
  year: 'YEAR',
};
/** Where the projector records how fresh the aggregates are; no bucket partition key looks like it. */
const FRESHNESS_KEY = { pk: 'meta', sk: 'projection' };

/**
 * Aggregates in one DynamoDB table: partition `scope#id#currency`, sort key `DAY#YYYY-MM-DD` (or `DEKAD#`, `PENTAD#`,
 * `MONTH#`, `YEAR#` with the period's first day). A period is one Query over a key range: its cost depends on the
 * range, never on how many sales exist.
 *
 * Item size (DynamoDB's limit is 400 KB): a bucket holds its figures and, for brand and all-sales buckets, its
 * breakdown as one JSON string (a month also its days, a year its months: at most 31 short entries): about 60 bytes
 * per model with orders in that period and currency, plus about 40 per brand; the every-currency all-sales item
 * holds each model once with its revenue per currency (`rankings`), about 50 bytes per model plus 20 per currency
 * it was sold in. So what bounds an item is the number of distinct models sold in one period: about 6,000 fit, about
 * 4,000 in an every-currency item of a period sold in two currencies (the demo catalog has 60 models; the car market
 * has a few thousand on sale at once). A bucket past that fails to project with a clear error instead of losing
 * figures.
 */
export class DynamoAggregateStore implements AggregateStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(aggregate: BucketAggregate): Promise<'written' | 'stale'> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: itemOf(aggregate),
          ConditionExpression: 'attribute_not_exists(version) OR version < :version',
          ExpressionAttributeValues: { ':version': aggregate.version },
        }),
      );
      return 'written';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'stale';
      throw error;
    }
  }

  async putMany(aggregates: readonly BucketAggregate[]): Promise<void> {
    const batches: BucketAggregate[][] = [];
    for (let start = 0; start < aggregates.length; start += BATCH_ITEMS) {
      batches.push(aggregates.slice(start, start + BATCH_ITEMS));
    }
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++] ?? [];
        await this.writeBatch(batch.map((aggregate) => ({ PutRequest: { Item: itemOf(aggregate) } })));
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCHES_IN_FLIGHT, batches.length) }, worker));
  }

  /** One BatchWriteItem, resending what DynamoDB leaves unprocessed (throttling) with a short backoff. */
  private async writeBatch(requests: { PutRequest: { Item: Record<string, unknown> } }[]): Promise<void> {
    let pending = requests;
    for (let round = 0; pending.length > 0; round++) {
      if (round === MAX_UNPROCESSED_ROUNDS)
        throw new Error(`DynamoDB left ${pending.length} aggregate writes unprocessed`);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 2 ** round * 25));
      const { UnprocessedItems } = await this.client.send(
        new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
      );
      pending = (UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
    }
  }

  async queryPeriods(range: PeriodRange, options: ReadOptions = {}): Promise<BucketAggregate[]> {
    const buckets: BucketAggregate[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': partitionKey(range),
            ':from': sortKey(range.grain, range.from),
            ':to': sortKey(range.grain, range.to),
          },
          ...projection(options),
          ExclusiveStartKey: startKey,
        }),
      );
      buckets.push(...(page.Items ?? []).map(aggregateOf));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return buckets;
  }

  async getMany(keys: readonly BucketKey[], options: ReadOptions = {}) {
    const unique = [
      ...new Map(keys.map((key) => [`${partitionKey(key)} ${sortKey(key.grain, key.day)}`, key])),
    ];
    const requests: Record<string, unknown>[][] = [];
    for (let start = 0; start < unique.length; start += BATCH_GET_KEYS) {
      requests.push(
        unique
          .slice(start, start + BATCH_GET_KEYS)
          .map(([, key]) => ({ pk: partitionKey(key), sk: sortKey(key.grain, key.day) })),
      );
    }
    const pages = await Promise.all(requests.map((batch) => this.readBatch(batch, options)));
    return pages.flat().map(aggregateOf);
  }

  /** One BatchGetItem, asking again for what DynamoDB leaves unprocessed (throttling, 16 MB) with a backoff. */
  private async readBatch(keys: Record<string, unknown>[], options: ReadOptions) {
    const items: Record<string, unknown>[] = [];
    let pending = keys;
    for (let round = 0; pending.length > 0; round++) {
      if (round === MAX_UNPROCESSED_ROUNDS)
        throw new Error(`DynamoDB left ${pending.length} bucket reads unprocessed`);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 2 ** round * 25));
      const { Responses, UnprocessedKeys } = await this.client.send(
        new BatchGetCommand({
          RequestItems: { [this.tableName]: { Keys: pending, ...projection(options) } },
        }),
      );
      items.push(...(Responses?.[this.tableName] ?? []));
      pending = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return items;
  }

  async markProjected(asOf: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: FRESHNESS_KEY,
          UpdateExpression: 'SET asOf = :asOf',
          ConditionExpression: 'attribute_not_exists(asOf) OR asOf < :asOf',
          ExpressionAttributeValues: { ':asOf': asOf },
        }),
      );
    } catch (error) {
      // A drain that started later already recorded a later instant.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async projectedUntil(): Promise<string | null> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: FRESHNESS_KEY }),
    );
    return typeof Item?.asOf === 'string' ? Item.asOf : null;
  }
}

/** The item of a bucket; its breakdown or rankings is one JSON string (compact, and parsed at once on reads). */
function itemOf({
  breakdown,
  days,
  months,
  rankings,
  ...aggregate
}: BucketAggregate): Record<string, unknown> {
  const item: Record<string, unknown> = {
    pk: partitionKey(aggregate),
    sk: sortKey(aggregate.grain, aggregate.day),
    ...aggregate,
    ...(days ? { days: JSON.stringify(days) } : {}),
    ...(months ? { months: JSON.stringify(months) } : {}),
  };
  const [name, parts] = rankings ? ['rankings', rankings] : ['breakdown', breakdown];
  if (!parts) return item;
  const json = JSON.stringify(parts);
  if (json.length > MAX_BREAKDOWN_CHARS) {
    throw new Error(
      `The breakdown of ${aggregate.scope} ${aggregate.scopeId} ${aggregate.grain} ${aggregate.day} ` +
        `${aggregate.currency} is ${json.length} characters, more than a DynamoDB item can hold`,
    );
  }
  return { ...item, [name]: json };
}

/**
 * The rankings of an EVERY_CURRENCY item stored before they were compact: a breakdown (revenue '0') and the
 * revenues apart (currency → model id → revenue).
 */
function legacyRankings(breakdown: Breakdown, revenues: Record<string, Record<string, string>>): Rankings {
  const rankings: Rankings = {};
  const revenuesOf = new Map<string, Record<string, string>>();
  for (const [brandId, models] of Object.entries(breakdown)) {
    const byModel: Rankings[string] = {};
    for (const [modelId, [units, , orders]] of Object.entries(models)) {
      const byCurrency: Record<string, string> = {};
      byModel[modelId] = [units, orders, byCurrency];
      revenuesOf.set(modelId, byCurrency);
    }
    rankings[brandId] = byModel;
  }
  for (const [currency, byModel] of Object.entries(revenues)) {
    for (const [modelId, revenue] of Object.entries(byModel)) {
      const byCurrency = revenuesOf.get(modelId);
      if (byCurrency) byCurrency[currency] = revenue;
    }
  }
  return rankings;
}

const ATTRIBUTES = ['scope', 'scopeId', 'grain', 'day', 'currency', 'units', 'revenue', 'orders', 'version'];

/** Reads the figures of a bucket, its breakdown and a month's days or a year's months unless told not to. */
function projection({ breakdowns = true, subPeriods = true }: ReadOptions) {
  const names = [
    ...ATTRIBUTES,
    ...(breakdowns ? ['breakdown', 'revenues', 'rankings'] : []),
    ...(subPeriods ? ['days', 'months'] : []),
  ];
  return {
    ProjectionExpression: names.map((name) => `#${name}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
  };
}

/** The bucket an item holds, in any of the shapes the store has written (exported for tests that scan the table). */
export function aggregateOf(item: Record<string, unknown>): BucketAggregate {
  const { days, months } = item;
  return {
    scope: String(item.scope) as Scope,
    scopeId: String(item.scopeId),
    grain: String(item.grain) as Grain,
    day: String(item.day),
    currency: String(item.currency),
    units: Number(item.units),
    revenue: String(item.revenue),
    orders: Number(item.orders),
    version: Number(item.version),
    ...partsOf(item),
    ...(typeof days === 'string' ? { days: JSON.parse(days) as Record<string, PartFigures> } : {}),
    ...(typeof months === 'string' ? { months: JSON.parse(months) as Record<string, PartFigures> } : {}),
  };
}

/** A bucket's breakdown, or an EVERY_CURRENCY bucket's rankings (from either shape they were stored in). */
function partsOf({
  breakdown,
  revenues,
  rankings,
}: Record<string, unknown>): Pick<BucketAggregate, 'breakdown' | 'rankings'> {
  if (typeof rankings === 'string') return { rankings: JSON.parse(rankings) as Rankings };
  if (typeof breakdown !== 'string') return {};
  const parsed = JSON.parse(breakdown) as Breakdown;
  if (typeof revenues !== 'string') return { breakdown: parsed };
  return { rankings: legacyRankings(parsed, JSON.parse(revenues) as Record<string, Record<string, string>>) };
}

const partitionKey = (key: { scope: Scope; scopeId: string; currency: string }) =>
  `${key.scope}#${key.scopeId}#${key.currency}`;
const sortKey = (grain: Grain, day: string) => `${SORT_PREFIX[grain]}#${day}`;
