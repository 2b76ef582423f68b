import type { DailyRevenueBody } from '../api-types';
import { dataTable } from '../dom';
import { COLORS } from '../figures';
import { Panel } from '../panel';
import type { ViewState } from '../state';
import type { DashboardContext, Section } from './section';

/** Revenue (line) and orders (bars) per UTC day of the range. */
export class DailyRevenue implements Section {
  private readonly panel = new Panel('daily', 'Revenue and orders per day');
  readonly element = this.panel.section;

  constructor(private readonly context: DashboardContext) {}

  async load(view: ViewState, signal: AbortSignal): Promise<void> {
    this.panel.loading();
    const { from, to, currency } = view;
    const body = await this.context.api.get<DailyRevenueBody>(
      '/stats/revenue/daily',
      { from, to, currency },
      signal,
    );
    const { figures } = this.context;
    if (body.days.every((day) => day.orders === 0)) {
      return this.panel.empty(
        `No sales in ${body.currency} between ${figures.day(body.from)} and ${figures.day(body.to)}.`,
      );
    }
    this.panel.show(
      `Revenue in ${body.currency} (line) and orders (bars) per day, ${body.from} to ${body.to}`,
      { kind: 'days', days: body.days.map((day) => day.date) },
      // Bars first, so the revenue line is drawn over them.
      [
        figures.countSeries(
          'Orders',
          body.days.map((day) => day.orders),
          COLORS.orders,
          'bars',
        ),
        figures.moneySeries(
          'Revenue',
          body.days.map((day) => day.revenue),
          body.currency,
          'line',
        ),
      ],
      dataTable(
        `Revenue, orders and units per day (${body.currency})`,
        ['Day', 'Revenue', 'Orders', 'Units'],
        body.days.map((day) => [
          { text: figures.day(day.date), value: day.date },
          figures.moneyCell(day.revenue, body.currency),
          figures.countCell(day.orders),
          figures.countCell(day.units),
        ]),
      ),
    );
  }

  fail(message: string): void {
    this.panel.error(message, () => this.context.reload());
  }
}
