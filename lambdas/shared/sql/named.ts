import type { SqlParam, SqlParams } from './port';

// Left alone: string literals (E'…' with backslash escapes too), quoted identifiers, dollar-quoted bodies,
// comments and `::` casts. What remains of `:name` is a placeholder.
const NAMED_PARAM =
  /(?<![A-Za-z0-9_$])[eE]'(?:[^'\\]|\\[\s\S]|'')*'|'(?:[^']|'')*'|"(?:[^"]|"")*"|\$([A-Za-z_][A-Za-z0-9_]*)?\$[\s\S]*?\$\1\$|--[^\n]*|\/\*[\s\S]*?\*\/|::|:([A-Za-z_][A-Za-z0-9_]*)/g;

/** Rewrites `:name` placeholders to `$1..$n` for drivers with positional parameters. */
export function toPositional(text: string, params: SqlParams = {}): { text: string; values: SqlParam[] } {
  const order = new Map<string, number>();
  const values: SqlParam[] = [];
  const positional = text.replace(
    NAMED_PARAM,
    (match, _tag: string | undefined, name: string | undefined) => {
      if (name === undefined) return match;
      let index = order.get(name);
      if (index === undefined) {
        if (!(name in params)) throw new Error(`SQL parameter :${name} has no value`);
        values.push(params[name] ?? null);
        index = values.length;
        order.set(name, index);
      }
      return `$${index}`;
    },
  );
  return { text: positional, values };
}
