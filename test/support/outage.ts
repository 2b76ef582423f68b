import { UnavailableError } from '../../lambdas/shared/errors';
import type { Sql } from '../../lambdas/shared/sql/port';

/**
 * A database outage a test switches on and off: `wrap` is a local stack's `wrapSql`, and while `on` is true
 * every statement fails as the Data API does when Aurora is unreachable.
 */
export function switchableOutage() {
  const outage = {
    on: false,
    wrap(sql: Sql): Sql {
      return {
        query(text, params) {
          if (outage.on) return Promise.reject(new UnavailableError('injected: database unreachable'));
          return sql.query(text, params);
        },
        transaction(work) {
          if (outage.on) return Promise.reject(new UnavailableError('injected: database unreachable'));
          return sql.transaction((tx) => work(outage.wrap(tx)));
        },
      };
    },
  };
  return outage;
}
