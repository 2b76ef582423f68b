import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replacePlaceholders, sqlTokens } from '../../lambdas/shared/sql/lexer';

const kinds = (text: string) => [...sqlTokens(text)].map((token) => [token.kind, token.text]);

describe('sqlTokens', () => {
  it('singles out placeholders, quoted text, comments and semicolons, and leaves casts in the code', () => {
    expect(kinds(`SELECT :id::uuid, 'a;:b' -- :c\n; /* ; */ "x:y"`)).toEqual([
      ['code', 'SELECT '],
      ['placeholder', ':id'],
      ['code', '::'],
      ['code', 'uuid, '],
      ['quoted', `'a;:b'`],
      ['code', ' '],
      ['comment', '-- :c'],
      ['code', '\n'],
      ['semicolon', ';'],
      ['code', ' '],
      ['comment', '/* ; */'],
      ['code', ' '],
      ['quoted', '"x:y"'],
    ]);
  });

  it('reads E-strings with backslash escapes, but not an E that ends an identifier', () => {
    expect(kinds(`E'it\\'s; :x'`)).toEqual([['quoted', `E'it\\'s; :x'`]]);
    // `name'…'` is not an E-string: the backslash does not escape, the quote after it ends the literal.
    expect(kinds(`SELECT some'\\';:p`).map(([kind]) => kind)).toEqual([
      'code',
      'quoted',
      'semicolon',
      'placeholder',
    ]);
  });

  it('reads dollar-quoted bodies with and without a tag, and not positional $1 parameters', () => {
    expect(kinds('$$ ; :a $$')).toEqual([['quoted', '$$ ; :a $$']]);
    expect(kinds('$fn$ $$ ; $fn$')).toEqual([['quoted', '$fn$ $$ ; $fn$']]);
    expect(kinds('VALUES ($1, $2);')).toEqual([
      ['code', 'VALUES ($1, $2)'],
      ['semicolon', ';'],
    ]);
  });

  it('gives the text back when its tokens are joined, whatever the text', () => {
    const sqlish = fc.string({
      unit: fc.constantFrom(...`ab:_;'"$-/*\\E \n1`.split('')),
      maxLength: 60,
    });
    fc.assert(
      fc.property(sqlish, (text) => {
        expect([...sqlTokens(text)].map((token) => token.text).join('')).toBe(text);
      }),
    );
  });
});

describe('replacePlaceholders', () => {
  it('replaces every placeholder and nothing else', () => {
    expect(replacePlaceholders(`SELECT :a, ':a', :b::int -- :a`, (name) => `<${name}>`)).toBe(
      `SELECT <a>, ':a', <b>::int -- :a`,
    );
  });
});
