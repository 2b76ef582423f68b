import { replacePlaceholders } from './lexer';
import type { SqlParam, SqlParams } from './port';

/** Rewrites `:name` placeholders to `$1..$n` for drivers with positional parameters. */
export function toPositional(text: string, params: SqlParams = {}): { text: string; values: SqlParam[] } {
  const order = new Map<string, number>();
  const values: SqlParam[] = [];
  const positional = replacePlaceholders(text, (name) => {
    let index = order.get(name);
    if (index === undefined) {
      if (!(name in params)) throw new Error(`SQL parameter :${name} has no value`);
      values.push(params[name] ?? null);
      index = values.length;
      order.set(name, index);
    }
    return `$${index}`;
  });
  return { text: positional, values };
}
