/**
 * Fault injection seams for `startLocalStack({ wrapSql, wrapStore })`: every SQL statement and every aggregate
 * write first goes through a hook the test sets (and clears) at will, to fail it, delay it or pause it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { UnavailableError } from '../../lambdas/shared/errors';
import type { AggregateStore, BucketAggregate } from '../../lambdas/shared/projection/aggregates';
import type { Row, Sql, SqlParams, SqlResult } from '../../lambdas/shared/sql/port';

export interface SqlCall {
  text: string;
  params: SqlParams | undefined;
  /** 1-based position of the statement inside its transaction; undefined outside a transaction. */
  txIndex: number | undefined;
}

export type SqlHook = (call: SqlCall) => void | Promise<void>;
export type StoreHook = (aggregate: BucketAggregate) => void | Promise<void>;

/** A switchboard for SQL faults: `hook` runs before each statement; throwing from it fails the statement. */
export class SqlFaults {
  hook: SqlHook | undefined;
  /** Statements seen since the last `reset()` (inside and outside transactions). */
  readonly calls: SqlCall[] = [];
  record = false;

  readonly wrap = (sql: Sql): Sql => new HookedSql(sql, this, undefined);

  reset() {
    this.hook = undefined;
    this.record = false;
    this.calls.length = 0;
  }

  /** Fails (once) the `n`-th statement of the next transaction whose statements reach `n`. */
  failNthInTransaction(n: number, error: () => Error = unavailable) {
    let fired = false;
    this.hook = (call) => {
      if (!fired && call.txIndex === n) {
        fired = true;
        throw error();
      }
    };
  }

  /** Fails (once) the `n`-th statement run outside any transaction from now on (e.g. after a commit). */
  failNthOutsideTransaction(n: number, error: () => Error = unavailable) {
    let seen = 0;
    this.hook = (call) => {
      if (call.txIndex === undefined && ++seen === n) throw error();
    };
  }

  /** Fails the next `times` statements whose text matches `pattern`. */
  failMatching(pattern: RegExp, times = 1, error: () => Error = unavailable) {
    let left = times;
    this.hook = (call) => {
      if (left > 0 && pattern.test(call.text)) {
        left -= 1;
        throw error();
      }
    };
  }
}

/** Same for the aggregate store: `hook` runs before each `put`; throwing from it fails the write. */
export class StoreFaults {
  hook: StoreHook | undefined;
  puts = 0;
  /** Writes the store refused as older than what it holds: projections that landed out of order. */
  stale = 0;

  readonly wrap = (store: AggregateStore): AggregateStore => {
    const faults = this;
    return {
      async put(aggregate) {
        faults.puts += 1;
        await faults.hook?.(aggregate);
        const result = await store.put(aggregate);
        if (result === 'stale') faults.stale += 1;
        return result;
      },
      async putMany(aggregates) {
        faults.puts += aggregates.length;
        for (const aggregate of aggregates) await faults.hook?.(aggregate);
        await store.putMany(aggregates);
      },
      queryPeriods: (...args) => store.queryPeriods(...args),
      getMany: (...args) => store.getMany(...args),
      markProjected: (asOf) => store.markProjected(asOf),
      projectedUntil: () => store.projectedUntil(),
    };
  };

  reset() {
    this.hook = undefined;
  }
}

export const unavailable = () => new UnavailableError('Injected fault: the database is unavailable');
export const dynamoDown = () =>
  Object.assign(new Error('Injected fault: DynamoDB is unavailable'), { name: 'ServiceUnavailable' });

/** A store hook that delays each write by 0..maxMs, so concurrent projections land out of order. */
export const jitter =
  (maxMs: number): StoreHook =>
  () =>
    sleep(Math.floor(Math.random() * maxMs));

/** A latch: `wait()` blocks until `open()`; `reached` resolves when someone first waits. */
export function gate() {
  let open!: () => void;
  let reach!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const reached = new Promise<void>((resolve) => {
    reach = resolve;
  });
  return {
    reached,
    open,
    wait: () => {
      reach();
      return opened;
    },
  };
}

class HookedSql implements Sql {
  constructor(
    private readonly inner: Sql,
    private readonly faults: SqlFaults,
    private readonly counter: { n: number } | undefined,
  ) {}

  async query<R extends object = Row>(text: string, params?: SqlParams): Promise<SqlResult<R>> {
    const call: SqlCall = { text, params, txIndex: this.counter ? ++this.counter.n : undefined };
    if (this.faults.record) this.faults.calls.push(call);
    await this.faults.hook?.(call);
    return this.inner.query<R>(text, params);
  }

  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    const counter = this.counter ?? { n: 0 };
    return this.inner.transaction((tx) => work(new HookedSql(tx, this.faults, counter)));
  }
}
