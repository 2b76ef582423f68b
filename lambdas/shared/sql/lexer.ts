/**
 * The one SQL lexer of the project: just enough of PostgreSQL's lexical rules to find `:name` placeholders and
 * statement-ending semicolons without looking inside string literals (E'…' with backslash escapes too), quoted
 * identifiers, dollar-quoted bodies or comments. `::` casts are not placeholders.
 */

/** A piece of SQL text: `code` is everything the lexer does not single out. */
export type SqlToken =
  | { kind: 'code' | 'quoted' | 'comment' | 'semicolon'; text: string }
  | { kind: 'placeholder'; text: string; name: string };

// An E'…' prefix only counts at the start of a word: in `some'…'` the E belongs to the identifier.
const TOKEN =
  /(?<quoted>(?<![A-Za-z0-9_$])[eE]'(?:[^'\\]|\\[\s\S]|'')*'|'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(?<tag>[A-Za-z_][A-Za-z0-9_]*)?\$[\s\S]*?\$\k<tag>\$)|(?<comment>--[^\n]*|\/\*[\s\S]*?\*\/)|(?<cast>::)|:(?<name>[A-Za-z_][A-Za-z0-9_]*)|(?<semicolon>;)/g;

/** Splits `text` into tokens; joining their `text`s gives `text` back. */
export function* sqlTokens(text: string): Generator<SqlToken> {
  let at = 0;
  for (const match of text.matchAll(TOKEN)) {
    if (match.index > at) yield { kind: 'code', text: text.slice(at, match.index) };
    const groups = match.groups ?? {};
    const [token] = match;
    if (groups.quoted !== undefined) yield { kind: 'quoted', text: token };
    else if (groups.comment !== undefined) yield { kind: 'comment', text: token };
    else if (groups.name !== undefined) yield { kind: 'placeholder', text: token, name: groups.name };
    else if (groups.semicolon !== undefined) yield { kind: 'semicolon', text: token };
    else yield { kind: 'code', text: token };
    at = match.index + token.length;
  }
  if (at < text.length) yield { kind: 'code', text: text.slice(at) };
}

/** `text` with every `:name` placeholder replaced by `replace(name)`; everything else as it was. */
export function replacePlaceholders(text: string, replace: (name: string) => string): string {
  let result = '';
  for (const token of sqlTokens(text))
    result += token.kind === 'placeholder' ? replace(token.name) : token.text;
  return result;
}
