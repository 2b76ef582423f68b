import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../dashboard/src/format';
import {
  isDay,
  parseState,
  presetRange,
  presetsOf,
  toSearch,
  type ViewState,
} from '../../dashboard/src/state';

const TODAY = '2025-05-20';
const BRAND = '0b6f3c2e-6a1d-4c5e-9f5a-2d1e3f4a5b6c';
const MODEL = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

describe('Module: dashboard/src/state (the view in the URL)', () => {
  describe('Function: parseState', () => {
    it('reads every part of a shared view', () => {
      // Act
      const state = parseState(
        `?from=2025-01-01&to=2025-03-31&currency=USD&brandId=${BRAND}&modelId=${MODEL.toUpperCase()}&by=revenue&granularity=week`,
        TODAY,
      );

      // Assert
      expect(state).toEqual({
        from: '2025-01-01',
        to: '2025-03-31',
        currency: 'USD',
        brandId: BRAND,
        modelId: MODEL,
        by: 'revenue',
        granularity: 'week',
      });
    });

    it.each([
      ['no range', ''],
      ['a malformed day', '?from=2025-1-1&to=2025-03-31'],
      ['a day that does not exist', '?from=2025-02-30&to=2025-03-31'],
      ['from after to', '?from=2025-04-01&to=2025-03-31'],
    ])('falls back to the last 30 days for %s', (_, search) => {
      expect(parseState(search, TODAY)).toMatchObject({ from: '2025-04-21', to: TODAY });
    });

    it('drops what cannot be used and keeps the defaults', () => {
      // Act
      const state = parseState(
        '?from=2025-01-01&to=2025-01-31&currency=eur&brandId=nope&modelId=1&by=orders&granularity=hour',
        TODAY,
      );

      // Assert
      expect(state).toEqual({ from: '2025-01-01', to: '2025-01-31', by: 'units', granularity: 'day' });
    });
  });

  describe('Function: toSearch', () => {
    it('writes the view so that parseState reads it back, leaving out defaults', () => {
      // Arrange
      const state: ViewState = {
        from: '2024-12-01',
        to: '2024-12-31',
        currency: 'EUR',
        brandId: BRAND,
        by: 'units',
        granularity: 'month',
      };

      // Act
      const search = toSearch(state);

      // Assert
      expect(search).toBe(`?from=2024-12-01&to=2024-12-31&currency=EUR&brandId=${BRAND}&granularity=month`);
      expect(parseState(search, TODAY)).toEqual(state);
    });
  });

  describe('Function: presetRange', () => {
    it.each([
      ['last30', '2025-03-01', { from: '2025-01-31', to: '2025-03-01' }],
      ['quarter', '2025-05-20', { from: '2025-04-01', to: '2025-05-20' }],
      ['quarter', '2025-12-31', { from: '2025-10-01', to: '2025-12-31' }],
      ['quarter', '2025-01-01', { from: '2025-01-01', to: '2025-01-01' }],
      ['year', '2024-06-30', { from: '2024-01-01', to: '2024-06-30' }],
    ] as const)('%s ending %s', (name, today, range) => {
      expect(presetRange(name, today)).toEqual(range);
      expect(presetsOf(range, today)).toContain(name);
    });

    it('presses both the quarter and the year in the first quarter, where they are the same range', () => {
      expect(presetsOf(presetRange('year', '2024-02-29'), '2024-02-29')).toEqual(['quarter', 'year']);
    });

    it('names no preset for a range of its own', () => {
      expect(presetsOf({ from: '2025-01-01', to: '2025-03-31' }, TODAY)).toEqual([]);
    });
  });

  it('Function: isDay accepts calendar days only', () => {
    expect(['2024-02-29', '2025-12-31'].map(isDay)).toEqual([true, true]);
    expect(['2025-02-29', '2025-13-01', '20250101', '2025-01-01T00:00:00Z'].map(isDay)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('Module: dashboard/src/format', () => {
  it('formats the exact decimal string, digits a float would lose included', () => {
    expect(formatMoney('12345678901234567.89', 'EUR', 'en-US')).toBe('€12,345,678,901,234,567.89');
    expect(formatMoney('1234.50', 'EUR', 'de-DE')).toBe('1.234,50\u00a0€');
    expect(formatMoney('1500', 'JPY', 'en-US')).toBe('¥1,500');
  });
});
