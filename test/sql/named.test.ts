import { describe, expect, it } from 'vitest';
import { toPositional } from '../../lambdas/shared/sql/named';

describe('toPositional', () => {
  it('numbers placeholders in order of first appearance', () => {
    const { text, values } = toPositional('SELECT * FROM t WHERE a = :a AND b = :b', { b: 2, a: 'x' });

    expect(text).toBe('SELECT * FROM t WHERE a = $1 AND b = $2');
    expect(values).toEqual(['x', 2]);
  });

  it('binds a name used twice to one position', () => {
    const { text, values } = toPositional('SELECT :word, :word || :other, :word', { word: 'w', other: 'o' });

    expect(text).toBe('SELECT $1, $1 || $2, $1');
    expect(values).toEqual(['w', 'o']);
  });

  it('leaves :: casts alone, also right after a placeholder', () => {
    const { text, values } = toPositional(`SELECT :id::uuid, '5'::int, now()::date, :n :: int`, {
      id: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      n: 1,
    });

    expect(text).toBe(`SELECT $1::uuid, '5'::int, now()::date, $2 :: int`);
    expect(values).toEqual(['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 1]);
  });

  it('does not look for placeholders inside string literals, with doubled quotes or E-string escapes', () => {
    const sql = `SELECT 'at :noon', 'it''s :late', E'it\\'s :later', :real`;

    const { text, values } = toPositional(sql, { real: true });

    expect(text).toBe(`SELECT 'at :noon', 'it''s :late', E'it\\'s :later', $1`);
    expect(values).toEqual([true]);
  });

  it('does not look inside quoted identifiers, dollar-quoted bodies or comments', () => {
    const sql = `SELECT 1 AS "a:b", $$ :body $$, $fn1$ :tagged $fn1$ -- :comment
      /* :block */ FROM t WHERE x = :x`;

    const { text, values } = toPositional(sql, { x: null });

    expect(text).toBe(`SELECT 1 AS "a:b", $$ :body $$, $fn1$ :tagged $fn1$ -- :comment
      /* :block */ FROM t WHERE x = $1`);
    expect(values).toEqual([null]);
  });

  it('ignores parameters the text does not use', () => {
    const { text, values } = toPositional('SELECT 1', { unused: 'x' });

    expect(text).toBe('SELECT 1');
    expect(values).toEqual([]);
  });

  it('throws when a placeholder has no value', () => {
    expect(() => toPositional('SELECT :missing', {})).toThrow('SQL parameter :missing has no value');
  });

  it('passes null values through', () => {
    const { values } = toPositional('SELECT :n', { n: null });

    expect(values).toEqual([null]);
  });
});
