import type { SeriesSpec } from './charts';
import type { Cell } from './dom';
import { formatCompactMoney, formatCount, formatDay, formatMoney } from './format';
import type { RankBy } from './state';

/** Series colours: each has a contrast of at least 5:1 on white. */
export const COLORS = { revenue: '#1f5fa8', orders: '#b34700', units: '#2e7d32' } as const;

type Style = SeriesSpec['style'];

/**
 * The API's figures as chart series and table cells, formatted for one locale. Charts plot numbers; the
 * tables and headline figures keep the exact decimal strings (`Cell.value`) and format from those.
 */
export class Figures {
  constructor(readonly locale: string | undefined) {}

  money(amount: string, currency: string): string {
    return formatMoney(amount, currency, this.locale);
  }

  count(count: number): string {
    return formatCount(count, this.locale);
  }

  day(day: string): string {
    return formatDay(day, this.locale);
  }

  moneySeries(label: string, amounts: readonly string[], currency: string, style: Style): SeriesSpec {
    return {
      label,
      values: amounts.map(Number),
      color: COLORS.revenue,
      scale: 'money',
      style,
      format: (value) => formatCompactMoney(value, currency, this.locale),
    };
  }

  countSeries(label: string, counts: readonly number[], color: string, style: Style): SeriesSpec {
    return { label, values: counts, color, scale: 'count', style, format: (value) => this.count(value) };
  }

  /** Bars of the ranking measure: units or revenue. */
  rankSeries(by: RankBy, items: readonly { units: number; revenue: string }[], currency: string): SeriesSpec {
    return by === 'revenue'
      ? this.moneySeries(
          'Revenue',
          items.map((item) => item.revenue),
          currency,
          'bars',
        )
      : this.countSeries(
          'Units',
          items.map((item) => item.units),
          COLORS.units,
          'bars',
        );
  }

  moneyCell(amount: string, currency: string): Cell {
    return { text: this.money(amount, currency), value: amount, numeric: true };
  }

  countCell(count: number): Cell {
    return { text: this.count(count), value: String(count), numeric: true };
  }
}
